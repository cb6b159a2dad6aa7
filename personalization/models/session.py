"""Sessions: a visitor's events with no gap longer than the session timeout, in event time."""

from django.db import models

from .site import Site
from .visitor import Profile


class Session(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)  # indexes below start with it
    visitor_id = models.CharField(max_length=64)
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="session_rows")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(help_text="Time of the session's last event.")
    events = models.PositiveIntegerField(default=0)
    pageviews = models.PositiveIntegerField(default=0)
    engaged_ms = models.BigIntegerField(default=0)
    scroll_max = models.PositiveSmallIntegerField(default=0)
    entry_path = models.CharField(max_length=2000, blank=True)
    entry_at = models.DateTimeField(null=True, blank=True)
    entry_channel = models.CharField(max_length=10, blank=True, help_text="Acquisition channel of the first page view.")
    entry_page_type = models.CharField(max_length=20, blank=True, help_text="Page type of the first page view.")
    exit_path = models.CharField(max_length=2000, blank=True)
    exit_at = models.DateTimeField(null=True, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    device_type = models.CharField(max_length=10, blank=True)
    conversions = models.PositiveIntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)
    purchased = models.BooleanField(default=False)
    cart_changes = models.PositiveIntegerField(default=0, help_text="Items added to or removed from the cart.")
    pages = models.JSONField(default=dict, help_text="Per page view: [highest engaged ms, deepest scroll %, category, "
                             "lowest engaged ms, 1 if it began in this session].")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When the session was decided to have ended.")
    abandoned = models.BooleanField(
        default=False, help_text="Changed the cart and ended with items in it, decided when the session closed.")

    class Meta:
        # Neither index holds ended_at or the counters, which change with nearly every batch: on PostgreSQL
        # (fillfactor 70) those updates are HOT, with no index writes at all.
        indexes = [
            models.Index(fields=["site", "visitor_id", "started_at"], name="session_visitor_start"),
            models.Index(fields=["started_at"], name="session_open", condition=models.Q(closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_id} {self.started_at:%Y-%m-%d %H:%M}"
