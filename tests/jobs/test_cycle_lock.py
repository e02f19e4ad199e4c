"""One lock for a company's cycles, whichever process runs them (issue 16).

A worker's cycle job and a `sfqb serve` cycle beside a Web Connector session both read
Salesforce and write the company's queue; procrastinate's lock covers only the jobs. Both take
the store's cycle lock: a PostgreSQL advisory lock shared by every process on the database,
file locks beside a SQLite file (each Store here has an engine and a lock of its own, as a
process would). No timing is asserted: Events and the order of what happened show who waited
for whom.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from sfqb.connectors.qbd.webconnector import OutboxItem
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport
from sfqb.store import Store
from sfqb.store.cycle_lock import NAMESPACE, CompanyBusy, CycleLock, holding

from .conftest import CATALOG

HELD = 60.0  # a wait the test expects to end gives up after this long (fails, never hangs)


@pytest.fixture
def other(db: Store, isolated_url: str) -> Iterator[Store]:
    """A second store over the same database: another process's view of it."""
    store = Store.from_url(isolated_url)
    yield store
    store.engine.dispose()


class Handle:
    """A Web Connector session's handle as the cycle sees it: `renew` counts the tries."""

    def __init__(self) -> None:
        self.renewals = 0
        self.asked_twice = threading.Event()
        self.session_open = True
        self.finished = threading.Event()
        self.error = ""

    def renew(self) -> bool:
        self.renewals += 1
        if self.renewals >= 2:  # the first is before the lock; the next, a refused try
            self.asked_twice.set()
        return self.session_open

    def enqueue(self, request_xml: str) -> int:
        raise AssertionError("the cycle never gets this far")

    def item(self, item_id: int) -> OutboxItem | None:
        raise AssertionError("the cycle never gets this far")

    def withdraw(self) -> None:
        """Nothing was queued."""

    def done(self, error: str = "") -> None:
        self.error = error
        self.finished.set()


class Preflight:
    """A runner whose Salesforce checks hold the cycle (so it ends there), noting when."""

    def __init__(self, events: list[str]) -> None:
        self._events = events

    def preflight(self, company: str) -> CycleReport:
        self._events.append(f"cycle of {company}")
        return CycleReport(company, 0, held="held by the test")


def _source(store: Store, events: list[str]) -> CycleWorkSource:
    runner: Any = Preflight(events)
    return CycleWorkSource(lambda company: runner, CATALOG, lock=store.cycle_lock)


def _worker_job(store: Store, events: list[str], inside: threading.Event, go: threading.Event):  # type: ignore[no-untyped-def]
    def job() -> None:
        with holding(store.cycle_lock, "acme"):
            events.append("worker job starts")
            inside.set()
            assert go.wait(HELD)
            events.append("worker job ends")

    return threading.Thread(target=job)


def test_a_worker_job_and_a_cycle_beside_a_session_take_turns(db: Store, other: Store) -> None:
    events: list[str] = []
    inside, go = threading.Event(), threading.Event()
    job = _worker_job(db, events, inside, go)
    job.start()
    assert inside.wait(HELD)

    handle = Handle()
    source = _source(other, events)
    assert source.begin("acme", handle)
    assert handle.asked_twice.wait(HELD)  # it tried the lock, was refused, and waits
    assert events == ["worker job starts"] and not handle.finished.is_set()
    assert db.cycle_lock.held("acme") and other.cycle_lock.held("acme")

    go.set()
    job.join(HELD)
    assert handle.finished.wait(HELD)
    assert events == ["worker job starts", "worker job ends", "cycle of acme"]
    assert handle.error == ""
    assert not db.cycle_lock.held("acme")  # the cycle let it go


def test_a_session_that_ends_while_the_company_is_held_runs_no_cycle(
    db: Store, other: Store
) -> None:
    events: list[str] = []
    inside, go = threading.Event(), threading.Event()
    job = _worker_job(db, events, inside, go)
    job.start()
    assert inside.wait(HELD)
    handle = Handle()
    source = _source(other, events)
    source.begin("acme", handle)
    assert handle.asked_twice.wait(HELD)
    handle.session_open = False  # the Web Connector session closed meanwhile
    assert handle.finished.wait(HELD)
    go.set()
    job.join(HELD)
    assert events == ["worker job starts", "worker job ends"]  # the cycle never started
    assert handle.error == ""


