from django.apps import AppConfig


class RulesConfig(AppConfig):
    """Personalization rules, content variants, experiments and their analytics."""

    name = "rules"

    def ready(self) -> None:
        from consent.registry import PersonalDataHandler, RetentionHandler, personal_data_register, retention_register
        from personalization.decisions import DecisionProvider, decision_provider_register

        from . import models, receivers  # noqa: F401 - receivers forget compiled rules when they change
        from .decisions import SOURCE, rules_decide
        from .personal_data import (
            exposures_erase,
            exposures_export,
            exposures_purge,
            redemptions_erase,
            redemptions_export,
            visitor_values_erase,
        )

        decision_provider_register(DecisionProvider(name=SOURCE, decide=rules_decide))
        personal_data_register(PersonalDataHandler(
            name="offer_redemptions", models=(models.OfferRedemption,), export=redemptions_export,
            erase=redemptions_erase, category="personalization"))
        personal_data_register(PersonalDataHandler(
            name="rule_exposures", models=(models.RuleExposure,), export=exposures_export, erase=exposures_erase,
            category="personalization"))
        retention_register(RetentionHandler(name="rule_exposures", category="personalization", purge=exposures_purge))
        personal_data_register(PersonalDataHandler(
            name="rule_visitor_values", models=(), export=lambda subject: {}, erase=visitor_values_erase,
            category="personalization"))
