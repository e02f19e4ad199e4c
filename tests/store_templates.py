"""Migrated empty stores made once per test process and copied into each test's database.

Running every migration for each of hundreds of tests cost most of their setup. The SQLite
template is a migrated file, copied. The PostgreSQL template is `pg_dump` of a schema migrated
once, replayed into each test's empty schema; where pg_dump cannot dump that server, each schema
is migrated as before. tests/store/test_store_templates.py checks a copy against a migration.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sfqb.sandbox.fleet import new_schema, schema_url
from sfqb.store import Store

_TOKEN = "sfqb_template_schema_name"


@dataclass(frozen=True, slots=True)
class Isolated:
    """A test's own database: a SQLite file not yet created, or an empty PostgreSQL schema."""

    url: str
    base_url: str
    schema: str | None = None


@contextmanager
def throwaway_schema(base_url: str) -> Iterator[Isolated]:
    """A new, empty schema on the PostgreSQL database at `base_url`, dropped on exit."""
    with new_schema(base_url, "sfqb_test_") as (schema, url):
        yield Isolated(url, base_url, schema)


class StoreTemplates:
    """One test process's templates, each made on first use under `directory`."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._sqlite: Path | None = None
        self._scripts: dict[str, str | None] = {}

    def fill(self, target: Isolated) -> None:
        """Make `target` a migrated, empty store."""
        if target.schema is None:
            database = make_url(target.url).database
            assert database, target.url
            shutil.copyfile(self._sqlite_template(), database)
            return
        if target.base_url not in self._scripts:
            self._scripts[target.base_url] = _dump_migrated(target.base_url)
        script = self._scripts[target.base_url]
        if script is None:
            _migrate(target.url)
            return
        admin = create_engine(target.base_url)
        try:
            with admin.begin() as conn:
                # The DB-API cursor with no parameters: several statements, `%` not a placeholder.
                # The dump's session settings end with the connection: the engine is disposed.
                cursor = conn.connection.cursor()
                try:
                    cursor.execute(script.replace(_TOKEN, target.schema))
                finally:
                    cursor.close()
        finally:
            admin.dispose()

    def _sqlite_template(self) -> Path:
        if self._sqlite is None:
            path = self._directory / "template.sqlite"
            _migrate(f"sqlite:///{path}")  # disposing folds the WAL into the file
            self._sqlite = path
        return self._sqlite


def _migrate(url: str) -> None:
    store = Store.from_url(url)
    try:
        store.migrate()
    finally:
        store.engine.dispose()


def _dump_migrated(base_url: str) -> str | None:
    """SQL that fills an empty schema named _TOKEN like a migration; None without pg_dump."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        return None
    template = f"sfqb_template_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{template}"'))
        try:
            _migrate(schema_url(base_url, template))
            url = make_url(base_url).set(drivername="postgresql")
            dumped = subprocess.run(
                [pg_dump, "--schema", template, "--inserts", "--no-owner", "--no-privileges",
                 "--dbname", url.render_as_string(hide_password=False)],
                capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{template}" CASCADE'))
    finally:
        admin.dispose()
    if dumped.returncode != 0:
        return None
    # Newer pg_dump adds psql-only \restrict lines; the test's schema exists already.
    skip = f"CREATE SCHEMA {template};"
    lines = [s for s in dumped.stdout.splitlines() if not s.startswith("\\") and s != skip]
    return "\n".join(lines).replace(template, _TOKEN)
