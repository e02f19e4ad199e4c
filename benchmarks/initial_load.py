"""Benchmark: the initial load through the Web Connector, and a quiet cycle, at several sizes.

Run with `make bench` (or `.venv/bin/python benchmarks/initial_load.py --scales 1,4`). Scale 1
is 400 accounts, 100 products and 500 opportunities (1,000 records); scale N is N times that.

For each scale this process seeds the Salesforce sandbox and runs it (HTTPS on loopback) with
the QuickBooks Desktop sandbox and the Web Connector stand-in; sfqb runs in another process
(`sfqb_side.py`: its `/qbwc` endpoint on a SQLite store), so sfqb's CPU time and peak resident
memory, read from /proc, are its own. Runs: the initial load; `settle` cycles until one writes
nothing (sfqb reads back what it wrote); then two quiet cycles, with nothing changed on either
side (`quiet_cycle`: 1, 2). One JSON line per run: records, seconds, records/s, API calls
(Salesforce requests and Web Connector round trips), sfqb's CPU ms per record and its peak RSS
so far.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from sfqb.codes import load_catalog
from sfqb.sandbox.demo import LOGIN
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, RunResult, WebConnectorClient
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, seed

BASE = {"accounts": 400, "products": 100, "opportunities": 500}  # scale 1: 1,000 records
SETTLE_MAX = 5  # settle sessions at most before the quiet cycles
# Quiet cycles measured: the first reads QuickBooks' last minutes before its checkpoint again
# (the overlap); once a clean read has covered them, the second starts after the checkpoint.
QUIET = 2
# A session ended well: QuickBooks answered every batch (done), or the cycle beside the session
# was writing back when the Web Connector asked, and it ended on "" (nothing sent).
ENDED = (Outcome.DONE.value, Outcome.NOTHING_SENT.value)


@dataclass(frozen=True, slots=True)
class Sfqb:
    """The sfqb process and where it writes its cycle reports."""

    process: subprocess.Popen[str]
    endpoint: str
    reports: Path

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the process so far (/proc/PID/stat)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        raise RuntimeError("no VmHWM")

    def report_lines(self) -> list[dict[str, Any]]:
        """Every cycle report written so far."""
        if not self.reports.exists():
            return []
        return [json.loads(line) for line in self.reports.read_text().splitlines() if line]


def _start_sfqb(salesforce: SalesforceSandbox, workdir: Path) -> Sfqb:
    config = {
        "instance": salesforce.instance,
        "session_id": salesforce.session_id,
        "ca_path": str(salesforce.ca_path),
        "store_url": f"sqlite:///{workdir / 'sfqb.sqlite'}",
        "reports": str(workdir / "reports.jsonl"),
    }
    script = Path(__file__).with_name("sfqb_side.py")
    log = (workdir / "sfqb.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - sfqb itself
        [sys.executable, str(script), json.dumps(config)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    endpoint = process.stdout.readline().strip()
    if not endpoint:
        raise RuntimeError(f"the sfqb process did not start; see {workdir / 'sfqb.log'}")
    return Sfqb(process, endpoint, Path(config["reports"]))


def _session(
    label: str, scale: int, client: WebConnectorClient, sfqb: Sfqb, sf: SalesforceSandbox
) -> dict[str, Any]:
    """One Web Connector session, measured."""
    before = len(sfqb.report_lines())
    sf.clear_calls()
    cpu = sfqb.cpu_seconds()
    started = time.perf_counter()
    try:
        session = client.run(*LOGIN)
    except requests.RequestException as exc:  # the stand-in gave up on a call, as QBWC does
        session = RunResult(outcome=Outcome.ERROR, last_error=f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    cpu = sfqb.cpu_seconds() - cpu
    deadline = time.monotonic() + 10  # the report is written as the cycle's last answer goes
    while len(sfqb.report_lines()) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    reports = sfqb.report_lines()[before:]
    records = sum(r["synced"] for r in reports)
    round_trips = len(session.exchanges)
    sf_calls = len(sf.calls)
    return {
        "run": label,
        "scale": scale,
        "outcome": session.outcome.value,
        **({"error": session.last_error} if session.outcome is Outcome.ERROR else {}),
        "records": records,
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds, 1) if records else 0,
        "api_calls": sf_calls + round_trips,
        "salesforce_calls": sf_calls,
        "webconnector_round_trips": round_trips,
        # sendRequestXML found nothing ready yet ("NoOp"): the Web Connector waited 5 s each
        "noop_pauses": session.pauses,
        "salesforce_writes": sum(r["sf_writes"] for r in reports),
        "wrote": any(r["wrote"] for r in reports),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_record": round(1000 * cpu / records, 2) if records else None,
        "peak_rss_mb": sfqb.peak_rss_mb(),
    }


def run_scale(
    scale: int, timeout: float, emit: Callable[[dict[str, Any]], None]
) -> list[dict[str, Any]]:
    """The initial load, settle sessions and the quiet cycles at one scale; `emit` gets each
    run's line as it ends."""
    workdir = Path(tempfile.mkdtemp(prefix=f"sfqb-bench-{scale}x-"))
    clock = lambda: datetime.now(UTC)  # noqa: E731 - real time on both sides
    counts = {k: v * scale for k, v in BASE.items()}
    quickbooks = CompanyFile(SandboxSettings(), clock, random.Random(7))
    lines: list[dict[str, Any]] = []
    config = SandboxConfig(tls_dir=workdir / "tls", clock=clock)
    with SalesforceSandbox(config) as salesforce:
        seed(salesforce.org, counts["accounts"], random.Random(7),
             products=counts["products"], opportunities=counts["opportunities"])  # fmt: skip
        sfqb = _start_sfqb(salesforce, workdir)
        try:
            client = WebConnectorClient(f"{sfqb.endpoint}?wsdl", quickbooks, timeout=timeout)
            lines.append(_session("initial load", scale, client, sfqb, salesforce))
            emit(lines[-1])
            if lines[-1]["outcome"] not in ENDED:
                return lines  # e.g. a call the stand-in gave up on: nothing more to measure
            for _ in range(SETTLE_MAX):
                lines.append(_session("settle", scale, client, sfqb, salesforce))
                emit(lines[-1])
                if lines[-1]["outcome"] not in ENDED or not lines[-1]["wrote"]:
                    break
            for number in range(1, QUIET + 1):
                quiet = _session("quiet cycle", scale, client, sfqb, salesforce)
                lines.append({**quiet, "quiet_cycle": number})
                emit(lines[-1])
        finally:
            assert sfqb.process.stdin is not None
            sfqb.process.stdin.close()
            sfqb.process.wait(timeout=30)
    return lines


