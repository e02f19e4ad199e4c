"""The `JobQueue` contract, one test body for both adapters: the in-process queue (bare, and as
`sfqb serve` runs it with SQLite: its own thread pool, `EmbeddedCycles`), and procrastinate
(PostgreSQL, its tables in the test's throwaway schema)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.conftest import KEY, _postgres_url

from sfqb.connectors.qbo.api import Environment
from sfqb.connectors.qbo.oauth import OAuthApp, Tokens
from sfqb.connectors.qbo.webhooks import signature_of
from sfqb.jobs.embedded import CYCLE_THREADS, EmbeddedCycles
from sfqb.jobs.job_queue import InProcessQueue, JobQueue
from sfqb.jobs.procrastinate_queue import ProcrastinateQueue, WorkerOptions
from sfqb.jobs.qbo_webhooks import WebhookInbox
from sfqb.store import SecretBox, Store
from sfqb.store.work import StoreWork


@dataclass
class Cycles:
    """What the queue ran: (company, start, end) per cycle, and what a cycle does first."""

    spans: list[tuple[str, float, float]] = field(default_factory=list)
    during: dict[str, Callable[[], None]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, company: str, keep_waiting: Callable[[], bool] = lambda: True) -> None:
        start = time.monotonic()
        action = self.during.pop(company, None)
        if action is not None:
            action()
        time.sleep(0.05)
        with self.lock:
            self.spans.append((company, start, time.monotonic()))
        if company in self.failing:
            raise RuntimeError(f"the cycle of {company} failed")

    def count(self, company: str) -> int:
        return sum(1 for c, _, _ in self.spans if c == company)


class Harness:
    """A queue under test and a way to run everything it holds."""

    queue: JobQueue
    store: Store

    def run_all(self) -> None:
        raise NotImplementedError


class InProcessHarness(Harness):
    def __init__(self, store: Store, cycles: Cycles) -> None:
        self.store = store
        self._started: list[Callable[[], None]] = []
        self.queue = InProcessQueue(cycles.run, start=self._started.append)

    def run_all(self) -> None:
        while self._started:
            self._started.pop(0)()


class EmbeddedHarness(Harness):
    """`sfqb serve`'s configuration: real threads of a pool of serve's size, kept busy until
    `run_all` so that what is asked meanwhile waits (as when every thread runs a cycle)."""

    def __init__(self, store: Store, cycles: Cycles) -> None:
        self.store = store
        self._gate = threading.Event()
        self._pool = ThreadPoolExecutor(CYCLE_THREADS, thread_name_prefix="sfqb-cycle")
        for _ in range(CYCLE_THREADS):
            self._pool.submit(self._gate.wait)
        self.embedded = EmbeddedCycles(
            cycles.run, lambda now: [], lambda: datetime.now(UTC), pool=self._pool
        )
        self.queue = self._queue = self.embedded.queue

    def run_all(self) -> None:
        self._gate.set()
        assert self._queue.idle(30)

    def close(self) -> None:
        self._gate.set()
        self.embedded.close()


class ProcrastinateHarness(Harness):
    def __init__(self, store: Store, cycles: Cycles) -> None:
        self.store = store
        options = WorkerOptions(tick_seconds=3600)
        self.queue = self._queue = ProcrastinateQueue(
            store, cycles.run, lambda now: [], clock=lambda: datetime.now(UTC), options=options
        )

    def _open_jobs(self) -> int:
        with self.store.engine.connect() as conn:
            sql = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
            return int(conn.execute(text(sql)).scalar_one())

    def run_all(self) -> None:
        app = self._queue.app

        async def drain() -> None:
            async with app.open_async():
                while self._open_jobs():  # a job waiting on a lock outlives one pass
                    await app.run_worker_async(
                        wait=False, concurrency=2, install_signal_handlers=False,
                        listen_notify=False,
                    )  # fmt: skip

        asyncio.run(drain())


CASES = [
    ("in-process", "sqlite"),
    ("in-process", "postgresql"),
    ("embedded-serve", "sqlite"),
    ("procrastinate", "postgresql"),
]


@pytest.fixture(params=CASES, ids=["-".join(c) for c in CASES])
def case(request: pytest.FixtureRequest) -> tuple[str, str]:
    """The adapter and the store it runs over (procrastinate needs PostgreSQL)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def database_url(case: tuple[str, str], tmp_path: Path) -> str:
    """The case's store (isolated_url makes PostgreSQL's a throwaway schema)."""
    if case[1] == "sqlite":
        return f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    return _postgres_url()


@pytest.fixture
def cycles() -> Cycles:
    return Cycles()


@pytest.fixture
def harness(case: tuple[str, str], isolated_url: str, cycles: Cycles) -> Iterator[Harness]:
    """The case's adapter over a migrated store."""
    store = Store.from_url(isolated_url, secrets=SecretBox(KEY))
    store.migrate()
    kinds: dict[str, type[Harness]] = {
        "in-process": InProcessHarness,
        "embedded-serve": EmbeddedHarness,
        "procrastinate": ProcrastinateHarness,
    }
    harness = kinds[case[0]](store, cycles)  # type: ignore[call-arg]
    yield harness
    if isinstance(harness, EmbeddedHarness):
        harness.close()
    store.engine.dispose()


