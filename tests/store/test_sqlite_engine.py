"""A SQLite store's connections keep a bounded number of prepared statements (issue 16: each
length of an IN list is a statement of its own, so Python's default of 128 kept per connection
grew sfqb's memory with the data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from sfqb.store.engine import CACHED_STATEMENTS, create_engine_from_url


def test_sqlite_connections_keep_a_bounded_statement_cache(tmp_path: Path) -> None:
    engine = create_engine_from_url(f"sqlite:///{tmp_path / 'sfqb.sqlite'}")
    opened: list[dict[str, Any]] = []

    @event.listens_for(engine, "do_connect")
    def _seen(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        opened.append(dict(cparams))

    with engine.connect():
        pass
    engine.dispose()
    assert [c.get("cached_statements") for c in opened] == [CACHED_STATEMENTS]
    assert CACHED_STATEMENTS < 128  # Python's default
    assert opened[0]["timeout"] == 30
