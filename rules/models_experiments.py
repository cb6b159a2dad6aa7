"""How every rule measures itself: its further variants (arms), who was exposed to which arm and what they did,
daily counts per arm, what automation did to an arm, and where the counting job has read the events table to."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

CONTROL = "control"  # the arm held back: it sees the slot's default content
MAIN = "main"  # the rule's own content (its action)


class RuleArm(models.Model):
    """A further content variant a rule tests against its own content and its control group."""

    rule = models.ForeignKey("rules.Rule", on_delete=models.CASCADE, related_name="arms")
    variant = models.ForeignKey("rules.ContentVariant", on_delete=models.PROTECT, related_name="+")
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0)],
                               help_text="Its share of a fixed split, against the rule's own weight.")
    paused = models.BooleanField(default=False, help_text="A paused arm is shown to no one; its results are kept.")
    paused_reason = models.CharField(max_length=300, blank=True, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    resumed_by_editor = models.BooleanField(default=False, editable=False,
                                            help_text="An editor undid an automatic pause: automation leaves it be.")

    class Meta:
        ordering = ["pk"]
        verbose_name = "variant under test"

    def __str__(self) -> str:
        return f"{self.variant} (arm {self.key})"

    @property
    def key(self) -> str:
        return f"a{self.pk}"


class RuleExposure(models.Model):
    """One visitor's first exposure to a rule, the arm they saw, and whether they clicked and converted after it
    (once each: the statistics count visitors, not events)."""

    rule = models.ForeignKey("rules.Rule", on_delete=models.CASCADE, related_name="+", db_index=False)
    visitor_id = models.CharField(max_length=64)
    arm = models.CharField(max_length=12)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    impressions = models.PositiveIntegerField(default=1)
    clicked_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    goal = models.CharField(max_length=100, blank=True, help_text="The goal of the first conversion.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "visitor_id"], name="rule_exposure_unique")]
        indexes = [models.Index(fields=["visitor_id"], name="rule_exposure_visitor")]

    def __str__(self) -> str:
        return f"{self.visitor_id} saw rule {self.rule_id} ({self.arm})"


class RuleDay(models.Model):
    """One arm of one rule on one day (UTC): the impressions shown that day, and the visitors first exposed that day
    with how many of them clicked and converted (whenever they did: a day is a cohort, so a rate over any range
    compares the same visitors). Kept up to date by the counting job; dashboards read only these."""

    rule = models.ForeignKey("rules.Rule", on_delete=models.CASCADE, related_name="+", db_index=False)
    arm = models.CharField(max_length=12)
    day = models.DateField()
    impressions = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    conversions = models.PositiveIntegerField(default=0)
    share = models.FloatField(null=True, blank=True, help_text="The arm's planned share of traffic that day.")
    swap_ms = models.JSONField(default=list, blank=True, help_text="Counts of swapped content's delay after "
                                                                   "navigation, per bucket of rules.flicker.EDGES_MS.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "arm", "day"], name="rule_day_unique")]

    def __str__(self) -> str:
        return f"rule {self.rule_id} {self.arm} {self.day}"


class RuleAutomation(models.Model):
    """Something automation did to a rule's arm (a pause), why, and whether an editor undid it."""

    rule = models.ForeignKey("rules.Rule", on_delete=models.CASCADE, related_name="automations")
    arm = models.ForeignKey(RuleArm, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, default="paused")
    reason = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.action} {self.arm}"


class FeedbackCursor(models.Model):
    """Where the counting job has read the events table to (by id), and the highest id it saw a moment ago: ids are
    read only once they are SETTLE_SECONDS old, so a chunk still being committed with lower ids is not skipped."""

    name = models.CharField(max_length=40, unique=True)
    done_id = models.BigIntegerField(default=0)
    seen_id = models.BigIntegerField(default=0)
    seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.done_id}"


class RecommendationConcentration(models.Model):
    """How concentrated on few categories the recommendations of a sample of recently exposed visitors were, as the
    hourly check replayed them (rules/recommendation_checks.py): too much of the same shows here first."""

    site = models.ForeignKey("personalization.Site", on_delete=models.CASCADE, related_name="+")
    measured_at = models.DateTimeField(default=timezone.now)
    visitors = models.PositiveIntegerField(help_text="Visitors whose recommendations were replayed.")
    mean = models.FloatField(null=True, help_text="Mean Herfindahl index of a list's categories (1: one category).")
    single_category_share = models.FloatField(null=True, help_text="Share of visitors whose list was all one "
                                                                    "category.")
    explored_share = models.FloatField(null=True, help_text="Share of lists that explored another category.")

    class Meta:
        ordering = ["-measured_at"]
        indexes = [models.Index(fields=["site", "-measured_at"], name="concentration_site_time")]

    def __str__(self) -> str:
        return f"site {self.site_id} at {self.measured_at:%Y-%m-%d %H:%M}"
