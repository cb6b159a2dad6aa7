"""personalization's migrations: a fresh install and a database upgraded from either 0001_initial that shipped end with
the same schema, on the database the suite runs on; and the migrations describe the models as they are."""

import io
import os
import sqlite3
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

# manage.py with personalization's migrations as they shipped: MIGRATION_MODULES pointed at a copy of them, and the
# apps that came later (whose migrations depend on personalization's newer ones) left out, as they were then.
MIGRATE_WITH_SHIPPED = (
    "import sys\n"
    "from django.conf import settings\n"
    "from django.core.management import execute_from_command_line\n"
    "settings.MIGRATION_MODULES = {'personalization': sys.argv.pop(1), 'segments': None, 'rules': None}\n"
    "execute_from_command_line(sys.argv)\n"
)
MIGRATE = ("migrate", "--noinput", "--skip-checks", "-v0")

# What a schema is made of. Column order is left out: a column added by a later migration comes last.
POSTGRESQL_SCHEMA = {
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
# SQLite keeps CHECK constraints only in each table's CREATE statement, whose column order differs: left out.
SQLITE_SCHEMA = {
    "columns": """
        SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk
        FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'""",
    "indexes": """
        SELECT m.name, i."unique", i.origin, i.partial, CASE i.origin WHEN 'c' THEN i.name END,
               (SELECT group_concat(name) FROM (SELECT name FROM pragma_index_info(i.name) ORDER BY seqno)),
               (SELECT sql FROM sqlite_master WHERE name = i.name)
        FROM sqlite_master m, pragma_index_list(m.name) i WHERE m.type = 'table'""",
    "foreign keys": """
        SELECT m.name, f."from", f."table", f."to", f.on_delete, f.on_update
        FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'""",
}


class PostgreSQLScratch:
    """Empty databases with unique names on the test server, dropped by close()."""

    schema = POSTGRESQL_SCHEMA

    def __init__(self):
        import psycopg

        self.made = []
        try:
            self.server = self.connect("postgres")
        except psycopg.OperationalError:
            service_missing(f"PostgreSQL at {connection.settings_dict['HOST'] or '127.0.0.1'}")

    def connect(self, database: str):
        import psycopg

        db = connection.settings_dict
        return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                               user=db["USER"] or "postgres", password=db["PASSWORD"] or None, dbname=database,
                               autocommit=True)

    def make(self) -> str:
        self.made.append(f"attune_migrations_{uuid.uuid4().hex[:12]}")
        self.server.execute(f"CREATE DATABASE {self.made[-1]}")
        # Scratch databases: a migration's commit need not wait for the disk.
        self.server.execute(f"ALTER DATABASE {self.made[-1]} SET synchronous_commit = off")
        return self.made[-1]

    def url(self, database: str) -> str:
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        return (f"postgres://{quote(db['USER'] or 'postgres', safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{database}")

    def rows(self, database: str, query: str) -> list[tuple]:
        with self.connect(database) as db:
            cursor = db.execute(query)
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        for name in self.made:
            self.server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.server.close()


class SQLiteScratch:
    """Database files in a temporary folder, which pytest removes."""

    schema = SQLITE_SCHEMA

    def __init__(self, folder):
        self.folder = folder

    def make(self) -> str:
        return str(self.folder / f"{uuid.uuid4().hex[:12]}.sqlite3")

    def url(self, database: str) -> str:
        return f"sqlite:///{database}"

    def rows(self, database: str, query: str) -> list[tuple]:
        db = sqlite3.connect(database)
        try:
            with db:
                return db.execute(query).fetchall()
        finally:
            db.close()

    def close(self) -> None:
        pass


