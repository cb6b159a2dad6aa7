"""PostgreSQL only: leave room in profile and session pages, so that the drain's frequent updates of
these rows are HOT updates (no index writes)."""

from django.db import migrations

TABLES = ["personalization_profile", "personalization_session", "personalization_visitor"]


def fillfactor_set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("personalization", "0001_initial")]
    operations = [migrations.RunPython(fillfactor_set, fillfactor_reset)]
