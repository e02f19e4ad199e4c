"""A fleet of sandbox companies on one PostgreSQL store, synced by real `sfqb worker` and
`sfqb serve --workers` processes: what the multi-process test (tests/jobs/
test_workers_processes.py) and benchmarks/fleet_load.py share.

Each company has a Salesforce sandbox of its own, connected through the CLI (`cli` runs `sfqb`
with the store's settings and returns its output). A Web Connector company's runs come from
the stand-in, each call to the next `sfqb serve` as through a load balancer. The run table,
read back with `runs`, says when each company's cycles started and ended and what they synced.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import create_engine, text

from sfqb.sandbox.chaos import Worker as Serve
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, SeedSummary, seed
from sfqb.store import Store

SFQB = str(Path(sys.executable).with_name("sfqb"))
# A Web Connector run ended well: every batch answered, nothing to send, or no work at all.
ENDED = (Outcome.DONE, Outcome.NOTHING_SENT, Outcome.NO_WORK)
Cli = Callable[..., str]


class Run(NamedTuple):
    """One row of the run table: a cycle of a company."""

    company: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, Any]

    @property
    def synced(self) -> int:
        """Records the cycle synced (its `synced:<flow>` counts)."""
        return sum(int(n) for key, n in self.counts.items() if key.startswith("synced:"))


def schema_url(url: str, schema: str) -> str:
    """`url` with `schema` first on its connections' search path."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def new_schema(url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """A throwaway schema (`prefix` and a random suffix) on the PostgreSQL database at `url`,
    dropped afterwards; yields its name and the URL whose connections use it."""
    schema = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema, schema_url(url, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def runs(store: Store) -> list[Run]:
    """Every run of every company, as the store holds them."""
    sql = "SELECT company, started_at, finished_at, status, counts FROM runs"
    with store.engine.connect() as db:
        rows = db.execute(text(sql))
        return [Run(r[0], r[1], r[2], str(r[3]), dict(r[4] or {})) for r in rows]


def unfinished(store: Store) -> list[str]:
    """The companies of runs that have not ended."""
    return [run.company for run in runs(store) if run.finished_at is None]


def open_jobs(store: Store) -> int:
    """Jobs waiting or running in the procrastinate queue."""
    sql = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
    with store.engine.connect() as db:
        return int(db.execute(text(sql)).scalar_one())


def wait_for(until: float, what: str, check: Callable[[], bool]) -> None:
    """Poll `check` until it holds; TimeoutError naming `what` at `until` (time.monotonic)."""
    while time.monotonic() < until:
        if check():
            return
        time.sleep(0.02)
    raise TimeoutError(f"timed out waiting for {what}")


def start_worker(
    name: str, log: Path, stall_seconds: int, extra_args: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """`sfqb worker` in a subprocess (heartbeat every half second, this process's environment),
    its output into `log`."""
    args = [SFQB, "worker", "--name", name, "--stall-seconds", str(stall_seconds)]
    args += ["--heartbeat-seconds", "0.5", *extra_args]
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - sfqb itself, fixed arguments
            args, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ)
        )


def serve_with_workers(env: Mapping[str, str], workdir: Path) -> Serve:
    """`sfqb serve --workers` (not started yet: `start()`), its logs under `workdir`."""
    workdir.mkdir()
    return Serve(env, workdir, 600, ("--workers",))


def salesforce_company(  # noqa: PLR0917 - a company's sandbox and seed
    stack: ExitStack,
    cli: Cli,
    company: str,
    tls_dir: Path,
    rng: random.Random,
    accounts: int,
    products: int | None = None,
    opportunities: int | None = None,
) -> tuple[SalesforceSandbox, SeedSummary]:
    """A Salesforce sandbox of `company`'s own (closed with `stack`), seeded and connected."""
    sf = stack.enter_context(SalesforceSandbox(SandboxConfig(tls_dir=tls_dir)))
    seeded = seed(sf.org, accounts, rng, products=products, opportunities=opportunities)
    cli(
        "connect", "salesforce", "--company", company, "--instance", sf.instance,
        "--session-id", sf.session_id, "--ca-file", str(tls_dir / "ca.pem"),
    )  # fmt: skip
    return sf, seeded


class WebConnectorRuns:
    """The stand-in's runs for one Web Connector company, each call to the next `sfqb serve`."""

    def __init__(self, company: str, endpoints: list[str], n: int) -> None:
        self.company = company
        self.quickbooks = CompanyFile(
            SandboxSettings(), lambda: datetime.now(UTC), random.Random(n)
        )
        self.client = WebConnectorClient(
            f"{endpoints[0]}?wsdl", self.quickbooks, address=endpoints, noop_pause=0.2
        )
        self.outcomes: list[Outcome] = []
        self.round_trips = 0
        self.failure: BaseException | None = None

    def run(self, times: int = 1) -> None:
        """Run the Web Connector `times` times (the company's login is its name, "pw")."""
        try:
            for _ in range(times):
                result = self.client.run(self.company, "pw")
                self.outcomes.append(result.outcome)
                self.round_trips += len(result.exchanges)
        except BaseException as exc:  # the caller's thread reports it
            self.failure = exc

    def names(self) -> list[str]:
        """The names of the customers in the company file."""
        return [str(r.fields.get("Name")) for r in self.quickbooks.customers()]
