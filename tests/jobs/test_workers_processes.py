"""`sfqb worker` and `sfqb serve` processes on one PostgreSQL store (issue 16's multi-process
acceptance).

Twenty companies sync Salesforce sandboxes: fifteen into sandbox company files (QuickBooks
Desktop direct runs), four into QuickBooks Desktop through the Web Connector stand-in, one into
the QuickBooks Online sandbox (pushed by sfqb). Real `sfqb worker` subprocesses take the
deferred cycles (for a Web Connector company: Salesforce's changes read and queued); two real
`sfqb serve --workers` subprocesses answer the stand-in, whose calls alternate between them as
through a load balancer, and run the cycles beside its sessions - under the same company lock
as the workers' jobs. One worker is killed with SIGKILL in the middle of a cycle: after the
stall timeout the job is given back and another worker completes it. The run table shows no
two cycles of a company at once, every job ran once to success, every company file holds each
Salesforce account exactly once, and so does QuickBooks Online.
The QuickBooks Online sandbox serves one realm and sfqb's SFQB_QBO_API_URL is one per process,
so one company of the twenty is on QuickBooks Online.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.cli.cli_helpers import ok
from tests.cli.qbo_helpers import qbo_settings
from tests.worker_fixtures import postgres_url, worker_store  # noqa: F401 - fixtures

from sfqb.domain.entities import SfObject
from sfqb.sandbox import fleet
from sfqb.sandbox.fleet import ENDED, WebConnectorRuns
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbo import QboConfig, QboSandbox
from sfqb.sandbox.qbo_connect import connect_qbo
from sfqb.sandbox.salesforce import SeedSummary
from sfqb.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(420)]

COMPANIES = 20
QBO_COMPANY = "qbo"  # the twentieth; sorted after the others, so never the killed cycle
WEB_CONNECTOR = [f"wc{n}" for n in range(4)]  # their QuickBooks pulls the work
DIRECT = COMPANIES - 1 - len(WEB_CONNECTOR)
SESSIONS = 2  # Web Connector runs per company while the workers work, before a last one
ACCOUNTS = 6
STALL_SECONDS = 4
CYCLE_JOBS = (
    "SELECT args->>'company', status FROM procrastinate_jobs WHERE task_name = 'sfqb.cycle'"
)


def _salesforce(stack: ExitStack, company: str, n: int, tmp_path: Path) -> SeedSummary:
    """A Salesforce sandbox of its own for `company`, seeded and connected."""
    _, seeded = fleet.salesforce_company(
        stack, ok, company, tmp_path / company, random.Random(n), ACCOUNTS
    )
    return seeded


def _worker(name: str, log: Path) -> subprocess.Popen[bytes]:
    return fleet.start_worker(name, log, STALL_SECONDS)


def test_killed_worker_cycle_completes_elsewhere_nothing_twice(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded: dict[str, SeedSummary] = {}
    books: dict[str, Path] = {}
    workers: list[subprocess.Popen[bytes]] = []
    serves = [fleet.serve_with_workers(dict(os.environ), tmp_path / f"serve{n}") for n in (1, 2)]
    with ExitStack() as stack:
        # Two `sfqb serve --workers` start while the companies are set up (read per call).
        starting = [threading.Thread(target=serve.start) for serve in serves]
        for serve, thread in zip(serves, starting, strict=True):
            stack.callback(serve.stop)
            thread.start()
        for n in range(DIRECT):
            company = f"co{n:02d}"
            seeded[company] = _salesforce(stack, company, n, tmp_path)
            books[company] = tmp_path / f"{company}.json"
            ok("connect", "qbd", "--company", company, "--sandbox-file", str(books[company]))
        for n, company in enumerate(WEB_CONNECTOR, DIRECT):
            seeded[company] = _salesforce(stack, company, n, tmp_path)
            store.create_company(company, company, "pw")
        qbo = stack.enter_context(QboSandbox(QboConfig(tls_dir=tmp_path / "qbo-tls")))
        for name, value in qbo_settings(qbo, "https://sfqb.example").items():
            monkeypatch.setenv(name, value)
        seeded[QBO_COMPANY] = _salesforce(stack, QBO_COMPANY, COMPANIES, tmp_path)
        connect_qbo(QBO_COMPANY, qbo.ca_path)
        sessions: list[threading.Thread] = []
        try:
            for thread in starting:
                thread.join(timeout=120)
            endpoints = [serve.endpoint for serve in serves]
            assert all(endpoints), [p.read_text() for serve in serves for p in serve.logs]
            connectors = {
                company: WebConnectorRuns(company, endpoints, n)
                for n, company in enumerate(WEB_CONNECTOR)
            }
            log = tmp_path / "workers.log"
            workers.append(_worker("w1", log))
            deferred = ok("sync", "--defer")
            assert deferred.count("Asked for a cycle") == COMPANIES, deferred
            assert "already waiting" in ok("sync", "--defer", "--company", "co00")

            # w1 alone: the first run row that opens is its cycle; kill it there.
            deadline = time.monotonic() + 90
            fleet.wait_for(deadline, "w1's first cycle", lambda: bool(fleet.unfinished(store)))
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            killed_at = datetime.now(UTC)
            (killed,) = fleet.unfinished(store)
            workers += [_worker("w2", log), _worker("w3", log)]
            # The Web Connector runs while w2 and w3 read and queue the same companies' changes.
            sessions = [
                threading.Thread(target=runs.run, args=(SESSIONS,)) for runs in connectors.values()
            ]
            for session in sessions:
                session.start()

            deadline = time.monotonic() + 240
            fleet.wait_for(deadline, "every job done", lambda: fleet.open_jobs(store) == 0)
            for session in sessions:
                session.join(timeout=max(1.0, deadline - time.monotonic()))
            # A last run of each sends what the workers queued after its last cycle read.
            sessions = [threading.Thread(target=runs.run) for runs in connectors.values()]
            for session in sessions:
                session.start()
            for session in sessions:
                session.join(timeout=max(1.0, deadline - time.monotonic()))
            fleet.wait_for(
                deadline, "every cycle ended", lambda: fleet.unfinished(store) == [killed]
            )
        finally:
            for process in workers[1:]:
                process.send_signal(signal.SIGTERM)
            for process in workers:
                process.wait(timeout=30)
        assert all(p.returncode == 0 for p in workers[1:]), log.read_text()

    serve_logs = "\n".join(p.read_text() for serve in serves for p in serve.logs)
    for runs in connectors.values():
        assert runs.failure is None and len(runs.outcomes) == SESSIONS + 1, runs.failure
        assert all(o in ENDED for o in runs.outcomes), (runs.outcomes, serve_logs[-3000:])
        assert all(runs.client.served), runs.client.served  # both processes answered it
        names = runs.names()
        assert len(names) == len(set(names)) == len(seeded[runs.company].accounts), runs.company

    runs = [run[:4] for run in fleet.runs(store)]  # company, started, finished, status
    assert {c for c, _, _, _ in runs} == set(seeded)
    for company in seeded:
        mine = sorted((s, f) for c, s, f, _ in runs if c == company)
        ended = [(s, f) for s, f in mine if f is not None]
        for (_, end), (start, _) in itertools.pairwise(ended):
            assert end <= start, f"two cycles of {company} overlapped"
    # The killed cycle never ended; the one that completed it began after the kill.
    assert [c for c, _, f, _ in runs if f is None] == [killed]
    again = [(s, st) for c, s, f, st in runs if c == killed and f is not None]
    assert again and all(s >= killed_at for s, _ in again)
    assert all(st == "succeeded" for _, _, f, st in runs if f is not None), runs

    with store.engine.connect() as db:
        jobs = db.execute(text(CYCLE_JOBS)).all()
    assert {status for _, status in jobs} == {"succeeded"}  # the killed one retried
    # One finished run per job: none ran twice (the fleet's tick may have asked the QuickBooks
    # Online company for a sweep of its own, a job of its own, after it). A Web Connector
    # company's job reads and queues; its runs are the cycles beside its sessions.
    for company in set(seeded) - set(WEB_CONNECTOR):
        finished = sum(1 for c, _, f, _ in runs if c == company and f is not None)
        assert sum(1 for c, _ in jobs if c == company) == finished >= 1, company
    assert sum(1 for c, _ in jobs if c != QBO_COMPANY) == COMPANIES - 1

    for company, path in books.items():
        book = CompanyFile.load(
            path, SandboxSettings(), lambda: datetime.now(UTC), random.Random(1)
        )
        names = [str(r.fields.get("Name")) for r in book.customers()]
        assert len(names) == len(set(names)) == len(seeded[company].accounts), company

    bound = [b for b in store.bindings.for_company(QBO_COMPANY) if b.sf.sobject is SfObject.ACCOUNT]
    assert len({b.sf for b in bound}) == len({b.qb for b in bound}) == ACCOUNTS
    customers = {str(r["Id"]): str(r.get("DisplayName")) for r in qbo.company.all("Customer")}
    mine = [customers[b.qb.id] for b in bound]  # each bound customer exists, under one name
    assert len(set(mine)) == ACCOUNTS
    assert all(list(customers.values()).count(name) == 1 for name in mine)
