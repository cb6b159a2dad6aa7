"""Stored events: one row per accepted event, unique per site by the event's UUID."""

from django.db import models

from .site import Site


class Event(models.Model):
    class Source(models.TextChoices):
        BROWSER = "browser", "Browser"
        SERVER = "server", "Server"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)  # indexes below start with it
    event_id = models.UUIDField()
    visitor_id = models.CharField(max_length=64)
    type = models.CharField(max_length=20)
    name = models.CharField(max_length=100, blank=True)
    ts = models.DateTimeField(help_text="When it happened, corrected for the client's clock skew.")
    received_at = models.DateTimeField()
    seq = models.IntegerField(default=0)
    url = models.CharField(max_length=2000, blank=True)
    path = models.CharField(max_length=2000, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    page_view_id = models.CharField(max_length=40, blank=True)
    category = models.CharField(max_length=100, blank=True, help_text="Content category of the page.")
    props = models.JSONField(default=dict, blank=True)
    dimensions = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.BROWSER)
    consent = models.CharField(max_length=200, help_text="Categories granted when the event was collected.")
    purpose = models.CharField(max_length=40, blank=True, default="", help_text=(
        "The consent category the event named besides its type's (e.g. marketing); withdrawing it erases the event."))
    device_type = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=2, blank=True)
    client_address = models.CharField(max_length=45, blank=True, help_text="Truncated, or empty.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "event_id"], name="event_unique_per_site")]
        indexes = [
            models.Index(fields=["site", "visitor_id", "ts"], name="event_visitor_time"),
            models.Index(fields=["site", "ts"], name="event_site_time"),
            models.Index(fields=["site", "type", "ts"], name="event_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type}:{self.name}" if self.name else self.type
