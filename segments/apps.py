from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    """Feature engineering, clustering runs and segments (built on personalization's profiles)."""

    name = "segments"

    def ready(self) -> None:
        from consent.registry import PersonalDataHandler, personal_data_register

        from . import models, receivers  # noqa: F401 - receivers connect on import
        from .services.personal_data import memberships_erase, memberships_export

        personal_data_register(PersonalDataHandler(
            name="segments", models=(models.Membership, models.MembershipChange), export=memberships_export,
            erase=memberships_erase, category="personalization"))