def manage(scratch, runs: dict[str, str], *args: str) -> dict[str, subprocess.CompletedProcess]:
    """Runs manage.py against each database of `runs` at once, in processes of its own as an operator would, with
    personalization's migrations as they shipped ("original" or "edited") or as they are ("")."""
    processes = {}
    for database, shipped in runs.items():
        command = [sys.executable, "-c", MIGRATE_WITH_SHIPPED, f"{SHIPPED}.{shipped}"] if shipped else [
            sys.executable, "manage.py"]
        env = {**os.environ, "DATABASE_URL": scratch.url(database), "DJANGO_SETTINGS_MODULE": "config.settings",
               "DEBUG": "1"}
        processes[database] = subprocess.Popen([*command, *args], env=env, cwd=settings.BASE_DIR, text=True,
                                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    done = {}
    for database, process in processes.items():
        output = process.communicate()[0]
        done[database] = subprocess.CompletedProcess(process.args, process.returncode, output)
    return done


def migrated(scratch, runs: dict[str, str], *args: str) -> None:
    for database, done in manage(scratch, runs, *args).items():
        assert done.returncode == 0, f"manage.py {' '.join(args)} ({runs[database] or 'current'}):\n{done.stdout}"


def schema(scratch, database: str) -> dict[str, list[tuple]]:
    return {part: sorted(tuple(map(str, row)) for row in scratch.rows(database, query))
            for part, query in scratch.schema.items()}


def applied(scratch, database: str) -> set[str]:
    return {name for (name,) in scratch.rows(database, "SELECT name FROM django_migrations WHERE app = 'personalization'")}


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    """On the suite's kind of database: a fresh install, a database migrated with each shipped 0001_initial before
    and after `migrate` now, and one last migrated before 0006_unstored_reason existed."""
    scratch = (PostgreSQLScratch() if connection.vendor == "postgresql"
               else SQLiteScratch(tmp_path_factory.mktemp("migrations")))
    try:
        fresh, original, edited, partly = (scratch.make() for _ in range(4))
        migrated(scratch, {fresh: "", original: "original", edited: "edited", partly: "edited"}, *MIGRATE)
        # 0006 changed no column, only choices: without its row the database is as 0005 left it.
        scratch.rows(partly, "DELETE FROM django_migrations WHERE name = '0006_unstored_reason'")
        before = {"original": schema(scratch, original), "edited": schema(scratch, edited)}
        upgrades = manage(scratch, {original: "", edited: "", partly: ""}, *MIGRATE)
        yield {"scratch": scratch, "fresh": fresh, "original": original, "edited": edited, "before": before,
               "upgrades": upgrades, "partly": partly}
    finally:
        scratch.close()


@pytest.mark.parametrize("shipped", ["original", "edited"])
def test_a_database_migrated_with_either_shipped_0001_upgrades_to_the_schema_of_a_fresh_install(shipped, databases):
    """Databases migrated before 4806eaf edited 0001_initial in place ("original") kept an index on site_id in four
    tables and two other session indexes; those migrated after it ("edited") match a fresh install already."""
    scratch, database = databases["scratch"], databases[shipped]
    assert databases["upgrades"][database].returncode == 0, databases["upgrades"][database].stdout
    upgraded, fresh = schema(scratch, database), schema(scratch, databases["fresh"])
    for part in scratch.schema:
        only_fresh, only_upgraded = set(fresh[part]) - set(upgraded[part]), set(upgraded[part]) - set(fresh[part])
        assert (sorted(only_fresh), sorted(only_upgraded)) == ([], []), f"{part}: (fresh install only, upgraded only)"
    before = sorted(row for row in databases["before"][shipped]["indexes"] if row[0].startswith("personalization_"))
    after = sorted(row for row in upgraded["indexes"] if row[0].startswith("personalization_"))
    assert (before != after) == (shipped == "original")  # what the upgrade changed of personalization's indexes
    # Nothing is left to apply: the squash counts as applied where the six it replaces were.
    assert applied(scratch, database) == applied(scratch, databases["fresh"])
    assert {"0001_squashed_0006_unstored_reason", "0007_indexes_as_fresh_install"} <= applied(scratch, database)


@pytest.mark.postgres
def test_a_fresh_postgresql_install_leaves_room_in_the_pages_of_rows_the_drain_updates(databases):
    if connection.vendor != "postgresql":
        pytest.skip("fillfactor is PostgreSQL's")
    storage = schema(databases["scratch"], databases["fresh"])["storage"]
    for table in ("personalization_profile", "personalization_session", "personalization_visitor"):
        assert (table, "['fillfactor=70']") in storage


def test_a_database_that_applied_only_some_of_the_squashed_migrations_is_told_what_to_do_first(databases):
    upgrade = databases["upgrades"][databases["partly"]]
    assert upgrade.returncode != 0
    assert "python manage.py migrate personalization 0006_unstored_reason" in upgrade.stdout
    assert "0007_indexes_as_fresh_install" not in applied(databases["scratch"], databases["partly"])


@pytest.mark.django_db
def test_the_migrations_describe_the_models_as_they_are():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)  # SystemExit(1) on a change
    assert "No changes detected" in out.getvalue()