def test_a_held_company_is_refused_elsewhere_and_other_companies_are_not(
    db: Store, other: Store
) -> None:
    assert db.cycle_lock.take("acme")
    assert not other.cycle_lock.take("acme")
    assert not db.cycle_lock.take("acme")  # not re-entrant in one process either
    assert other.cycle_lock.take("globex")
    with (
        pytest.raises(CompanyBusy),
        holding(other.cycle_lock, "acme", keep_waiting=lambda: False),
    ):
        raise AssertionError("never entered")
    db.cycle_lock.release("acme")
    other.cycle_lock.release("globex")
    with holding(other.cycle_lock, "acme"):
        assert db.cycle_lock.held("acme")
    assert not db.cycle_lock.held("acme")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "database_url", ["postgresql"], indirect=True
)  # advisory locks are PostgreSQL's; SQLite runs one process
def test_the_lock_of_a_process_that_died_is_free_at_once(
    database_url: str, db: Store, other: Store
) -> None:
    assert db.cycle_lock.take("acme")
    assert not other.cycle_lock.take("acme")
    key = "hashtext(current_schema() || '/' || 'acme')"
    with other.engine.begin() as conn:  # the holder's connection ends, as with SIGKILL
        holder = conn.scalar(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
                f"AND classid = {NAMESPACE} AND objid = ({key})::oid"
            )
        )
        assert holder is not None
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
    taken = False
    for _ in range(500):  # the server ends the backend soon after it is told to
        if taken := other.cycle_lock.take("acme"):
            break
        threading.Event().wait(0.02)
    assert taken
    db.cycle_lock.release("acme")  # its connection is gone: nothing to undo, no error
    assert other.cycle_lock.held("acme")
    other.cycle_lock.release("acme")


class Noted:
    """A store's cycle lock that notes each try and release."""

    def __init__(self, lock: CycleLock) -> None:
        self._lock = lock
        self.notes: list[str] = []
        self.refused = threading.Event()

    def take(self, company: str) -> bool:
        taken = self._lock.take(company)
        self.notes.append("taken" if taken else "refused")
        if not taken:
            self.refused.set()
        return taken

    def release(self, company: str) -> None:
        self.notes.append("released")
        self._lock.release(company)

    def held(self, company: str) -> bool:
        return self._lock.held(company)


@pytest.mark.postgres
# workers need PostgreSQL
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_worker_job_waits_for_a_cycle_of_the_company_held_in_another_process(
    database_url: str, db: Store, other: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The job `sfqb worker` runs (sfqb.cli.worker.job_queue) takes the lock before anything."""
    from sfqb.cli.context import Services
    from sfqb.cli.worker import job_queue

    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    other.create_company("acme", "acme", "pw")
    noted = Noted(other.cycle_lock)
    other.cycle_lock = noted  # type: ignore[assignment]
    services = Services()
    services.store = other
    queue = job_queue(services)
    failed: list[BaseException] = []

    def job() -> None:
        try:
            queue._run_cycle("acme", lambda: True)  # what the procrastinate task calls
        except Exception as exc:  # acme has no Salesforce connection: it fails, once inside
            failed.append(exc)

    assert db.cycle_lock.take("acme")  # a cycle beside a Web Connector session elsewhere
    running = threading.Thread(target=job)
    running.start()
    assert noted.refused.wait(HELD)
    assert "taken" not in noted.notes and running.is_alive()
    db.cycle_lock.release("acme")
    running.join(HELD)
    assert not running.is_alive()
    assert noted.notes[-2:] == ["taken", "released"] and set(noted.notes[:-2]) == {"refused"}
    (why,) = failed  # it got as far as reading Salesforce, after the lock
    assert "has no Salesforce connection" in str(why)
    assert not db.cycle_lock.held("acme")


HOLDER = """
import sys
from sfqb.store import Store
store = Store.from_url(sys.argv[1])
assert store.cycle_lock.take("acme")
print("held", flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_sqlite_files_lock_is_shared_by_processes_and_freed_when_its_holder_dies(
    database_url: str, db: Store
) -> None:
    # `sfqb sync` typed while `sfqb serve` runs a cycle of the company on the same file.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database_url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert db.cycle_lock.held("acme")
        assert not db.cycle_lock.take("acme")
        assert db.cycle_lock.take("globex")
        db.cycle_lock.release("globex")
    finally:
        holder.kill()  # SIGKILL: the process never lets the lock go itself
        holder.wait(timeout=HELD)
    assert not db.cycle_lock.held("acme")
    assert db.cycle_lock.take("acme")
    db.cycle_lock.release("acme")
