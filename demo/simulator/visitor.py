"""One simulated visitor's traffic, as the tracker would send it: batches of events (pure, seeded).

Timing mirrors the tracker: a page view, scroll milestones as the reader moves down,
engagement heartbeats at 15, 30 and 60 s and then every minute, a final engaged time when
the page is left, and a batch sent at 20 events or when the page is hidden.
"""

import random
import uuid
from dataclasses import dataclass, field

from .archetypes import REFERRERS, USER_AGENTS, Archetype
from .sitemap import Page, SiteMap

SECOND = 1000
DAY = 86_400_000
HEARTBEATS = (15, 30, 60)
SCROLL_MILESTONES = (25, 50, 75, 90, 100)
BATCH_SIZE = 20


@dataclass
class OutgoingBatch:
    received_ms: int
    body: dict


@dataclass
class VisitorTraffic:
    visitor_id: str
    device: str
    user_agent: str
    address: str
    favourites: list[str]
    batches: list[OutgoingBatch] = field(default_factory=list)
    purchases: int = 0


def pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Browser:
    """Queues events like the tracker and sends batches of 20 or at page hide."""

    def __init__(self, rng: random.Random, traffic: VisitorTraffic, site_key: str, origin: str, clock_skew_ms: int):
        self.rng, self.traffic, self.site_key, self.skew = rng, traffic, site_key, clock_skew_ms
        self.origin = origin
        self.queue: list[dict] = []
        self.seq = 0

    def emit(self, at_ms: int, type_: str, page: Page, pv: str, **fields) -> None:
        self.seq += 1
        event = {"id": random_uuid(self.rng), "type": type_, "ts": at_ms + self.skew, "seq": self.seq,
                 "url": self.origin + page.path, "pv": pv, **fields}
        if page.category:
            event["cat"] = page.category
        self.queue.append(event)
        if len(self.queue) >= BATCH_SIZE:
            self.flush(at_ms)

    def flush(self, at_ms: int) -> None:
        if not self.queue:
            return
        sent = at_ms + 30
        self.traffic.batches.append(OutgoingBatch(
            received_ms=sent + self.rng.randint(20, 400),
            body={"site": self.site_key, "vid": self.traffic.visitor_id, "sent": sent + self.skew, "events": self.queue},
        ))
        self.queue = []


def session_pages(rng: random.Random, archetype: Archetype, site: SiteMap, favourites: list[str],
                  shop_favourites: list[str]) -> list[Page]:
    """The pages of one session, following the archetype's habits."""
    count = rng.randint(*archetype.pages_per_session)
    pages: list[Page] = [site.home] if rng.random() < 0.3 else []
    while len(pages) < count:
        if rng.random() < archetype.news_share:
            category = rng.choice(favourites) if rng.random() < 0.8 else rng.choice(list(site.articles))
            pages.append(site.news_lists[category] if rng.random() < 0.15 else rng.choice(site.articles[category]))
        else:
            category = rng.choice(shop_favourites) if rng.random() < 0.75 else rng.choice(list(site.products))
            roll = rng.random()
            if roll < archetype.sale_affinity * 0.4:
                pages.append(site.sale)
            elif roll < 0.35:
                pages.append(site.shop_lists[category])
            else:
                pages.append(rng.choice(site.products[category]))
    return pages


def page_visit(browser: Browser, rng: random.Random, archetype: Archetype, page: Page, at_ms: int, referrer: str,
               visit_number: int, state: dict) -> int:
    """Emit the events of one page view starting at `at_ms`; return when the visitor leaves."""
    pv = random_uuid(rng)[:16]
    props = {"page_type": page.page_type, "visit": visit_number, "returning": visit_number > 1}
    if page.product:
        props.update(product=page.product, price=page.price)
    sort = "price" if page.page_type in {"product_list", "sale"} and rng.random() < archetype.sale_affinity else ""
    shown = Page(page.path + ("?sort=price" if sort else ""), page.page_type, page.category, page.product, page.price,
                 page.has_video, page.sections)
    browser.emit(at_ms, "page_view", shown, pv, ref=referrer, props=props)
    engaged_s = max(2.0, rng.lognormvariate(0, archetype.engaged_seconds[1]) * archetype.engaged_seconds[0])
    reach = min(1.0, max(0.05, rng.gauss(*archetype.scroll_reach)))
    end = at_ms + int(engaged_s * SECOND)
    timed = []
    for depth in SCROLL_MILESTONES:
        if depth / 100 <= reach + 1e-9:
            timed.append((at_ms + int(engaged_s * SECOND * depth / 110), "scroll", {"depth": depth, "max": depth}))
    beat = 0
    for second in [*HEARTBEATS, *range(120, int(engaged_s), 60)]:
        if second < engaged_s:
            beat = second
            timed.append((at_ms + second * SECOND, "engagement", {"engaged_ms": second * SECOND, "final": False}))
    for _ in range(min(8, int(rng.expovariate(1 / archetype.clicks_per_page)) if archetype.clicks_per_page else 0)):
        timed.append((rng.randint(at_ms + 500, end), "click", {"tag": "a", "text": "Read more"}))
    if page.page_type in {"product_list", "sale", "home"}:
        for _ in range(int(rng.expovariate(1 / archetype.hovers_per_list_page)) if archetype.hovers_per_list_page else 0):
            timed.append((rng.randint(at_ms, end), "hover", {"target": "product-card", "dwell_ms": rng.randint(1000, 6000)}))
    if page.page_type == "article":
        timed.extend(article_events(rng, archetype, page, at_ms, end, reach, state))
    if page.page_type == "product" and rng.random() < archetype.cart_add_rate:
        state["cart"].append(page)
        timed.append((rng.randint(at_ms + 2000, max(at_ms + 2000, end)), "track:add_to_cart",
                      {"product": page.product, "price": page.price, "quantity": 1}))
    end = max([end, *(ts for ts, _, _ in timed)])
    for ts, kind, event_props in sorted(timed, key=lambda item: item[0]):
        if kind.startswith("track:"):
            browser.emit(ts, "track", shown, pv, name=kind[6:], props=event_props)
        else:
            browser.emit(ts, kind, shown, pv, props=event_props)
    if beat or engaged_s > 2:
        browser.emit(end, "engagement", shown, pv, props={"engaged_ms": int(engaged_s * SECOND), "final": True})
    browser.flush(end)
    return end + rng.randint(1, 8) * SECOND


