"""Hypothesis strategies for random event streams of one or a few visitors."""

import uuid

from hypothesis import strategies as st

from personalization.ingest.activity import Activity
from personalization.ingest.channels import channel_of

BASE_MS = 1_780_000_000_000
MINUTE = 60_000
SITE_ORIGIN = "https://shop.example"  # the address events' paths are on
NAMES = ["add_to_cart", "remove_from_cart", "purchase", "signup", "newsletter"]


@st.composite
def activity_lists(draw, *, max_size: int = 40) -> list[Activity]:
    count = draw(st.integers(min_value=1, max_value=max_size))
    ids = draw(st.lists(st.integers(0, 2**64), min_size=count, max_size=count, unique=True))  # ids are unique, as dedup makes them
    activities = []
    for index in range(count):
        kind = draw(st.sampled_from(["page_view", "engagement", "scroll", "click", "hover", "track", "form_submit", "video"]))
        ts = BASE_MS + draw(st.integers(min_value=0, max_value=6 * 60)) * MINUTE + draw(st.integers(0, 3)) * 1000
        pv = draw(st.sampled_from(["pv1", "pv2", "pv3", "pv4", ""]))
        category = draw(st.sampled_from(["", "news", "shoes"]))
        props: dict = {}
        name = ""
        if kind == "engagement":
            props = {"engaged_ms": draw(st.integers(0, 100_000))}
        elif kind == "scroll":
            props = {"depth": draw(st.sampled_from([25, 50, 75, 90, 100]))}
        elif kind == "video":
            props = {"action": draw(st.sampled_from(["play", "complete"])), "percent": draw(st.sampled_from([0, 40]))}
        elif kind == "page_view":
            props = draw(st.sampled_from([{}, {"page_type": "product"}, {"page_type": "sale"}, {"discount": 10}]))
        elif kind == "track":
            name = draw(st.sampled_from(NAMES))
            props = {"quantity": draw(st.integers(1, 3)), "price": draw(st.sampled_from([1.5, 19.99, 100])),
                     "revenue": draw(st.sampled_from([0, 10.01, 99.99]))}
        path = draw(st.sampled_from(["/", "/shop", "/news/a", "/news/a?utm_medium=email", "/shop?gclid=x1"]))
        device = draw(st.sampled_from(["desktop", "mobile"]))
        referrer = draw(st.sampled_from(["", "https://ref.example/", "https://www.google.com/", "https://t.co/x"]))
        channel = channel_of(SITE_ORIGIN + path, referrer) if kind == "page_view" else ""
        activities.append(Activity(ts, str(uuid.UUID(int=ids[index])), kind, name, path, referrer, pv, category, props,
                                   device, channel))
    return activities