def main() -> None:
    """Run the benchmark at each scale and print one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,4,16", help="comma-separated (default 1,4,16)")
    parser.add_argument(
        "--timeout", type=float, default=30.0,
        help="seconds the Web Connector stand-in waits for each call (the real one: 30)",
    )  # fmt: skip
    parser.add_argument(
        "--record", type=Path, metavar="FILE",
        help="also append the runs, with the machine, as a Markdown table to FILE",
    )  # fmt: skip
    args = parser.parse_args()
    try:
        scales = [int(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--scales takes whole numbers separated by commas, not {args.scales!r}")
    if not scales or min(scales) < 1:
        parser.error("--scales takes whole numbers of at least 1")
    load_catalog()  # fail early on a broken install
    started = datetime.now(UTC)
    lines = [
        line
        for scale in scales
        for line in run_scale(scale, args.timeout, lambda x: print(json.dumps(x), flush=True))
    ]
    if args.record is not None:
        with args.record.open("a") as out:
            out.write(record(lines, started, " ".join(sys.argv[1:])))


COLUMNS = (
    "run", "scale", "outcome", "records", "seconds", "records_per_second", "salesforce_calls",
    "webconnector_round_trips", "cpu_ms_per_record", "cpu_seconds", "peak_rss_mb",
)  # fmt: skip


def machine() -> str:
    """The machine, as a line: CPUs, model, memory, load, Python."""
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), "unknown model",
    )  # fmt: skip
    memory = next(
        int(line.split()[1]) // (1024 * 1024)
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({model}), {memory} GiB, Python {sys.version.split()[0]}; "
        f"load average at the end {load}"
    )


def record(
    lines: list[dict[str, Any]],
    started: datetime,
    arguments: str,
    script: str = "initial_load.py",
    columns: tuple[str, ...] = COLUMNS,
) -> str:
    """The runs (`columns` of each) as a Markdown section for BENCHMARKS.md."""
    head = [
        f"\n### {started:%Y-%m-%d %H:%M} UTC: `benchmarks/{script} {arguments}`\n",
        f"Machine: {machine()}.\n",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    rows = [
        "| " + " | ".join(
            f"{line['run']} {line['quiet_cycle']}" if key == "run" and "quiet_cycle" in line
            else "–" if line.get(key) is None else str(line[key]) for key in columns
        ) + " |"
        for line in lines
    ]  # fmt: skip
    return "\n".join([*head, *rows, ""])


if __name__ == "__main__":
    main()
