from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    """Feature engineering, clustering runs and segments (built on personalization's profiles)."""

    name = "segments"

    def ready(self) -> None:
        from consent.registry import PersonalDataHandler, RetentionHandler, personal_data_register, retention_register
        from personalization.stamps import event_stamp_register

        from . import admin_webhooks, models, receivers, receivers_webhooks  # noqa: F401 - they register on import
        from .selectors import segment_stamps
        from .services.personal_data import (
            memberships_erase,
            memberships_export,
            webhook_deliveries_erase,
            webhook_deliveries_export,
            webhook_deliveries_purge,
        )
        from .services.webhooks_queue import WEBHOOK_CONSENT

        personal_data_register(PersonalDataHandler(
            name="segments", models=(models.Membership, models.MembershipChange), export=memberships_export,
            erase=memberships_erase, category="personalization"))
        # Deliveries exist only for people who allowed marketing: withdrawing it erases them, pending ones included.
        personal_data_register(PersonalDataHandler(
            name="segment_webhooks", models=(models.WebhookDelivery,), export=webhook_deliveries_export,
            erase=webhook_deliveries_erase, category=WEBHOOK_CONSENT))
        retention_register(RetentionHandler(name="segment_webhooks", category=WEBHOOK_CONSENT,
                                            purge=webhook_deliveries_purge))
        event_stamp_register(segment_stamps)
