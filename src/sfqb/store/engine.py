"""Engines for the store: a SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def private_file(path: Path) -> None:
    """Create `path` readable by its owner only (0600), or make an existing one so.

    The store holds password hashes and encrypted secrets: no other account on the machine
    reads it. SQLite gives its -wal and -shm files the same permissions.
    """
    if path.parent != Path() and not path.parent.exists():
        return  # SQLite reports the missing directory in its own words
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError:
        return  # read-only or not ours: SQLite says what is wrong when it opens it
    try:
        os.fchmod(descriptor, 0o600)
    except OSError:
        pass  # not ours to change
    finally:
        os.close(descriptor)


# Prepared statements each SQLite connection keeps (Python's default is 128). A statement with
# an IN list of up to 500 Ids is tens of KB of SQLite's memory, and each length of list is a
# statement of its own: with 128 kept, the memory grew with the data (the remainder chunks of
# ever more reads), 15 MB at 16x; the statements a batch repeats fit in this many.
CACHED_STATEMENTS = 32


def create_engine_from_url(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys on, WAL, a busy timeout and a bounded
    statement cache (CACHED_STATEMENTS)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))
        engine = create_engine(
            url, connect_args={"timeout": 30, "cached_statements": CACHED_STATEMENTS}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if parsed.database and parsed.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)
