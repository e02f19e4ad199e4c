"""What `sfqb serve` and `sfqb worker` do before they serve: start-up objects leave the
garbage collector's full collections."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
from tests.cli.cli_helpers import ok
from tests.conftest import KEY
from tests.worker_fixtures import postgres_url  # noqa: F401 - fixture: sfqb worker refuses SQLite

from sfqb.cli import qbd, serving, worker


class _Node:
    other: Any = None


def test_freeze_collects_garbage_first_and_freezes_what_lives() -> None:
    cycle_a, cycle_b = _Node(), _Node()
    cycle_a.other, cycle_b.other = cycle_b, cycle_a  # garbage only a collection frees
    gone = weakref.ref(cycle_a)
    del cycle_a, cycle_b
    kept = _Node()
    kept.other = kept
    gc.unfreeze()
    serving.freeze_startup_objects()
    assert gone() is None  # collected, not frozen for ever
    assert gc.get_freeze_count() > 0
    # What lives is frozen: out of the generations a collection walks.
    assert not any(o is kept for o in gc.get_objects())


def test_serve_freezes_its_start_up_objects_before_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    order: list[str] = []
    monkeypatch.setattr(qbd, "freeze_startup_objects", lambda: order.append("freeze"))
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: order.append("serve"))
    url = f"sqlite:///{tmp_path / 'sandbox.sqlite'}"
    ok("serve", "--sandbox", "--port", "0", "--database-url", url)
    assert order == ["freeze", "serve"]


class _Queue:
    def __init__(self, order: list[str]) -> None:
        self.order = order

    def run_worker(self, name: str | None) -> None:
        self.order.append("work")


def test_worker_freezes_its_start_up_objects_before_it_works(
    isolated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    monkeypatch.setenv("SFQB_SECRET_KEY", KEY)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    monkeypatch.setattr(worker, "freeze_startup_objects", lambda: order.append("freeze"))
    monkeypatch.setattr(worker, "job_queue", lambda services, options: _Queue(order))
    ok("worker", "--database-url", isolated_url)
    assert order == ["freeze", "work"]
