"""Benchmark: twenty companies' initial loads on one PostgreSQL store, run by real processes.

Run with `make bench` (or `.venv/bin/python benchmarks/fleet_load.py --records-per-company 50`).
Two `sfqb serve --workers` and three `sfqb worker` processes share a throwaway schema of the
database at `--database-url` (dropped at the end), as in tests/jobs/test_workers_processes.py
(the harness is sfqb.sandbox.fleet). Fifteen companies sync into QuickBooks Desktop sandbox
company files (direct runs), four through the Web Connector stand-in (its calls alternating
between the two `sfqb serve`), one into the QuickBooks Online sandbox. Each company's own
Salesforce sandbox holds `--records-per-company` records (`scale`: 40% accounts, 10% products,
50% opportunities, as initial_load.py's scale 1 per 1,000), seeded before anything runs.

The clock starts when `sfqb sync --defer` asks for a cycle of every company (all data ready).
A company's lag is from then to the end of its last succeeded cycle that synced records (from
the run table); `seconds` is the largest lag, `records` the run table's synced counts.
`api_calls` are Salesforce requests (every sandbox) plus QuickBooks requests (QuickBooks
Desktop message sets, `qb_batches` of the runs, and QuickBooks Online sandbox requests).
`cpu_ms_per_record` is the CPU of the five sfqb processes (/proc/PID/stat) from the deferral
to the end, over the records; `peak_rss_mb` the largest peak RSS (VmHWM) of one of them,
`peak_rss_mb_sum` the sum of their peaks. The sandboxes run in this process, not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from initial_load import record
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from sfqb.cli.main import app
from sfqb.sandbox import fleet
from sfqb.sandbox.qbo import QboConfig, QboSandbox
from sfqb.sandbox.qbo_connect import connect_qbo, qbo_settings
from sfqb.sandbox.salesforce import SalesforceSandbox
from sfqb.store import SecretBox, Store, generate_key

RUN = "fleet 20 companies"
DIRECT = [f"co{n:02d}" for n in range(15)]
WEB_CONNECTOR = [f"wc{n}" for n in range(4)]
QBO = "qbo"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
COLUMNS = (
    "run", "companies", "scale", "records", "seconds", "records_per_second", "lag_seconds_min",
    "lag_seconds_median", "lag_seconds_max", "api_calls", "cpu_ms_per_record", "peak_rss_mb",
    "peak_rss_mb_sum",
)  # fmt: skip


def lags(runs: Sequence[fleet.Run], asked: datetime) -> dict[str, float]:
    """Seconds from `asked` to the end of each company's last succeeded cycle that synced."""
    ends: dict[str, datetime] = {}
    for run in runs:
        if run.status == "succeeded" and run.finished_at is not None and run.synced > 0:
            ends[run.company] = max(run.finished_at, ends.get(run.company, run.finished_at))
    return {company: (end - asked).total_seconds() for company, end in sorted(ends.items())}


def slowest_by_kind(lag: dict[str, float]) -> dict[str, float | None]:
    """The largest lag among the direct, Web Connector and QuickBooks Online companies."""
    kinds = {"direct": DIRECT, "web_connector": WEB_CONNECTOR, "qbo": [QBO]}
    return {
        kind: max((round(lag[c], 2) for c in companies if c in lag), default=None)
        for kind, companies in kinds.items()
    }


def result_line(
    *,
    scale: int,
    companies: int,
    runs: Sequence[fleet.Run],
    asked: datetime,
    api_calls: int,
    cpu_seconds: float,
    peak_rss_mb: Sequence[float],
) -> dict[str, Any]:
    """The run's JSON line: records, records/s, lag per company and the processes' costs."""
    lag = lags(runs, asked)
    records = sum(run.synced for run in runs if run.status == "succeeded")
    seconds = max(lag.values(), default=0.0)
    return {
        "run": RUN,
        "scale": scale,
        "companies": companies,
        "companies_synced": len(lag),
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds, 1) if seconds else 0,
        "lag_seconds_min": round(min(lag.values()), 2) if lag else None,
        "lag_seconds_median": round(statistics.median(lag.values()), 2) if lag else None,
        "lag_seconds_max": round(seconds, 2) if lag else None,
        "api_calls": api_calls,
        "cpu_seconds": round(cpu_seconds, 2),
        "cpu_ms_per_record": round(1000 * cpu_seconds / records, 2) if records else None,
        "peak_rss_mb": max(peak_rss_mb, default=0.0),
        "peak_rss_mb_sum": round(sum(peak_rss_mb), 1),
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmHWM for process {pid}")


