from django.apps import AppConfig


class RulesConfig(AppConfig):
    """Personalization rules, content variants, experiments and their analytics."""

    name = "rules"

    def ready(self) -> None:
        from personalization.decisions import DecisionProvider, decision_provider_register

        from . import receivers  # noqa: F401 - forgets compiled rules when they change
        from .decisions import SOURCE, rules_decide

        decision_provider_register(DecisionProvider(name=SOURCE, decide=rules_decide))
