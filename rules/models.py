"""Rules that fill a page's slots, the content variants and offers they show, and offers' redemptions."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from personalization.models import Site

from .assignment import CONTROL_SHARE
from .sanitize import html_clean

SLOT_NAME = RegexValidator(r"^[a-z][a-z0-9_]{0,63}$", "A slot name is lowercase letters, digits and _ (home_hero).")


class ContentVariant(models.Model):
    """Markup a rule shows in a slot; its HTML is cleaned (an allow-list) when saved and again when shown."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    slot = models.CharField(max_length=64, blank=True, validators=[SLOT_NAME],
                            help_text="The slot it is written for (optional; a note for editors).")
    html = models.TextField(help_text="HTML; scripts, event handlers and styles are removed.")
    image_url = models.URLField(blank=True, help_text="An image shown above the content (https://...).")
    image_data = models.TextField(blank=True, editable=False, help_text="An uploaded image, as a data: URL.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.html = html_clean(self.html)  # the stored copy is clean too: exports and other readers get it safe
        super().save(*args, **kwargs)


class Offer(models.Model):
    """A discount code with its own limits: expiry, a total number of redemptions, once per visitor."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    text = models.CharField(max_length=300, help_text="Shown with the code, as plain text: '10% off your next order'.")
    code = models.CharField(max_length=40, validators=[RegexValidator(r"^[A-Za-z0-9_-]+$",
                            "A code is letters, digits, - and _.")])
    single_use_per_visitor = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    total_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    redeemed = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.name

    def available(self, *, now) -> bool:
        """Whether anyone may still be shown the offer (not expired, not used up)."""
        if self.expires_at is not None and self.expires_at <= now:
            return False
        return self.total_limit is None or self.redeemed < self.total_limit


class OfferRedemption(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="redemptions")
    visitor_id = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offer", "visitor_id"], name="offer_redemption_unique")]

    def __str__(self) -> str:
        return f"{self.offer_id} used by {self.visitor_id}"


class Rule(models.Model):
    """When to show what in a slot: conditions (segments' condition language), an action, a window and a cap."""

    class Action(models.TextChoices):
        VARIANT = "variant", "Show a content variant"
        POPUP = "popup", "Open a popup"
        RECOMMENDATIONS = "recommendations", "Show recommendations"
        OFFER = "offer", "Show an offer"

    class CapPeriod(models.TextChoices):
        SESSION = "session", "per session"
        WEEK = "week", "per week"

    class Combine(models.TextChoices):
        ALL = "all", "all rows hold"
        ANY = "any", "any row holds"

    class Split(models.TextChoices):
        FIXED = "fixed", "fixed split (A/B/n)"
        BANDIT = "bandit", "bandit (Thompson sampling)"

    class Metric(models.TextChoices):
        CLICK = "click", "clicks on its content"
        CONVERSION = "conversion", "conversions (the site's goals)"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    slot = models.CharField(max_length=64, validators=[SLOT_NAME], help_text="Where it shows: home_hero, popup...")
    combine = models.CharField(max_length=3, choices=Combine.choices, default=Combine.ALL)
    conditions = models.JSONField(default=dict, editable=False, help_text="Built from the condition rows.")
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.VARIANT)
    variant = models.ForeignKey(ContentVariant, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="rules", help_text="The content shown (a popup's body, a heading).")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="rules")
    recommendations = models.PositiveSmallIntegerField(default=4, validators=[MinValueValidator(1)],
                                                       help_text="How many related items to show.")
    priority = models.IntegerField(default=0, help_text="Higher goes first when several rules match a slot.")
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    cap_count = models.PositiveSmallIntegerField(null=True, blank=True,
                                                 help_text="Show at most this many times (empty: no cap)...")
    cap_period = models.CharField(max_length=10, choices=CapPeriod.choices, default=CapPeriod.SESSION,
                                  help_text="...per session or per week, per visitor.")
    control_share = models.FloatField(default=CONTROL_SHARE, validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
                                      help_text="Visitors held back who see the default content (0.1 = 10 %), "
                                                "so the lift over doing nothing is known.")
    split = models.CharField(max_length=10, choices=Split.choices, default=Split.FIXED)
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0)],
                               help_text="The rule's own content's share of a fixed split, against its variants.")
    metric = models.CharField("judged on", max_length=12, choices=Metric.choices, default=Metric.CLICK)
    extra_goals = models.JSONField(default=list, blank=True,
                                   help_text="Event names that count as conversions of this rule, on top of the "
                                             "site's goals (add to cart, purchase, form submit...).")
    attribution_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)],
                                                        help_text="A conversion counts this many days after the "
                                                                  "visitor first saw the rule.")
    min_sample = models.PositiveIntegerField(default=200, validators=[MinValueValidator(10)],
                                             help_text="Visitors each arm needs before a winner or loser is called.")
    auto_pause = models.BooleanField(default=False, help_text="Pause a variant that is clearly losing against the "
                                                              "control once it has its minimum sample.")
    allocation = models.JSONField(default=dict, blank=True, editable=False,
                                  help_text="The bandit's current traffic shares per arm.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "-priority", "pk"]
        indexes = [models.Index(fields=["site", "enabled"], name="rule_site_enabled")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        goals = self.extra_goals
        if not isinstance(goals, list) or not all(isinstance(goal, str) and goal for goal in goals):
            raise ValidationError({"extra_goals": 'Give a list of event names, as ["newsletter_signup"], or [] for '
                                                  "none."})


class ConditionRow(models.Model):
    """One row of a rule's conditions as the editor wrote it; the rule's `conditions` JSON is built from these."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="rows")
    position = models.PositiveSmallIntegerField(default=0)
    negate = models.BooleanField(default=False, help_text="Not: the row must not hold.")
    field = models.CharField(max_length=64)
    op = models.CharField("operator", max_length=20)
    key = models.CharField(max_length=100, blank=True, help_text="For a per-key number: the key (a category).")
    value = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value}"


class ItemNeighbours(models.Model):
    """What the hourly job found for one item (or one kind of page) of a site: the items viewed in the same sessions,
    the items opened right after it, and its popularity. Rebuilt whole for a site at each run."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)  # indexes start with it
    item = models.CharField(max_length=200, help_text="The page's product id (attune:product-id), else its path; "
                                                      "'type:<page type>' for pages that are no item (home, cart).")
    path = models.CharField(max_length=500, blank=True, help_text="Where the item was last seen.")
    page_type = models.CharField(max_length=20, blank=True)
    category = models.CharField(max_length=100, blank=True, help_text="Content category of its page.")
    sessions = models.PositiveIntegerField(default=0, help_text="Sessions it was viewed in (its popularity).")
    related = models.JSONField(default=list, help_text="[[item, score], ...]: viewed in the same sessions, best first.")
    following = models.JSONField(default=list, help_text="[[item, probability], ...]: opened right after it.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "item"], name="neighbours_unique_item")]
        indexes = [
            models.Index(fields=["site", "path"], name="neighbours_path"),
            models.Index(fields=["site", "page_type", "category", "-sessions"], name="neighbours_popular"),
        ]
        verbose_name_plural = "item neighbours"

    def __str__(self) -> str:
        return self.item


from .models_experiments import (  # noqa: E402, F401 - kept in their own module, found here
    CONTROL,
    MAIN,
    FeedbackCursor,
    RecommendationConcentration,
    RuleArm,
    RuleAutomation,
    RuleDay,
    RuleExposure,
)
from .models_insight import Finding, Funnel, InsightReport  # noqa: E402, F401 - kept in their own module, found here