def article_events(rng, archetype: Archetype, page: Page, start: int, end: int, reach: float, state: dict) -> list:
    events = []
    span = end - start
    reached = max(1, round(page.sections * reach))
    for index in range(reached):
        enter = start + span * index // max(1, reached)
        leave = start + span * (index + 1) // max(1, reached)
        events.append((enter, "section", {"section": f"section-{index + 1}", "action": "enter"}))
        events.append((leave, "section", {"section": f"section-{index + 1}", "action": "exit", "visible_ms": leave - enter}))
    if page.has_video and rng.random() < archetype.video_rate:
        events.append((start + 3000, "video", {"action": "play", "percent": 0}))
        watched = rng.choice([25, 50, 75, 100, 100])
        for percent in (25, 50, 75):
            if percent <= watched:
                events.append((start + 3000 + percent * 80, "video", {"action": "progress", "percent": percent}))
        if watched == 100:
            events.append((start + 11000, "video", {"action": "complete", "percent": 100}))
    if rng.random() < archetype.newsletter_rate:
        events.append((end - 500, "form_submit", {"form": "newsletter", "fields": 1}))
        events.append((end - 400, "track:newsletter_signup", {}))
    return events


def checkout(browser: Browser, rng: random.Random, site: SiteMap, at_ms: int, state: dict, traffic: VisitorTraffic) -> int:
    """Cart, checkout form and order confirmation."""
    pv = random_uuid(rng)[:16]
    browser.emit(at_ms, "page_view", site.cart, pv, props={"page_type": "cart"})
    at_ms += rng.randint(5, 30) * SECOND
    browser.flush(at_ms)
    pv = random_uuid(rng)[:16]
    browser.emit(at_ms, "page_view", site.checkout, pv, props={"page_type": "checkout"})
    at_ms += rng.randint(30, 120) * SECOND
    browser.emit(at_ms, "form_submit", site.checkout, pv, props={"form": "checkout", "fields": 3})
    revenue = round(sum(page.price for page in state["cart"]), 2)
    traffic.purchases += 1
    order = Page(f"/shop/order/SIM{traffic.purchases:04d}/", "order_confirmation")
    browser.emit(at_ms + 800, "page_view", order, random_uuid(rng)[:16], props={"page_type": "order_confirmation"})
    browser.emit(at_ms + 900, "track", order, "", name="purchase",
                 props={"revenue": revenue, "items": len(state["cart"]), "order": f"SIM{traffic.purchases:04d}",
                        "products": [page.product for page in state["cart"]]})  # as the demo's checkout sends
    state["cart"] = []
    browser.flush(at_ms + 1000)
    return at_ms + 2000


def session_start(rng: random.Random, day_start_ms: int) -> int:
    """A time of day weighted towards mornings and evenings."""
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 7, 9, 8, 7, 7, 8, 7, 6, 6, 7, 8, 10, 11, 10, 8, 5, 2])[0]
    return day_start_ms + hour * 3_600_000 + rng.randint(0, 3_599_999)


def simulate_visitor(*, rng: random.Random, archetype: Archetype, site: SiteMap, site_key: str, start_ms: int,
                     end_ms: int) -> VisitorTraffic:
    """All of one visitor's batches between start_ms and end_ms."""
    device = pick(rng, archetype.devices)
    traffic = VisitorTraffic(
        visitor_id=random_uuid(rng).replace("-", "")[:24], device=device, user_agent=rng.choice(USER_AGENTS[device]),
        address=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        favourites=rng.sample(list(site.articles), min(archetype.favourite_categories, len(site.articles))),
    )
    shop_favourites = rng.sample(list(site.products), min(archetype.favourite_categories, len(site.products)))
    skew = rng.choice([0] * 18 + [-7 * 60_000, 3 * 3_600_000])  # a few visitors' clocks are off
    browser = Browser(rng, traffic, site_key, site.origin, skew)
    state: dict = {"cart": []}
    day = start_ms + int(rng.random() * (end_ms - start_ms) * (0.3 if archetype.max_sessions > 5 else 1.0))
    for visit_number in range(1, archetype.max_sessions + 1):
        at = session_start(rng, day - day % DAY)
        if at >= end_ms:
            break
        referrer = REFERRERS[pick(rng, archetype.referrers)]
        for page in session_pages(rng, archetype, site, traffic.favourites, shop_favourites):
            at = page_visit(browser, rng, archetype, page, at, referrer, visit_number, state)
            referrer = site.origin + page.path
        if state["cart"] and rng.random() < archetype.purchase_rate:
            at = checkout(browser, rng, site, at, state, traffic)
        day = at + int(rng.expovariate(1 / archetype.mean_days_between_sessions) * DAY) + DAY // 2
    return traffic
