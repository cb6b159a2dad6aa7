from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Consent categories, policy versions, consent records, privacy rights and retention."""

    name = "consent"
