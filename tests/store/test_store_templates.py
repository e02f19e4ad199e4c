"""The suite's `db` fixture copies a template (tests/store_templates.py): the copy must be what a
migration makes, table by table, constraint by constraint, row by row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ClauseElement, Engine, inspect, text
from tests.store_templates import throwaway_schema

from sfqb.store import Store

# On PostgreSQL, procrastinate's functions, triggers and types are in the schema too.
PG_OBJECTS = {
    "functions": "SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = current_schema()",
    "triggers": "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = current_schema() AND NOT t.tgisinternal",
    "enums": "SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e "
    "JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace "
    "WHERE n.nspname = current_schema()",
    "sequences": "SELECT sequencename, last_value FROM pg_sequences "
    "WHERE schemaname = current_schema()",
}


def _plain(value: Any) -> Any:
    """`value` with SQL expressions as their text (two reflections' objects never compare equal)."""
    if isinstance(value, dict):
        return sorted((str(k), _plain(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, ClauseElement) else value


def shape(engine: Engine) -> str:
    """Everything a test could notice about an empty store's schema and rows, schema name aside."""
    found: dict[str, Any] = {}
    inspector = inspect(engine)
    for table in sorted(inspector.get_table_names()):
        found[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(table)
            ],
            "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign keys": sorted(map(str, _plain(inspector.get_foreign_keys(table)))),
            "indexes": sorted(map(str, _plain(inspector.get_indexes(table)))),
            "unique": sorted(map(str, _plain(inspector.get_unique_constraints(table)))),
            "checks": sorted(map(str, _plain(inspector.get_check_constraints(table)))),
        }
        with engine.connect() as conn:
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
        found[table]["rows"] = sorted(map(str, rows))
    if engine.dialect.name != "postgresql":
        return str(found)
    with engine.connect() as conn:
        for name, sql in PG_OBJECTS.items():
            found[name] = sorted(map(str, conn.execute(text(sql)).all()))
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return str(found).replace(schema, "<schema>")


@pytest.fixture
def migrated(database_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store migrated the ordinary way, beside the test's `db`."""
    if not database_url.startswith("postgresql"):
        store = Store.from_url(f"sqlite:///{tmp_path / 'migrated.sqlite'}")
        store.migrate()
        yield store
        store.engine.dispose()
        return
    with throwaway_schema(database_url) as isolated:
        store = Store.from_url(isolated.url)
        try:
            store.migrate()
            yield store
        finally:
            store.engine.dispose()


def test_a_template_copy_is_what_a_migration_makes(db: Store, migrated: Store) -> None:
    copied, made = shape(db.engine), shape(migrated.engine)
    assert "'alembic_version'" in made and "'bindings'" in made
    assert copied == made
