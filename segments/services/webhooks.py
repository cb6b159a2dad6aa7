"""Webhook configuration: its signing secret."""

from ..models_webhooks import Webhook
from ..webhook_signing import secret_new


def webhook_secret_rotate(*, webhook: Webhook) -> str:
    """Give `webhook` a new signing secret and return it (the only time it is shown); the old one stops at once."""
    webhook.secret = secret_new()
    webhook.save(update_fields=["secret"])
    return webhook.secret
