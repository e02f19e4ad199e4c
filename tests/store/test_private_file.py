"""The SQLite store file is created readable by its owner only, and tightened when found open."""

from __future__ import annotations

import stat
from pathlib import Path

from sfqb.store import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_file_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "sfqb.sqlite"
    store = Store.from_url(f"sqlite:///{path}")
    store.migrate()
    store.engine.dispose()
    assert mode(path) == 0o600


def test_an_existing_world_readable_store_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "sfqb.sqlite"
    path.touch(mode=0o644)
    path.chmod(0o644)
    Store.from_url(f"sqlite:///{path}").engine.dispose()
    assert mode(path) == 0o600
