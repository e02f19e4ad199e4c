"""A QuickBooks Online chaos run: `sfqb sync` as a subprocess, run again and again against a
long-running QuickBooks Online sandbox that loses replies, throttles, fails and expires tokens,
and killed with SIGKILL at random points.

The Salesforce sandbox (seeded) and the QuickBooks Online sandbox run in this process; the
company is connected through the sandbox's OAuth flow into a SQLite store the subprocesses
share. Faults come from a seeded plan, one draw per API request, injected just before the
sandbox answers it. Kills come from a seeded plan too: right after QuickBooks Online applied a
write (its answer never leaves), a random moment after a request, or the moment Salesforce
receives a write-back. Runs go on until one finds nothing to do.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sfqb.codes import Catalog
from sfqb.jobs.alerts import AlertCenter
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.qbo_connection import QboConnections
from sfqb.sandbox.chaos import (
    _CLI,
    COMPANY,
    LOGIN,
    ChaosOptions,
    Kill,
    KillMode,
    cli,
    is_quiet,
    worker_env,
)
from sfqb.sandbox.qbo import QboSandbox
from sfqb.sandbox.qbo.api import Answer
from sfqb.sandbox.qbo_demo import connect
from sfqb.sandbox.salesforce import SalesforceSandbox, seed
from sfqb.store import SecretBox, Store, generate_key


@dataclass(frozen=True, slots=True)
class QboChaosOptions:
    """The size of the run, its fault rates (per API request) and its bounds."""

    accounts: int = 150
    products: int = 40
    opportunities: int = 200
    lost_reply_rate: float = 0.10
    server_error_rate: float = 0.07
    throttle_rate: float = 0.07
    expire_every: int = 9  # access tokens expire before every n-th request
    kills: int = 4
    kill_window: tuple[int, int] = (3, 16)  # API requests, within the initial load
    seed: int = 20260115
    max_runs: int = 40
    deadline_seconds: float = 150.0
    writeback_wait_seconds: float = 60.0
    run_timeout_seconds: float = 120.0


@dataclass(slots=True)
class QboChaosResult:
    """What happened, for the assertions and for a person reading a failure."""

    quiet: bool = False
    runs: list[str] = field(default_factory=list)
    kills_planned: list[Kill] = field(default_factory=list)
    kills_done: list[Kill] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    logs: list[Path] = field(default_factory=list)


def plan_kills(options: QboChaosOptions, rng: random.Random) -> list[Kill]:
    """Distinct API request numbers in the window, each with a mode (and a delay)."""
    low, high = options.kill_window
    calls = sorted(rng.sample(range(low, high + 1), options.kills))
    modes = list(KillMode)
    return [
        Kill(call, modes[n % len(modes)], round(rng.uniform(0.0, 1.0), 3))
        for n, call in enumerate(calls)
    ]


class SyncProcess:
    """`sfqb sync --company X` in a subprocess, one run at a time, killable from any thread."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self._env, self._workdir = env, workdir
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    def run(self, timeout: float) -> tuple[int, str]:
        """Run once to its end (or its kill); its exit status and output's last line."""
        log = self._workdir / f"sync-{len(self.logs) + 1}.log"
        self.logs.append(log)
        args = [sys.executable, *_CLI, "sync", "--company", COMPANY]
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                args, env=self._env, cwd=self._workdir, stdout=out, stderr=subprocess.STDOUT
            )
            with self._lock:
                self._process = process
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                code = process.wait()
        with self._lock:
            self._process = None
        lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return code, " ".join(" ".join(lines[-3:]).split())[:400]

    @property
    def generation(self) -> int:
        """Which run is (or was last) running, 1 for the first."""
        return len(self.logs)

    def kill(self, generation: int | None = None) -> bool:
        """SIGKILL the running process (only run `generation`, when given); True if it ran."""
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                return False
            if generation is not None and generation != self.generation:
                return False
            os.kill(process.pid, signal.SIGKILL)
        return True


