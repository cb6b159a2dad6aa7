"""Visitor behavior archetypes the traffic simulator draws from (pure data)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Archetype:
    name: str
    weight: float  # share of visitors
    mean_days_between_sessions: float
    max_sessions: int
    pages_per_session: tuple[int, int]
    engaged_seconds: tuple[float, float]  # median and spread (lognormal sigma) of engaged time per page
    scroll_reach: tuple[float, float]  # typical deepest scroll (0..1) and its spread
    news_share: float  # share of page views that are articles
    favourite_categories: int  # how many categories most of the visits go to
    sale_affinity: float  # chance to go to the sale page or sort by price when in the shop
    cart_add_rate: float  # chance of adding to cart on a product page
    purchase_rate: float  # chance that a session with a cart ends in a purchase
    clicks_per_page: float
    hovers_per_list_page: float
    video_rate: float  # chance of watching an article's video
    newsletter_rate: float  # chance of signing up on an article page
    devices: dict
    referrers: dict


ARCHETYPES = (
    Archetype(
        name="bargain_hunter", weight=0.25, mean_days_between_sessions=4.0, max_sessions=8,
        pages_per_session=(5, 13), engaged_seconds=(22.0, 0.6), scroll_reach=(0.6, 0.2), news_share=0.05,
        favourite_categories=3, sale_affinity=0.8, cart_add_rate=0.3, purchase_rate=0.2, clicks_per_page=2.5,
        hovers_per_list_page=3.0, video_rate=0.0, newsletter_rate=0.0,
        devices={"desktop": 0.55, "mobile": 0.4, "tablet": 0.05},
        referrers={"search": 0.45, "ads": 0.3, "direct": 0.15, "social": 0.1},
    ),
    Archetype(
        name="loyal_customer", weight=0.15, mean_days_between_sessions=2.0, max_sessions=20,
        pages_per_session=(3, 6), engaged_seconds=(18.0, 0.5), scroll_reach=(0.55, 0.2), news_share=0.1,
        favourite_categories=1, sale_affinity=0.1, cart_add_rate=0.6, purchase_rate=0.75, clicks_per_page=1.5,
        hovers_per_list_page=0.8, video_rate=0.05, newsletter_rate=0.02,
        devices={"desktop": 0.5, "mobile": 0.45, "tablet": 0.05},
        referrers={"direct": 0.6, "newsletter": 0.3, "search": 0.1},
    ),
    Archetype(
        name="browse_only", weight=0.35, mean_days_between_sessions=9.0, max_sessions=2,
        pages_per_session=(1, 3), engaged_seconds=(7.0, 0.6), scroll_reach=(0.3, 0.15), news_share=0.5,
        favourite_categories=4, sale_affinity=0.15, cart_add_rate=0.0, purchase_rate=0.0, clicks_per_page=0.6,
        hovers_per_list_page=0.3, video_rate=0.0, newsletter_rate=0.0,
        devices={"desktop": 0.25, "mobile": 0.7, "tablet": 0.05},
        referrers={"social": 0.5, "search": 0.35, "direct": 0.15},
    ),
    Archetype(
        name="news_reader", weight=0.25, mean_days_between_sessions=1.5, max_sessions=15,
        pages_per_session=(3, 8), engaged_seconds=(110.0, 0.5), scroll_reach=(0.92, 0.08), news_share=0.95,
        favourite_categories=1, sale_affinity=0.05, cart_add_rate=0.02, purchase_rate=0.1, clicks_per_page=1.2,
        hovers_per_list_page=0.5, video_rate=0.5, newsletter_rate=0.08,
        devices={"desktop": 0.6, "mobile": 0.3, "tablet": 0.1},
        referrers={"direct": 0.5, "newsletter": 0.35, "search": 0.15},
    ),
)

USER_AGENTS = {
    "desktop": [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    ],
    "mobile": [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    ],
    "tablet": ["Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1"],
}
REFERRERS = {
    "search": "https://www.google.com/",
    "ads": "https://pricecompare.example/deals",
    "social": "https://social.example/feed",
    "newsletter": "https://mail.example/newsletter",
    "direct": "",
}
