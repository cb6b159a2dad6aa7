"""Outbound webhooks: who is told when people enter or leave segments, and the log of each delivery."""

import uuid

from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

from personalization.models import Profile, Site

from .models import Segment
from .webhook_signing import secret_new


class Webhook(models.Model):
    """A URL (a CRM, an ad platform) told, in signed JSON, when people enter or leave some or all of a site's
    segments."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000, validators=[URLValidator(schemes=["https", "http"])],
                          help_text="Receives a POST of JSON per person and change; use https outside tests.")
    secret = models.CharField(max_length=100, default=secret_new, editable=False,
                              help_text="Signs each delivery; shown once, when the webhook is created.")
    segments = models.ManyToManyField(Segment, blank=True, related_name="webhooks",
                                      help_text="Empty: every segment of the site.")
    on_enter = models.BooleanField(default=True, help_text="Send when a person enters a segment.")
    on_leave = models.BooleanField(default=True, help_text="Send when a person leaves a segment.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="webhook_name_unique")]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One person's entry into or exit from a segment, sent to one webhook: pending until delivered or failed."""

    class Event(models.TextChoices):
        ENTERED = "segment.entered", "Entered"
        LEFT = "segment.left", "Left"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                           help_text="Sent as X-Attune-Delivery so that receivers drop duplicates.")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Event.choices)
    payload = models.JSONField(help_text="The body sent: pseudonymous visitor ids and user key, never raw data.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now,
                                           help_text="When it is sent (again); empty once delivered or failed.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="webhook_delivery_due"),
            models.Index(fields=["created_at"], name="webhook_delivery_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display().lower()} {self.segment_id} for profile {self.profile_id} to {self.webhook}"
