"""Behavioural insight: funnels that editors define, findings (peaks, drop-offs, broken tracking, drift) and the
reports that long computations write."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from personalization.models import Site

STEPS_HELP = (
    "A list of 2 to 10 steps, in order. Each step has a label and one of: page_type (a page view of that type), "
    "path (a page view of that address; end it with * for every address starting so) or event (an action by name, "
    'such as purchase). Example: [{"label": "Product", "page_type": "product"}, {"label": "Cart", "page_type": '
    '"cart"}, {"label": "Checkout", "page_type": "checkout"}, {"label": "Purchase", "event": "purchase"}]')


class Funnel(models.Model):
    """Steps a visitor takes in order within a session; insight counts who reaches each and who leaves."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    steps = models.JSONField(default=list, help_text=STEPS_HELP)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="funnel_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .insight.paths import funnel_steps_read

        try:
            funnel_steps_read(self.steps)
        except ValueError as error:
            raise ValidationError({"steps": str(error)}) from None


class Finding(models.Model):
    """Something unusual on one day: what it concerns (a page, a funnel step, an event type, a refusal reason or a
    clustering), the value seen against the usual, and how unusual it is. One per site, kind, key and day, so
    detecting again updates it rather than adding another."""

    class Kind(models.TextChoices):
        SPIKE = "spike", "Peak"
        DROPOFF = "dropoff", "Funnel drop-off"
        STOPPED = "stopped", "Event type stopped"
        DROP = "drop", "Fewer events"
        REFUSALS = "refusals", "More refused events"
        DRIFT = "drift", "Segment drift"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=500, help_text="The page, funnel step, event type, refusal reason or "
                                                     "clustering it concerns.")
    day = models.DateField(help_text="The day (UTC) it happened.")
    hour = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The hour (UTC) a peak was seen, when "
                                                                             "it was found within the day.")
    value = models.FloatField(help_text="What was seen.")
    baseline = models.FloatField(help_text="What is usual (or the threshold crossed).")
    score = models.FloatField(help_text="How unusual: robust z-score, z-test statistic or share moved.")
    description = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "kind", "key", "day"], name="finding_unique_day")]
        indexes = [models.Index(fields=["site", "-day"], name="finding_site_day")]
        ordering = ["-day", "kind", "key"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}: {self.key}"


class InsightReport(models.Model):
    """Paths, funnels, cohorts and engagement over a date range (optionally one segment's visitors), built by a
    background task that reports its stage and progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=100, blank=True, help_text="What the build is doing now.")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    params = models.JSONField(default=dict, help_text='{"since": "YYYY-MM-DD", "until": "YYYY-MM-DD" (inclusive), '
                                                      '"segment": a segment slug or ""}')
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        since, until = self.params.get("since", "?"), self.params.get("until", "?")
        segment = self.params.get("segment")
        return f"report {self.pk}: {since} to {until}" + (f", segment {segment}" if segment else "")