def _sfqb(*args: str) -> str:
    """`sfqb ARGS` in this process, with this process's settings; its output."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    if result.exit_code != 0:
        raise RuntimeError(f"sfqb {' '.join(args)} failed:\n{result.output}")
    return result.output


def _drive(runs: fleet.WebConnectorRuns, store: Store, jobs_done: threading.Event) -> None:
    """Web Connector runs until one that began after every job was done synced nothing; half a
    second apart when one synced nothing (the real Web Connector waits minutes)."""
    synced = -1
    while runs.failure is None:
        after_jobs = jobs_done.is_set()
        runs.run()
        now = sum(r.synced for r in fleet.runs(store) if r.company == runs.company)
        if after_jobs and now == synced:
            return
        if now == synced:
            time.sleep(0.5)
        synced = now


def _companies(
    stack: ExitStack, store: Store, workdir: Path, counts: dict[str, int], qbo: QboSandbox
) -> list[SalesforceSandbox]:
    """Every company's Salesforce sandbox seeded and connected, and its QuickBooks connected."""
    sandboxes = []
    for n, company in enumerate([*DIRECT, *WEB_CONNECTOR, QBO]):
        sf, _ = fleet.salesforce_company(
            stack, _sfqb, company, workdir / company, random.Random(n), counts["accounts"],
            products=counts["products"], opportunities=counts["opportunities"],
        )  # fmt: skip
        sandboxes.append(sf)
        if company in DIRECT:
            book = str(workdir / f"{company}.json")
            _sfqb("connect", "qbd", "--company", company, "--sandbox-file", book)
        elif company in WEB_CONNECTOR:
            store.create_company(company, company, "pw")
    connect_qbo(QBO, qbo.ca_path)
    return sandboxes


def _workers(stack: ExitStack, workdir: Path, deadline: float) -> list[subprocess.Popen[bytes]]:
    """Three `sfqb worker`, stopped with `stack`; once each has started."""
    workers = []
    logs = [workdir / f"worker{n}.log" for n in (1, 2, 3)]
    for n, log in enumerate(logs, 1):  # no tick during the run: only the deferred cycles
        workers.append(fleet.start_worker(f"w{n}", log, 30, ("--tick-seconds", "3600")))
        stack.callback(workers[-1].wait, 30)
        stack.callback(workers[-1].terminate)
    started = lambda: all("started" in log.read_text() for log in logs)  # noqa: E731
    fleet.wait_for(deadline, "the workers to start", started)
    return workers