class ChaosApi:
    """Wraps the sandbox's request handler: injects faults by the plan, kills by the plan."""

    def __init__(  # noqa: PLR0917 - the run's parts
        self,
        sandbox: QboSandbox,
        process: SyncProcess,
        salesforce: SalesforceSandbox,
        options: QboChaosOptions,
        result: QboChaosResult,
        rng: random.Random,
    ) -> None:
        self._sandbox, self._process, self._salesforce = sandbox, process, salesforce
        self._options, self._result, self._rng = options, result, rng
        self._handle = sandbox.api.handle
        self._plan = sorted(result.kills_planned, key=lambda k: k.round_trip)
        self._lock = threading.Lock()
        self._armed = 0
        self.requests = 0
        sandbox.api.handle = self  # type: ignore[method-assign]

    @property
    def pending(self) -> int:
        """Planned kills not carried out yet (a quiet run must have none)."""
        with self._lock:
            return len(self._plan) + self._armed

    def __call__(
        self, method: str, path: str, params: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Answer:
        with self._lock:
            self.requests += 1
            number = self.requests
            due = [k for k in self._plan if k.round_trip <= number]
            self._plan = [k for k in self._plan if k.round_trip > number]
            self._armed += len(due)
        self._inject(number)
        answer = self._handle(method, path, params, headers, body)
        for kill in due:
            self._trigger(kill, write=method == "POST")
        return answer

    def _inject(self, number: int) -> None:
        options, faults, draw = self._options, self._sandbox.faults, self._rng.random()
        if options.expire_every and number % options.expire_every == 0:
            self._sandbox.tokens.expire_access_tokens()
            self._result.faults["token expired"] += 1
        elif draw < options.lost_reply_rate:
            faults.lose_next_replies(1)
            self._result.faults["reply lost"] += 1
        elif draw < options.lost_reply_rate + options.server_error_rate:
            status = self._rng.choice((500, 503))
            faults.fail_next(1, status)
            self._result.faults[f"HTTP {status}"] += 1
        elif draw < options.lost_reply_rate + options.server_error_rate + options.throttle_rate:
            faults.throttle_next(1)
            self._result.faults["HTTP 429"] += 1

    def _trigger(self, kill: Kill, *, write: bool) -> None:
        generation = self._process.generation
        if kill.mode is KillMode.QB_APPLIED and write:
            self._done(kill, self._process.kill(generation))  # before the answer is sent
            return
        wait = self._kill_on_write if kill.mode is KillMode.SF_WRITEBACK else self._kill_later
        threading.Thread(target=wait, args=(kill, generation), daemon=True).start()

    def _done(self, kill: Kill, killed: bool) -> None:
        with self._lock:
            self._armed -= 1
            if not killed:  # the run ended first: the kill moves to the next request
                mode = KillMode.DELAYED if kill.mode is KillMode.SF_WRITEBACK else kill.mode
                self._plan.insert(0, Kill(self.requests + 1, mode, kill.delay))
        if killed:
            self._result.kills_done.append(kill)

    def _kill_later(self, kill: Kill, generation: int) -> None:
        time.sleep(kill.delay)
        self._done(kill, self._process.kill(generation))

    def _kill_on_write(self, kill: Kill, generation: int) -> None:
        api = self._salesforce.api
        seen = sum(1 for c in api.calls() if c.is_write)
        limit = time.monotonic() + self._options.writeback_wait_seconds
        while time.monotonic() < limit and self._process.generation == generation:
            if sum(1 for c in api.calls() if c.is_write) > seen:
                self._done(kill, self._process.kill(generation))
                return
            time.sleep(0.002)
        self._done(kill, False)


@dataclass(slots=True)
class QboChaosWorld:
    """The parts a test inspects after the run."""

    store_url: str
    secret_key: str
    requests: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def setup(
    options: QboChaosOptions,
    workdir: Path,
    salesforce: SalesforceSandbox,
    quickbooks: QboSandbox,
    catalog: Catalog,
) -> tuple[dict[str, str], QboChaosWorld]:
    """Seed Salesforce, connect both sides of the company in a SQLite store; the subprocess
    environment (store, key, the sandbox's API URL and CA) and the world."""
    seed(
        salesforce.org,
        options.accounts,
        random.Random(options.seed),
        products=options.products,
        opportunities=options.opportunities,
    )
    key = generate_key()
    env = worker_env(workdir, key, ChaosOptions())
    env.update(SFQB_QBO_API_URL=quickbooks.base_url, SFQB_QBO_CA_FILE=str(quickbooks.ca_path))
    store = Store.from_url(env["SFQB_DATABASE_URL"], secrets=SecretBox(key))
    try:
        store.migrate()
        if store.company(COMPANY) is None:
            store.create_company(COMPANY, *LOGIN)
        clock = lambda: datetime.now(UTC)  # noqa: E731 - real time, as the subprocess
        alerts = AlertCenter(store, lambda _settings: [], clock)
        circuit = Circuit(store, alerts, clock, catalog=catalog)
        connect(QboConnections(store, circuit, alerts, catalog, clock), quickbooks, COMPANY)
    finally:
        store.engine.dispose()
    ca = str(salesforce.ca_path)
    cli(env, workdir, "connect", "salesforce", "--company", COMPANY, "--instance",
        salesforce.instance, "--session-id", salesforce.session_id, "--ca-file", ca)  # fmt: skip
    return env, QboChaosWorld(env["SFQB_DATABASE_URL"], key)


def run_qbo_chaos(  # noqa: PLR0917 - the run's parts
    options: QboChaosOptions,
    workdir: Path,
    salesforce: SalesforceSandbox,
    quickbooks: QboSandbox,
    catalog: Catalog,
    progress: Callable[[str], None] = lambda line: None,
) -> tuple[QboChaosWorld, QboChaosResult]:
    """Set the company up, then run `sfqb sync` with faults and kills until a run is quiet."""
    rng = random.Random(options.seed)
    env, world = setup(options, workdir, salesforce, quickbooks, catalog)
    result = QboChaosResult(kills_planned=plan_kills(options, rng))
    process = SyncProcess(env, workdir)
    chaos = ChaosApi(quickbooks, process, salesforce, options, result, random.Random(rng.random()))
    store = Store.from_url(world.store_url)
    started = time.monotonic()
    try:
        for number in range(1, options.max_runs + 1):
            if time.monotonic() - started > options.deadline_seconds:
                break
            code, last = process.run(options.run_timeout_seconds)
            killed = code == -signal.SIGKILL
            line = f"run {number}: {'killed' if killed else f'exit {code}'}: {last}"
            result.runs.append(line)
            progress(line)
            if not killed and code == 0 and not chaos.pending and is_quiet(store):
                result.quiet = True
                break
    finally:
        quickbooks.api.handle = chaos._handle  # type: ignore[method-assign]
        result.elapsed = time.monotonic() - started
        result.logs = list(process.logs)
        store.engine.dispose()
    world.requests = chaos.requests
    return world, result
