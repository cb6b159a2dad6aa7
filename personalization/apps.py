from django.apps import AppConfig


class PersonalizationConfig(AppConfig):
    """Sites, the collector, ingestion, sessions, visitor profiles and server-side tracking."""

    name = "personalization"

    def ready(self) -> None:
        from consent.registry import RetentionHandler, retention_register

        from .services.retention import events_purge_expired

        retention_register(RetentionHandler(name="events", category="analytics", purge=events_purge_expired))
