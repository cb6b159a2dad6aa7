"""Consent policy versions and the append-only record of every consent choice."""

from django.db import models
from django.utils import timezone


class ConsentPolicy(models.Model):
    """A published version of the consent policy. A material version asks every visitor again."""

    version = models.PositiveIntegerField(unique=True)
    material = models.BooleanField(
        default=True, help_text="A material change asks every visitor for consent again; a minor edit does not."
    )
    summary = models.CharField(max_length=300, help_text="What changed in this version, shown in the banner.")
    text = models.TextField(blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "consent policies"

    def __str__(self) -> str:
        return f"v{self.version}{' (material)' if self.material else ''}"


class ConsentRecord(models.Model):
    """Proof of one consent choice. Rows are only ever added, never changed."""

    class Source(models.TextChoices):
        BANNER = "banner", "Banner"
        SETTINGS_PAGE = "settings_page", "Settings page"
        GPC = "gpc", "Global Privacy Control"
        WITHDRAWAL = "withdrawal", "Withdrawal"
        SERVER = "server", "Server API"
        STAFF = "staff", "Staff"

    site_key = models.CharField(max_length=64, help_text="Public key of the site the choice was made on.")
    visitor_id = models.CharField(max_length=64, db_index=True)
    user_key = models.CharField(max_length=128, blank=True, db_index=True)
    granted = models.JSONField(default=list)
    denied = models.JSONField(default=list)
    policy_version = models.PositiveIntegerField()
    source = models.CharField(max_length=20, choices=Source.choices)
    language = models.CharField(max_length=16, blank=True)
    client_address = models.CharField(max_length=45, blank=True, help_text="Truncated, or empty.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site_key", "visitor_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.visitor_id} {self.source} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        # Integrity guard, not business logic: proof of consent must not be rewritten.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Consent records are append-only; record a new choice instead.")
        super().save(*args, **kwargs)


class ErasureLog(models.Model):
    """That an erasure happened, when, on whose request and how much went: never what or whose."""

    class Channel(models.TextChoices):
        PRIVACY_CENTER = "privacy_center", "Privacy center"
        WITHDRAWAL = "withdrawal", "Consent withdrawal"
        STAFF = "staff", "Staff (admin)"
        COMMAND = "command", "Management command"

    site_key = models.CharField(max_length=64)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    requested_by = models.CharField(max_length=150, blank=True, help_text="The staff user, for staff requests.")
    erased = models.JSONField(default=dict, help_text="Rows erased per kind of data.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("export_personal_data", "Can export a visitor's personal data"),
            ("erase_personal_data", "Can erase a visitor's personal data"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class ErasedSubject(models.Model):
    """A keyed digest of an erased visitor id, kept for a while so that events of theirs still in flight
    (read from the stream before the erasure, stored after it) are dropped rather than stored again."""

    site_key = models.CharField(max_length=64)
    digest = models.CharField(max_length=64, db_index=True)
    erased_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.digest[:12]
