from django.apps import AppConfig


class PersonalizationConfig(AppConfig):
    """Sites, the collector, ingestion, sessions, visitor profiles and server-side tracking."""

    name = "personalization"

    def ready(self) -> None:
        from consent.registry import RetentionHandler, default_site_key_register, retention_register

        from .services.retention import events_purge_expired
        from .templatetags.attune import default_site_key

        retention_register(RetentionHandler(name="events", category="analytics", purge=events_purge_expired))
        default_site_key_register(default_site_key)
