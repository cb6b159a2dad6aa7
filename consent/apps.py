from django.apps import AppConfig


class ConsentConfig(AppConfig):
    """Consent categories, policy versions, consent records, privacy rights and retention."""

    name = "consent"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .models import ConsentRecord
        from .registry import PersonalDataHandler, personal_data_register
        from .services.rights import consent_records_anonymise, consent_records_export

        personal_data_register(PersonalDataHandler(
            name="consent_records", models=(ConsentRecord,), export=consent_records_export,
            erase=consent_records_anonymise, category="necessary",
        ))
        # After every app (their permissions are created in their own post_migrate): idempotent and cheap.
        post_migrate.connect(roles_after_migrate, dispatch_uid="attune-roles")


def roles_after_migrate(sender, **kwargs) -> None:
    from .roles import roles_sync

    roles_sync()
