"""Signing webhook bodies the way Stripe does: HMAC-SHA256 over `timestamp.body` with the webhook's secret, sent as
`X-Attune-Signature: t=<unix seconds>,v1=<hex digest>`. Pure: the same code verifies in docs/webhooks.md's example."""

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-Attune-Signature"
DELIVERY_HEADER = "X-Attune-Delivery"
EVENT_HEADER = "X-Attune-Event"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix that makes a leaked secret recognisable, not a secret
DEFAULT_TOLERANCE_SECONDS = 300


def secret_new() -> str:
    """A fresh signing secret (256 random bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` keyed with `secret`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """The value of the signature header for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={signature(secret=secret, body=body, timestamp=timestamp)}"


def signature_valid(*, secret: str, body: bytes, header: str, tolerance: int = DEFAULT_TOLERANCE_SECONDS,
                    now: float | None = None) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` seconds of `now`, so that a delivery
    replayed later fails; any one v1 entry may match."""
    parts = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value for key, value in parts if key.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, body=body, timestamp=timestamp)
    return any(hmac.compare_digest(expected, value.strip()) for key, value in parts if key.strip() == "v1")

