"""A chaos run: `sfqb serve` as a separate process, killed with SIGKILL at random points.

The Salesforce sandbox (seeded) and the QuickBooks sandbox company (locks and lost replies)
run in this process; the worker is a real `sfqb serve` subprocess over its own SQLite store,
set up through the CLI (`sfqb connect salesforce`, `sfqb qwc`). The Web Connector stand-in
runs session after session against the worker's /qbwc. Kills come from a seeded plan: right
after QuickBooks applied a message set (before its reply is posted), a random moment after a
message set, or the moment Salesforce receives a write-back. A killed worker is started
again over the same store, and sessions go on until a cycle finds nothing to do.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import yaml

from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, seed
from sfqb.store import QueueStatus, Store, generate_key

COMPANY = "chaos"
LOGIN = ("chaos", "chaos-password")
_READY = re.compile(r"Uvicorn running on http://[\d.]+:(\d+)")
_CLI = ("-c", "from sfqb.cli.main import main; main()")
NOOP_PAUSE = 0.2  # seconds the stand-in waits after getLastError's NoOp


class KillMode(StrEnum):
    """Where in a round trip the worker dies."""

    QB_APPLIED = "qb_applied"  # QuickBooks applied the set; its reply is never posted
    DELAYED = "delayed"  # a random moment after QuickBooks answered (server mid-call or later)
    SF_WRITEBACK = "sf_writeback"  # the moment Salesforce receives a write of the cycle


@dataclass(frozen=True, slots=True)
class Kill:
    """One planned SIGKILL: after QuickBooks' `round_trip`-th message set, in `mode`."""

    round_trip: int
    mode: KillMode
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class ChaosOptions:
    """The size of the run, its faults and its bounds."""

    accounts: int = 400
    products: int = 100
    opportunities: int = 500
    lock_rate: float = 0.10
    lost_reply_rate: float = 0.05
    kills: int = 4
    kill_window: tuple[int, int] = (2, 9)  # within the initial load, while there is work
    outage_session: int = 3
    seed: int = 20240606
    session_timeout_seconds: int = 1
    max_sessions: int = 80
    deadline_seconds: float = 210.0
    # An SF_WRITEBACK kill waits this long for the next write-back: a cycle of the initial
    # load writes back only at its end, tens of seconds later on a loaded machine.
    writeback_wait_seconds: float = 90.0


@dataclass(slots=True)
class ChaosResult:
    """What happened, for the assertions and for a person reading a failure."""

    quiet: bool = False
    sessions: list[str] = field(default_factory=list)
    kills_done: list[Kill] = field(default_factory=list)
    kills_planned: list[Kill] = field(default_factory=list)
    restarts: int = 0
    outages: int = 0
    elapsed: float = 0.0
    worker_logs: list[Path] = field(default_factory=list)


def plan_kills(options: ChaosOptions, rng: random.Random) -> list[Kill]:
    """Distinct round trips in the window, each with a mode (and a delay for DELAYED)."""
    low, high = options.kill_window
    trips = sorted(rng.sample(range(low, high + 1), options.kills))
    modes = list(KillMode)
    kills = []
    for number, trip in enumerate(trips):
        mode = modes[number % len(modes)] if number < len(modes) else rng.choice(modes)
        kills.append(Kill(trip, mode, round(rng.uniform(0.0, 1.5), 3)))
    return kills