def test_a_second_ask_while_one_waits_adds_nothing(harness: Harness, cycles: Cycles) -> None:
    assert harness.queue.defer_cycle("A") is True
    assert harness.queue.defer_cycle("A") is False  # the queueing lock
    assert harness.queue.defer_cycle("B") is True
    harness.run_all()
    assert (cycles.count("A"), cycles.count("B")) == (1, 1)


def test_an_ask_during_a_cycle_runs_after_it_never_beside_it(
    harness: Harness, cycles: Cycles
) -> None:
    asked: list[bool] = []
    cycles.during["A"] = lambda: asked.append(harness.queue.defer_cycle("A"))
    harness.queue.defer_cycle("A")
    harness.run_all()
    assert asked == [True]
    spans = sorted((s, e) for c, s, e in cycles.spans if c == "A")
    assert len(spans) == 2
    assert spans[0][1] <= spans[1][0]  # the second began after the first ended


def test_an_ask_in_a_rolled_back_transaction_never_runs(harness: Harness, cycles: Cycles) -> None:
    with pytest.raises(RuntimeError), harness.store.work() as work:
        assert harness.queue.defer_cycle("A", work=work) is True
        raise RuntimeError("the store change failed")
    with harness.store.work() as work:
        harness.queue.defer_cycle("B", work=work)
    harness.run_all()
    assert (cycles.count("A"), cycles.count("B")) == (0, 1)


def test_a_refused_duplicate_leaves_the_transaction_usable(
    harness: Harness, cycles: Cycles
) -> None:
    harness.queue.defer_cycle("A")
    with harness.store.work() as work:
        assert harness.queue.defer_cycle("A", work=work) is False
        harness.queue.defer_cycle("B", work=work)
    harness.run_all()
    assert (cycles.count("A"), cycles.count("B")) == (1, 1)


def test_a_failing_cycle_keeps_no_other_company_waiting(harness: Harness, cycles: Cycles) -> None:
    cycles.failing.add("A")
    harness.queue.defer_cycle("A")
    harness.queue.defer_cycle("B")
    harness.run_all()
    assert cycles.count("B") == 1
    harness.queue.defer_cycle("A")  # a failed cycle frees the company for the next one
    harness.run_all()
    assert cycles.count("A") == 2


def test_run_now_with_a_queue_defers_the_cycle(harness: Harness, cycles: Cycles) -> None:
    from sfqb.services.sync import RunDesk, RunKind

    desk = RunDesk(_NoBackend(), harness.store, lambda: datetime.now(UTC), queue=harness.queue)
    first, second = desk.request("A"), desk.request("A")
    assert (first.kind, second.kind) == (RunKind.DEFERRED, RunKind.DEFERRED)
    assert "already waiting" in second.message
    harness.run_all()
    assert cycles.count("A") == 1


class _NoBackend:
    """A backend Run now must not touch when a queue takes the cycle."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"Run now with a queue used the backend's {name}")


# -- QuickBooks Online webhooks: the event rows and the company's cycle, in one transaction --

VERIFIER = "app-verifier-token"
NOTIFICATION = json.dumps({"eventNotifications": [{"realmId": "9130", "dataChangeEvent": {
    "entities": [{"name": "Customer", "id": "1", "operation": "Update",
                  "lastUpdated": "2026-01-15T09:00:00Z"}]}}]}).encode()  # fmt: skip


def _inbox(harness: Harness, queue: JobQueue) -> WebhookInbox:
    app = OAuthApp("client-1", "secret-1", "https://sfqb.example/qbo/callback")
    pending = harness.store.qbo_tokens.begin("A", Environment.SANDBOX)
    tokens = Tokens("a", "r", datetime(2026, 1, 15, tzinfo=UTC), None)
    harness.store.qbo_tokens.connect(pending, "9130", app, tokens)
    return WebhookInbox(harness.store, VERIFIER, queue=queue)


def test_a_webhook_defers_its_companys_cycle_with_the_events(
    harness: Harness, cycles: Cycles
) -> None:
    inbox = _inbox(harness, harness.queue)
    assert inbox.receive(NOTIFICATION, signature_of(NOTIFICATION, VERIFIER)) == 1
    assert inbox.receive(NOTIFICATION, signature_of(NOTIFICATION, VERIFIER)) == 0  # stored once
    assert harness.store.qbo_events.pending_count("A") == 1
    harness.run_all()
    assert cycles.count("A") == 1


@dataclass
class _CrashAfterDefer:
    """A queue that defers, then the process fails before the store transaction commits."""

    inner: JobQueue

    def defer_cycle(self, company: str, *, work: StoreWork | None = None) -> bool:
        self.inner.defer_cycle(company, work=work)
        raise RuntimeError("the process failed before the commit")


def test_a_webhook_whose_transaction_rolls_back_leaves_neither_events_nor_job(
    harness: Harness, cycles: Cycles
) -> None:
    inbox = _inbox(harness, _CrashAfterDefer(harness.queue))
    with pytest.raises(RuntimeError):
        inbox.receive(NOTIFICATION, signature_of(NOTIFICATION, VERIFIER))
    assert harness.store.qbo_events.pending_count("A") == 0
    harness.run_all()
    assert cycles.count("A") == 0
