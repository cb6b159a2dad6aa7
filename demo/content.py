"""Deterministic demo content: news articles long enough to scroll, and a shop catalogue (pure)."""

import random
from decimal import Decimal

NEWS_CATEGORIES = {
    "world": "World",
    "technology": "Technology",
    "sport": "Sport",
    "culture": "Culture",
}
SHOP_CATEGORIES = {
    "shoes": "Shoes",
    "jackets": "Jackets",
    "bags": "Bags",
    "electronics": "Electronics",
}
TOPICS = {
    "world": ["harbour towns", "river deltas", "border trade", "mountain railways", "coastal elections", "island ferries"],
    "technology": ["solar batteries", "open-source maps", "quiet data centres", "repairable phones", "satellite broadband",
                   "heat pumps"],
    "sport": ["the cycling season", "women's football", "marathon training", "alpine skiing", "youth rowing",
              "chess clubs"],
    "culture": ["street theatre", "small publishers", "film restoration", "folk music", "city museums", "comic festivals"],
}
HEADLINES = [
    "What {topic} tell us about the next decade",
    "Inside the quiet revival of {topic}",
    "Five lessons from a year of {topic}",
    "Why {topic} matter more than ever",
    "The people behind {topic}",
    "A field guide to {topic}",
]
SECTION_HEADINGS = ["Where it started", "What changed", "The numbers", "Voices from the ground", "What comes next",
                    "How to take part"]
SENTENCES = [
    "Local organisers say the change came slowly at first and then all at once.",
    "Budgets were tight, yet the results surprised even the most careful observers.",
    "Many of those involved had never worked together before the first season.",
    "The figures published this spring show a steady rise over three consecutive years.",
    "Critics warn that the gains could fade without long-term investment.",
    "Volunteers describe long evenings, borrowed equipment and a lot of patience.",
    "Researchers compared the results with similar efforts in four other regions.",
    "For visitors, the difference is visible within minutes of arriving.",
    "The next phase depends on decisions that will be taken before the end of the year.",
    "Several smaller groups have already copied the approach in their own towns.",
    "Not everything worked, and the organisers are open about the failures.",
    "A public meeting is planned for next month to present the full report.",
]
PRODUCTS = {
    "shoes": ["Trail runner", "City sneaker", "Leather boot", "Canvas slip-on", "Hiking shoe", "Court classic",
              "Rain boot", "Suede loafer"],
    "jackets": ["Rain shell", "Down parka", "Denim jacket", "Fleece layer", "Wool overcoat", "Windbreaker",
                "Quilted vest", "Field jacket"],
    "bags": ["Weekend duffel", "Laptop backpack", "Canvas tote", "Messenger bag", "Hip pack", "Travel organiser",
             "Camera sling"],
    "electronics": ["Noise-cancelling headphones", "Wireless earbuds", "E-reader", "Smart speaker", "Action camera",
                    "Power bank", "Fitness watch"],
}
PRICE_RANGES = {"shoes": (39, 189), "jackets": (49, 349), "bags": (19, 159), "electronics": (29, 399)}


def articles(seed: int = 7) -> list[dict]:
    """About six articles per news category, each with six sections of several paragraphs."""
    rng = random.Random(seed)
    result = []
    for category in NEWS_CATEGORIES:
        for index, topic in enumerate(TOPICS[category]):
            title = HEADLINES[(index + len(category)) % len(HEADLINES)].format(topic=topic)
            sections = [
                {
                    "heading": heading,
                    "paragraphs": [" ".join(rng.sample(SENTENCES, 5)) for _ in range(rng.randint(3, 4))],
                }
                for heading in SECTION_HEADINGS
            ]
            result.append({
                "slug": f"{category}-{topic.replace(' ', '-').replace(chr(39), '')}",
                "title": title[0].upper() + title[1:],
                "category": category,
                "summary": f"A close look at {topic}: what changed, who made it happen and what comes next.",
                "body": sections,
                "has_video": category == "technology" and index == 0,
                "age_hours": index * 9 + len(category),
            })
    return result


def products(seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    result = []
    for category, names in PRODUCTS.items():
        low, high = PRICE_RANGES[category]
        for name in names:
            price = Decimal(rng.randint(low, high)) - Decimal("0.01")
            on_sale = rng.random() < 0.3
            result.append({
                "slug": name.lower().replace(" ", "-"),
                "name": name,
                "category": category,
                "description": f"The {name.lower()} is built to last, easy to care for and covered by a two-year warranty.",
                "price": price,
                "sale_price": (price * Decimal("0.75")).quantize(Decimal("0.01")) if on_sale else None,
            })
    return result
