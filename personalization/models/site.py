"""Sites: one tracked web property, its tracker key, its server write key and its origins."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone


def new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


def new_write_key() -> str:
    return "wk_" + secrets.token_urlsafe(32)


def write_key_digest(write_key: str) -> str:
    """Write keys are stored only as this digest; the key itself is shown once."""
    return hashlib.sha256(write_key.encode()).hexdigest()


class Site(models.Model):
    name = models.CharField(max_length=200, unique=True)
    public_key = models.CharField(
        max_length=40, unique=True, default=new_public_key, help_text="Put in the tracker's data-site attribute."
    )
    write_key_digest = models.CharField(max_length=64, unique=True, editable=False)
    write_key_prefix = models.CharField(max_length=12, editable=False, help_text="First characters of the write key.")
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text='Origins the tracker may send from, e.g. ["https://www.example.com"]. "*" allows any origin.',
    )
    goals = models.JSONField(
        default=list, blank=True, help_text="Event names that count as conversions, on top of the standard goals."
    )
    server_default_categories = models.JSONField(
        default=list,
        blank=True,
        help_text="Consent categories assumed for server-side events of visitors with no recorded consent "
        "and no consent object in the event. Empty: such events are not stored.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_write_key(self, write_key: str) -> None:
        self.write_key_digest = write_key_digest(write_key)
        self.write_key_prefix = write_key[:10]