def run_fleet(url: str, per_company: int, timeout: float, workdir: Path) -> dict[str, Any]:
    """Set the companies up, defer a cycle of each, wait until all are synced; the JSON line."""
    key = generate_key()
    os.environ.update(SFQB_DATABASE_URL=url, SFQB_SECRET_KEY=key)
    os.environ.pop("SFQB_CONFIG", None)
    store = Store.from_url(url, secrets=SecretBox(key))
    store.migrate()
    share = {"accounts": 0.4, "products": 0.1, "opportunities": 0.5}
    counts = {k: max(1, round(per_company * v)) for k, v in share.items()}
    with ExitStack() as stack:
        stack.callback(store.engine.dispose)
        qbo = stack.enter_context(QboSandbox(QboConfig(tls_dir=workdir / "qbo-tls")))
        os.environ.update(qbo_settings(qbo, "https://sfqb.example", key))
        serves = [fleet.serve_with_workers(dict(os.environ), workdir / f"serve{n}") for n in (1, 2)]
        starting = [threading.Thread(target=serve.start) for serve in serves]
        for serve, thread in zip(serves, starting, strict=True):
            stack.callback(serve.stop)
            thread.start()
        sandboxes = _companies(stack, store, workdir, counts, qbo)
        for thread in starting:
            thread.join(timeout=120)
        endpoints = [serve.endpoint for serve in serves]
        if not all(endpoints):
            raise RuntimeError(f"sfqb serve did not start; see {workdir}")
        deadline = time.monotonic() + timeout
        workers = _workers(stack, workdir, deadline)
        pids = [p for p in [*(s.pid for s in serves), *(w.pid for w in workers)] if p]
        cpu = sum(_cpu_seconds(pid) for pid in pids)
        for sf in sandboxes:
            sf.clear_calls()
        qbo_calls = len(qbo.calls)

        asked = datetime.now(UTC)
        _sfqb("sync", "--defer")
        jobs_done = threading.Event()
        connectors = [fleet.WebConnectorRuns(c, endpoints, n) for n, c in enumerate(WEB_CONNECTOR)]
        sessions = [
            threading.Thread(target=_drive, args=(c, store, jobs_done), daemon=True)
            for c in connectors
        ]
        for session in sessions:
            session.start()
        fleet.wait_for(deadline, "every job done", lambda: fleet.open_jobs(store) == 0)
        jobs_done.set()
        for session in sessions:
            session.join(timeout=max(1.0, deadline - time.monotonic()))
        fleet.wait_for(deadline, "every cycle ended", lambda: not fleet.unfinished(store))
        failed = [f"{c.company}: {c.failure!r}" for c in connectors if c.failure is not None]
        if failed:
            raise RuntimeError(f"Web Connector runs failed: {'; '.join(failed)}")
        cpu = sum(_cpu_seconds(pid) for pid in pids) - cpu
        peaks = [_peak_rss_mb(pid) for pid in pids]
        runs = fleet.runs(store)
        qb_batches = sum(int(r.counts.get("qb_batches", 0)) for r in runs if r.company != QBO)
        api_calls = sum(len(sf.calls) for sf in sandboxes) + qb_batches
        api_calls += len(qbo.calls) - qbo_calls
        line = result_line(
            scale=per_company, companies=len(sandboxes), runs=runs, asked=asked,
            api_calls=api_calls, cpu_seconds=cpu, peak_rss_mb=peaks,
        )  # fmt: skip
        line["webconnector_round_trips"] = sum(c.round_trips for c in connectors)
        line["lag_seconds_max_by_kind"] = slowest_by_kind(lags(runs, asked))
        return line


def main() -> None:
    """Run the fleet once and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records-per-company", type=int, default=200, metavar="N")
    parser.add_argument(
        "--database-url", default=os.environ.get("SFQB_TEST_DATABASE_URL") or DEFAULT_URL,
        help="PostgreSQL (default $SFQB_TEST_DATABASE_URL, else the local test database)",
    )  # fmt: skip
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds for the run")
    parser.add_argument(
        "--record", type=Path, metavar="FILE",
        help="also append the run, with the machine, as a Markdown table to FILE",
    )  # fmt: skip
    args = parser.parse_args()
    if args.records_per_company < 3:
        parser.error("--records-per-company takes a whole number of at least 3")
    if not args.database_url.startswith("postgresql"):
        parser.error(f"--database-url must be a PostgreSQL URL, not {args.database_url!r}")
    try:
        with create_engine(args.database_url).connect():
            pass
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"fleet_load: PostgreSQL is not reachable at {args.database_url}: {reason}",
              file=sys.stderr)  # fmt: skip
        sys.exit(2)
    started = datetime.now(UTC)
    workdir = Path(tempfile.mkdtemp(prefix="sfqb-bench-fleet-"))
    with fleet.new_schema(args.database_url, "sfqb_bench_fleet_") as (_, url):
        line = run_fleet(url, args.records_per_company, args.timeout, workdir)
    print(json.dumps(line), flush=True)
    if args.record is not None:
        with args.record.open("a") as out:
            out.write(record([line], started, " ".join(sys.argv[1:]), "fleet_load.py", COLUMNS))


if __name__ == "__main__":
    main()
