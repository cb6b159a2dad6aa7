from django.apps import AppConfig


class PersonalizationConfig(AppConfig):
    """Sites, the collector, ingestion, sessions, visitor profiles and server-side tracking."""

    name = "personalization"

    def ready(self) -> None:
        from consent.registry import (
            PersonalDataHandler,
            RetentionHandler,
            default_site_key_register,
            personal_data_register,
            retention_register,
            subject_resolver_register,
            user_key_provider_register,
            visitor_user_key_register,
        )

        from . import checks, models  # noqa: F401 - checks registers the system checks
        from .services import personal_data as data
        from .services.retention import events_purge_expired
        from .services.users import user_key_for
        from .templatetags.attune import default_site_key

        retention_register(RetentionHandler(name="events", category="analytics", purge=events_purge_expired))
        default_site_key_register(default_site_key)
        subject_resolver_register(data.subject_with_devices)
        user_key_provider_register(user_key_for)
        visitor_user_key_register(data.visitor_user_key)
        personal_data_register(PersonalDataHandler(
            name="tracking", models=(models.Event, models.Session, models.Profile, models.Visitor, models.FailedEvent),
            export=data.stored_export, erase=data.stored_erase, erase_purposes=data.purposes_erase,
        ))
        personal_data_register(PersonalDataHandler(name="stream", models=(), export=data.stream_export,
                                                   erase=data.stream_erase))
