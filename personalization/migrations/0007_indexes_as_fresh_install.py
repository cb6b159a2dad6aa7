"""Gives databases made with 0001_initial as it first shipped (c93668e) the indexes of a fresh install.

4806eaf rewrote 0001_initial in place, and Django never reruns an applied migration, so databases migrated before
that edit kept the first file's indexes: one on site_id alone in profile, event, visitor and session (the edited
file has db_index=False, as the indexes and unique constraints that begin with site_id serve those lookups),
session_visitor_end on (site_id, visitor_id, ended_at) instead of session_visitor_start, and session_open on
(closed_at, ended_at) instead of a partial index on started_at of open sessions. This looks at what exists and
changes only what differs, so it does nothing on any other database; it is not undone on the way back."""

from django.core.management import CommandError
from django.db import migrations, models

SITE_INDEXED_BY_COMPOSITES = ["Profile", "Event", "Visitor", "Session"]
PARTLY_MIGRATED = (
    "This database applied some of personalization's migrations 0001_initial to 0006_unstored_reason, not all. They "
    "are one migration now, which Django uses only where all or none of them were applied. Apply the rest with the "
    "code before the squash first (the parent of the commit that `git log --diff-filter=D -1 -- "
    "personalization/migrations/0006_unstored_reason.py` shows): `python manage.py migrate personalization "
    "0006_unstored_reason`; then run `python manage.py migrate` with this code again (docs/deployment.md, Upgrading)."
)
OBSOLETE_SESSION_INDEXES = [models.Index(fields=["site", "visitor_id", "ended_at"], name="session_visitor_end")]


def site_indexes_drop(apps, schema_editor, cursor):
    for model_name in SITE_INDEXED_BY_COMPOSITES:
        model = apps.get_model("personalization", model_name)
        table = model._meta.db_table
        existing = schema_editor.connection.introspection.get_constraints(cursor, table)
        # The name Django gave the index of a ForeignKey with db_index=True, as 0001_initial first made it.
        name = schema_editor._create_index_name(table, ["site_id"], suffix="")
        if name in existing and existing[name]["index"] and existing[name]["columns"] == ["site_id"]:
            schema_editor.remove_index(model, models.Index(fields=["site"], name=name))


def session_indexes_align(apps, schema_editor, cursor):
    session = apps.get_model("personalization", "Session")
    existing = schema_editor.connection.introspection.get_constraints(cursor, session._meta.db_table)
    for index in OBSOLETE_SESSION_INDEXES:
        if index.name in existing:
            schema_editor.remove_index(session, index)
    for index in session._meta.indexes:
        columns = [session._meta.get_field(field).column for field in index.fields]
        if index.name in existing and existing[index.name]["columns"] != columns:
            schema_editor.remove_index(session, index)
            del existing[index.name]
        if index.name not in existing:
            schema_editor.add_index(session, index)


def indexes_align(apps, schema_editor):
    if "personalization" not in apps.app_configs:  # Django left the squash out and 0006 is gone: see PARTLY_MIGRATED
        raise CommandError(PARTLY_MIGRATED)
    with schema_editor.connection.cursor() as cursor:
        site_indexes_drop(apps, schema_editor, cursor)
        session_indexes_align(apps, schema_editor, cursor)


class Migration(migrations.Migration):
    dependencies = [("personalization", "0001_squashed_0006_unstored_reason")]
    operations = [migrations.RunPython(indexes_align, migrations.RunPython.noop)]
