"""personalization's migrations: a fresh install and a database upgraded from either 0001_initial that shipped end with
the same schema, and the migrations describe the models as they are."""

import io
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from ..services import service_missing

SHIPPED = "tests.personalization.old_migrations"

# manage.py with personalization's migrations as they shipped: MIGRATION_MODULES pointed at a copy of them.
MIGRATE_WITH_SHIPPED = (
    "import sys\n"
    "from django.conf import settings\n"
    "from django.core.management import execute_from_command_line\n"
    "settings.MIGRATION_MODULES = {'personalization': sys.argv.pop(1)}\n"
    "execute_from_command_line(sys.argv)\n"
)

# What a schema is made of. Column order is left out: a column added by a later migration comes last.
SCHEMA = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
               pg_get_expr(d.adbin, d.adrelid)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public'""",
    "storage": """
        SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'""",
}


def server_connect(database: str):
    import psycopg

    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"] or "postgres",
                           password=db["PASSWORD"] or None, dbname=database, autocommit=True)


def database_url(database: str) -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (f"postgres://{quote(db['USER'] or 'postgres', safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{database}")


@pytest.fixture(scope="module")
def scratch_databases():
    """Makes `count` empty databases with unique names on the test server; drops them when the module's tests end."""
    if connection.vendor != "postgresql":
        pytest.skip("compares PostgreSQL catalogs (CI's first pass); the SQLite pass has no server to make them on")
    import psycopg

    try:
        server = server_connect("postgres")
    except psycopg.OperationalError:
        service_missing(f"PostgreSQL at {connection.settings_dict['HOST'] or '127.0.0.1'}")
    made = []

    def make(count: int) -> list[str]:
        for _ in range(count):
            made.append(f"attune_migrations_{uuid.uuid4().hex[:12]}")
            server.execute(f"CREATE DATABASE {made[-1]}")
            # Scratch databases: a migration's commit need not wait for the disk.
            server.execute(f"ALTER DATABASE {made[-1]} SET synchronous_commit = off")
        return made[-count:]

    yield make
    for name in made:
        server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    server.close()


def manage(runs: dict[str, str], *args: str) -> None:
    """Runs manage.py against each database of `runs` at once, in processes of its own as an operator would, with
    the migrations of personalization as they shipped ("original" or "edited") or as they are ("")."""
    processes = {}
    for database, shipped in runs.items():
        command = [sys.executable, "-c", MIGRATE_WITH_SHIPPED, f"{SHIPPED}.{shipped}"] if shipped else [
            sys.executable, "manage.py"]
        env = {**os.environ, "DATABASE_URL": database_url(database), "DJANGO_SETTINGS_MODULE": "config.settings",
               "DEBUG": "1"}
        processes[database] = subprocess.Popen([*command, *args], env=env, cwd=settings.BASE_DIR, text=True,
                                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for database, process in processes.items():
        output = process.communicate()[0]
        assert process.returncode == 0, f"manage.py {' '.join(args)} ({runs[database] or 'current'}):\n{output}"


def schema(database: str) -> dict[str, list[tuple]]:
    with server_connect(database) as db:
        return {part: sorted(tuple(map(str, row)) for row in db.execute(query)) for part, query in SCHEMA.items()}


def applied(database: str) -> set[str]:
    with server_connect(database) as db:
        return {name for (name,) in db.execute("SELECT name FROM django_migrations WHERE app = 'personalization'")}


@pytest.fixture(scope="module")
def databases(scratch_databases):
    """A fresh install, and a database migrated with each shipped 0001_initial before and after `migrate` now."""
    fresh, original, edited = scratch_databases(3)
    manage({fresh: "", original: "original", edited: "edited"}, "migrate", "--noinput", "--skip-checks", "-v0")
    before = {"original": schema(original), "edited": schema(edited)}
    manage({original: "", edited: ""}, "migrate", "--noinput", "--skip-checks", "-v0")
    return {"fresh": fresh, "original": original, "edited": edited, "before": before}


@pytest.mark.postgres
@pytest.mark.parametrize("shipped", ["original", "edited"])
def test_a_database_migrated_with_either_shipped_0001_upgrades_to_the_schema_of_a_fresh_install(shipped, databases):
    """Databases migrated before 4806eaf edited 0001_initial in place ("original") kept an index on site_id in four
    tables and two other session indexes; those migrated after it ("edited") match a fresh install already."""
    upgraded, fresh = schema(databases[shipped]), schema(databases["fresh"])
    for part in SCHEMA:
        assert upgraded[part] == fresh[part], part
    assert ("personalization_profile", "['fillfactor=70']") in upgraded["storage"]
    assert (databases["before"][shipped]["indexes"] != upgraded["indexes"]) == (shipped == "original")
    # Nothing is left to apply: the squash counts as applied where the six it replaces were.
    assert applied(databases[shipped]) == applied(databases["fresh"])
    assert {"0001_squashed_0006_unstored_reason", "0007_indexes_as_fresh_install"} <= applied(databases[shipped])


@pytest.mark.django_db
def test_the_migrations_describe_the_models_as_they_are():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)  # SystemExit(1) on a change
    assert "No changes detected" in out.getvalue()
