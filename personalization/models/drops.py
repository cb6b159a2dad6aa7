"""What the collector did not store, and why: per-reason counters and the failed-events table."""

from django.db import models
from django.utils import timezone

from .site import Site


class DropReason(models.TextChoices):
    INVALID = "invalid", "Invalid"
    NO_CONSENT = "no_consent", "No consent"
    BOT = "bot", "Bot"
    RATE_LIMITED = "rate_limited", "Rate limited"
    UNKNOWN_ORIGIN = "unknown_origin", "Unknown origin"
    UNKNOWN_SITE = "unknown_site", "Unknown site"
    DUPLICATE = "duplicate", "Duplicate"
    LOST_ON_DEVICE = "lost_on_device", "Lost on the device (tracker outbox full)"
    ERASED = "erased", "Visitor erased before storage"
    UNVERIFIED_USER = "unverified_user", "User id without the site backend's proof"
    UNSTORED = "unstored", "Accepted, not stored yet (kept whole: manage.py dead_letters_replay)"


class DropCounter(models.Model):
    """Events not stored, per site, reason and day. `site_key` covers keys that match no site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    site_key = models.CharField(max_length=64)
    reason = models.CharField(max_length=20, choices=DropReason.choices)
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site_key", "reason", "day"], name="drop_counter_unique")]
        ordering = ["-day", "site_key", "reason"]

    def __str__(self) -> str:
        return f"{self.site_key} {self.reason} {self.day}: {self.count}"


class FailedEvent(models.Model):
    """A rejected event (or body), kept for a short time so its sender can see why."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    site_key = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=20, choices=DropReason.choices)
    detail = models.CharField(max_length=500)
    event_index = models.IntegerField(null=True, blank=True, help_text="Position in its batch; empty for a whole body.")
    event_id = models.CharField(max_length=64, blank=True)
    visitor_id = models.CharField(max_length=64, blank=True)
    payload = models.TextField(blank=True, help_text="The rejected input, cut to 8 KB.")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"
