"""The demo's rules, ready after demo_setup: behaviour on the page, an abandoned cart and segments change what shows."""

from rules.models import ContentVariant, Funnel, Offer, Rule, RuleArm
from rules.services import rule_save

VARIANTS = {
    "Picked for you": ("product_sidebar", "<h2>Picked for you</h2><p>Still deciding? These go well with it.</p>"),
    "Click offer": ("offer_banner", "<p><strong>Looking for something?</strong> Here is a little help.</p>"),
    "Come back popup": ("popup", "<h2>You left something in your cart</h2>"
                                 "<p>It is still waiting for you, with a small thank-you for coming back.</p>"),
    "Loyalty welcome": ("home_hero", "<h1>Welcome back, valued customer</h1>"
                                     "<p>As one of our regulars, enjoy 15% off anything in the shop.</p>"),
    "More to read": ("article_recommendations", "<h2>Picked for readers like you</h2>"),
    "Loyalty welcome, warmer": ("home_hero", "<h1>Good to see you again</h1>"
                                             "<p>You are one of our favourite customers: 15% off, just for you.</p>"),
    "Click offer, shorter": ("offer_banner", "<p><strong>A little help?</strong></p>"),
}
OFFERS = {
    "Curious clicker": ("CLICK10", "10% off your order today."),
    "Cart comeback": ("COMEBACK5", "5% off when you finish your order."),
    "Loyalty": ("LOYAL15", "15% off, for our loyal customers."),
}
# (name, slot, action, variant, offer, priority, cap per week, conditions)
RULES = (
    ("Engaged on a product: related products", "product_sidebar", "recommendations", "Picked for you", None, 10,
     None, {"all": [{"field": "page_type", "op": "eq", "value": "product"},
                    {"field": "engaged_on_page", "op": "gt", "value": 180}]}),
    ("Many clicks: a discount", "offer_banner", "offer", "Click offer", "Curious clicker", 10, None,
     {"all": [{"field": "clicks_on_page", "op": "gt", "value": 5}]}),
    ("Cart abandoned: come-back popup", "popup", "popup", "Come back popup", "Cart comeback", 10, 1,
     {"all": [{"field": "cart_abandoned", "op": "eq", "value": True}]}),
    ("Loyal customers: loyalty offer", "home_hero", "offer", "Loyalty welcome", "Loyalty", 10, None,
     {"all": [{"field": "segments", "op": "includes", "value": "loyal-customers"}]}),
    ("News readers: articles to read", "article_recommendations", "recommendations", "More to read", None, 5, None,
     {"all": [{"field": "segments", "op": "includes", "value": "news-readers"}]}),
)


# Experiments: (rule name, split, the variant tested against the rule's own content, pause a clear loser)
EXPERIMENTS = (
    ("Loyal customers: loyalty offer", Rule.Split.BANDIT, "Loyalty welcome, warmer", False),
    ("Many clicks: a discount", Rule.Split.FIXED, "Click offer, shorter", True),
)


def demo_rules_ensure(site) -> None:
    """The demo's variants, offers and rules, created once (an editor's later changes are kept)."""
    variants = {name: ContentVariant.objects.get_or_create(site=site, name=name, defaults={"slot": slot, "html": html})[0]
                for name, (slot, html) in VARIANTS.items()}
    offers = {name: Offer.objects.get_or_create(site=site, name=name, defaults={"code": code, "text": text})[0]
              for name, (code, text) in OFFERS.items()}
    for name, slot, action, variant, offer, priority, cap, conditions in RULES:
        if Rule.objects.filter(site=site, name=name).exists():
            continue
        rule = Rule(site=site, name=name, slot=slot, action=action, variant=variants[variant],
                    offer=offers.get(offer), priority=priority, cap_count=cap, cap_period=Rule.CapPeriod.WEEK)
        rule_save(rule=rule, conditions=conditions)
        for experiment, split, variant_name, auto_pause in EXPERIMENTS:
            if experiment == name:
                Rule.objects.filter(pk=rule.pk).update(split=split, auto_pause=auto_pause)
                RuleArm.objects.create(rule=rule, variant=variants[variant_name])


FUNNELS = {
    "Shop: product to purchase": [{"label": "Product", "page_type": "product"}, {"label": "Cart", "page_type": "cart"},
                                  {"label": "Checkout", "page_type": "checkout"}, {"label": "Purchase", "event": "purchase"}],
    "News: home to article": [{"label": "Home", "page_type": "home"}, {"label": "Article", "page_type": "article"}],
}


def demo_funnels_ensure(site) -> None:
    """The demo's funnels, created once (an editor's later changes are kept)."""
    for name, steps in FUNNELS.items():
        Funnel.objects.get_or_create(site=site, name=name, defaults={"steps": steps})