class Worker:
    """`sfqb serve` in a subprocess; started again over the same store after each kill."""

    def __init__(
        self,
        env: Mapping[str, str],
        workdir: Path,
        session_timeout: int,
        extra_args: Sequence[str] = (),
    ) -> None:
        self._env = dict(env)
        self._workdir = workdir
        self._timeout = session_timeout
        self._extra = tuple(extra_args)
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.endpoint = ""
        self.logs: list[Path] = []

    def start(self, wait: float = 60.0) -> str:
        """Start the worker; returns its /qbwc address once uvicorn listens."""
        log = self._workdir / f"worker-{len(self.logs) + 1}.log"
        self.logs.append(log)
        args = [sys.executable, *_CLI, "serve", "--port", "0"]
        args += ["--session-timeout", str(self._timeout), "--watch-seconds", "3600", *self._extra]
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                args, env=self._env, cwd=self._workdir, stdout=out, stderr=subprocess.STDOUT
            )
        with self._lock:
            self._process = process
        limit = time.monotonic() + wait
        while time.monotonic() < limit:
            found = _READY.search(log.read_text(encoding="utf-8", errors="replace"))
            if found:
                self.endpoint = f"http://127.0.0.1:{found.group(1)}/qbwc"
                return self.endpoint
            if process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        text = log.read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"sfqb serve did not start; its output:\n{text[-3000:]}")

    @property
    def alive(self) -> bool:
        """True while the worker process runs."""
        with self._lock:
            return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        """The running process's id (None when stopped)."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    @property
    def generation(self) -> int:
        """Which start of the worker is running (1 for the first)."""
        return len(self.logs)

    def kill(self, generation: int | None = None) -> bool:
        """SIGKILL the worker (no clean-up of any kind); True when it was running.

        With `generation`, only that start of the worker is killed: a kill planned against a
        worker that has died since must not hit its successor.
        """
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                return False
            if generation is not None and generation != self.generation:
                return False
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True

    def stop(self) -> None:
        """End the worker gracefully (SIGTERM), or kill it when it does not stop."""
        with self._lock:
            process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class KillingQuickBooks:
    """The sandbox company as the stand-in sees it, killing the worker as the plan says."""

    def __init__(
        self,
        company: CompanyFile,
        worker: Worker,
        plan: list[Kill],
        salesforce: SalesforceSandbox,
        done: list[Kill],
    ) -> None:
        self.company = company
        self._worker = worker
        self._plan = sorted(plan, key=lambda k: k.round_trip)
        self._salesforce = salesforce
        self._done = done
        self._armed = 0
        self._armed_lock = threading.Lock()
        self.round_trips = 0
        self.writeback_wait = 30.0

    @property
    def pending(self) -> int:
        """Planned kills not yet carried out or given up (a quiet run must have none)."""
        with self._armed_lock:
            return len(self._plan) + self._armed

    def begin_session(self) -> None:
        """Open the connection (may raise ConnectorDown)."""
        self.company.begin_session()

    def end_session(self) -> None:
        """Close the connection."""
        self.company.end_session()

    def process(self, request_xml: str) -> str:
        """Answer like QuickBooks, then kill the worker if this round trip is planned."""
        response = self.company.process(request_xml)  # LostReply propagates as in QBWC
        self.round_trips += 1
        while self._plan and self._plan[0].round_trip <= self.round_trips:
            self._trigger(self._plan.pop(0))
        return response

    def _trigger(self, kill: Kill) -> None:
        if kill.mode is KillMode.QB_APPLIED:
            if self._worker.kill():
                self._done.append(kill)
            return
        with self._armed_lock:
            self._armed += 1
        target = self._kill_later if kill.mode is KillMode.DELAYED else self._kill_on_write
        args = (kill, self._worker.generation)
        threading.Thread(target=target, args=args, daemon=True).start()

    def _disarm(self) -> None:
        with self._armed_lock:
            self._armed -= 1

    def _kill_later(self, kill: Kill, generation: int) -> None:
        time.sleep(kill.delay)
        # If another kill took its worker meanwhile, this one hits the worker running now.
        if self._worker.kill(self._worker.generation):
            self._done.append(kill)
        self._disarm()

    def _kill_on_write(self, kill: Kill, generation: int) -> None:
        seen = sum(1 for c in self._salesforce.api.calls() if c.is_write)
        limit = time.monotonic() + self.writeback_wait
        while time.monotonic() < limit:
            if sum(1 for c in self._salesforce.api.calls() if c.is_write) > seen:
                # The worker writing back now (the one planned against, or its successor).
                if self._worker.kill(self._worker.generation):
                    self._done.append(kill)
                break
            time.sleep(0.002)
        self._disarm()


def worker_env(workdir: Path, key: str, options: ChaosOptions) -> dict[str, str]:
    """The worker's environment: its store, secret key and a config with quick retries."""
    config = workdir / "sfqb.yaml"
    policy = {"backoff_base_seconds": 1, "backoff_cap_seconds": 2}
    config.write_text(yaml.safe_dump({"companies": {COMPANY: {"policy": policy}}}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SFQB_")}
    env.update(
        SFQB_DATABASE_URL=f"sqlite:///{workdir / 'sfqb.sqlite'}",
        SFQB_SECRET_KEY=key,
        SFQB_CONFIG=str(config),
        PYTHONUNBUFFERED="1",
    )
    return env


def cli(env: Mapping[str, str], workdir: Path, *args: str) -> str:
    """Run one sfqb command as a person would; raises with its output when it fails."""
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, *_CLI, *args],
        env=dict(env),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sfqb {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def is_quiet(store: Store) -> bool:
    """Nothing left in the queue but done rows, and the last cycle wrote nothing (its batches
    beyond the first only carried further pages of reads)."""
    counts = store.queue.count_by_status(COMPANY)
    if set(counts) - {QueueStatus.DONE}:
        return False
    runs = store.journal.runs(COMPANY, limit=1)
    if not runs or runs[0].finished_at is None:
        return False
    last = runs[0].counts
    batches = last.get("qb_batches", 0) - last.get("qb_pages", 0)
    return batches <= 1 and last.get("sf_writes", 0) == 0


@dataclass(slots=True)
class ChaosWorld:
    """The parts a test inspects after the run."""

    salesforce: SalesforceSandbox
    quickbooks: CompanyFile
    store_url: str
    secret_key: str


def run_chaos(
    options: ChaosOptions,
    workdir: Path,
    salesforce: SalesforceSandbox,
    progress: Callable[[str], None] = lambda line: None,
) -> tuple[ChaosWorld, ChaosResult]:
    """Seed, set the company up through the CLI, then run sessions with kills until quiet."""
    rng = random.Random(options.seed)
    seed(
        salesforce.org,
        options.accounts,
        random.Random(options.seed),
        products=options.products,
        opportunities=options.opportunities,
    )
    key = generate_key()
    env = worker_env(workdir, key, options)
    ca = str(salesforce.ca_path)
    cli(env, workdir, "connect", "salesforce", "--company", COMPANY, "--instance",
        salesforce.instance, "--session-id", salesforce.session_id, "--ca-file", ca)  # fmt: skip
    cli(env, workdir, "qwc", "--company", COMPANY, "--user", LOGIN[0], "--password", LOGIN[1])
    quickbooks = CompanyFile(
        SandboxSettings(lock_rate=options.lock_rate, lost_reply_rate=options.lost_reply_rate),
        lambda: datetime.now(UTC),
        random.Random(rng.random()),
    )
    result = ChaosResult(kills_planned=plan_kills(options, rng))
    worker = Worker(env, workdir, options.session_timeout_seconds)
    killing = KillingQuickBooks(
        quickbooks, worker, list(result.kills_planned), salesforce, result.kills_done
    )
    killing.writeback_wait = options.writeback_wait_seconds
    store = Store.from_url(env["SFQB_DATABASE_URL"])
    started = time.monotonic()
    try:
        _sessions(
            options,
            worker=worker,
            quickbooks=killing,
            store=store,
            result=result,
            progress=progress,
        )
    finally:
        worker.stop()
        result.elapsed = time.monotonic() - started
        result.worker_logs = list(worker.logs)
        store.engine.dispose()
    world = ChaosWorld(salesforce, quickbooks, env["SFQB_DATABASE_URL"], key)
    return world, result


def _sessions(
    options: ChaosOptions,
    *,
    worker: Worker,
    quickbooks: KillingQuickBooks,
    store: Store,
    result: ChaosResult,
    progress: Callable[[str], None],
) -> None:
    pause = options.session_timeout_seconds + 0.2
    started = time.monotonic()
    for number in range(1, options.max_sessions + 1):
        if time.monotonic() - started > options.deadline_seconds:
            break
        if not worker.alive:
            if worker.endpoint:
                result.restarts += 1
            worker.start()
        if number == options.outage_session:
            quickbooks.company.faults.connector_down_next(1)
            result.outages += 1
        line = f"session {number}: "
        outcome: Outcome | None = None
        try:
            # QBWC pauses 5 s on NoOp; the chaos run checks correctness, not pacing.
            client = WebConnectorClient(
                f"{worker.endpoint}?wsdl", quickbooks, address=worker.endpoint, timeout=60,
                noop_pause=NOOP_PAUSE,
            )  # fmt: skip
            run = client.run(*LOGIN)
            outcome = run.outcome
            line += f"{outcome.value}, {len(run.exchanges)} round trips"
        except Exception as exc:  # the worker died under the session: it simply ends
            line += f"ended by {type(exc).__name__}: {str(exc)[:200]}"
        time.sleep(0.05)  # let a delayed kill land before deciding anything
        if not worker.alive:
            line += " (worker killed)"
        result.sessions.append(line)
        progress(line)
        if outcome in (Outcome.BUSY, Outcome.REPLY_LOST):
            time.sleep(pause)  # the abandoned session must time out first
            continue
        # A session whose cycle was still writing back at its last answer ends on "" instead.
        finished = outcome in (Outcome.DONE, Outcome.NOTHING_SENT)
        if worker.alive and finished and not quickbooks.pending and is_quiet(store):
            result.quiet = True
            return
        if finished and _backing_off(store):
            time.sleep(1.0)


def _backing_off(store: Store) -> bool:
    counts = store.queue.count_by_status(COMPANY)
    return bool(counts.get(QueueStatus.FAILED) or counts.get(QueueStatus.WAITING))


def sandbox_config(workdir: Path) -> SandboxConfig:
    """The Salesforce sandbox's configuration for a chaos run (its CA under `workdir`)."""
    return SandboxConfig(tls_dir=workdir / "tls")
