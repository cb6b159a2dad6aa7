from django.apps import AppConfig


class RulesConfig(AppConfig):
    """Personalization rules, content variants, experiments and their analytics."""

    name = "rules"
