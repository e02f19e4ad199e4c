"""Benchmark: an initial load of 3,000 records into the QuickBooks Online sandbox, which enforces
Intuit's limits in real time (500 requests a minute per company, 10 a second, 40 batches a
minute), first with sfqb as the company's only app, then with a simulated second app using part
of the budget.

Run with `make bench` (or `.venv/bin/python benchmarks/qbo_load.py --other-app 150`). Each run
prints one JSON line. How the rate is measured, from the sandbox's log of the requests it
answered (sfqb's only), each also as a fraction of the 500 a minute ceiling:

- `load`: the cycles that wrote (the load itself), from their first QuickBooks Online request
  to their last: `per_minute_whole_run` is all those requests over that time,
  `per_minute_full_windows` the mean count of the complete 60-second windows laid end to end
  from the first request, `per_minute_peak` the most in any sliding 60 seconds;
  `batch_out_share` the part of that time in which a batch was out at QuickBooks Online (its
  requests, or the limiter holding them); the rest QuickBooks Online waited on sfqb;
- `all_cycles`: the same over every cycle, with the last one, which finds nothing to write. That
  check cycle is run at once here; `sfqb serve` runs it `sync_every_minutes` later, so its few
  reads, and sfqb's Salesforce write-back and re-read before them, are not load time.

"Nothing lost": every record bound, every queue row done, no duplicate in QuickBooks Online, and
`ids_missing_in_salesforce` (bound records whose QuickBooks_ID__c does not hold the binding's
QuickBooks Id) 0.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sfqb.codes import load_catalog
from sfqb.domain.bindings import Binding
from sfqb.jobs.runner import Driver
from sfqb.sandbox.demo import COMPANY, DemoOptions
from sfqb.sandbox.qbo import QboConfig
from sfqb.sandbox.qbo.api import Call
from sfqb.sandbox.qbo_demo import QboWorld, qbo_summary, qbo_world
from sfqb.sync.ops import QbOp, QbResult
from sfqb.sync.writeback import QB_ID

CEILING = 500
MINUTE = timedelta(minutes=1)


def _rates(times: list[datetime]) -> dict[str, Any]:
    if len(times) < 2:
        return {}
    span = (times[-1] - times[0]).total_seconds()
    whole = len(times) / (span / 60)
    windows, start, index = [], times[0], 0
    while start + MINUTE <= times[-1]:
        count = 0
        while index < len(times) and times[index] < start + MINUTE:
            count, index = count + 1, index + 1
        windows.append(count)
        start += MINUTE
    peak, left = 0, 0
    for right, moment in enumerate(times):
        while times[left] <= moment - MINUTE:
            left += 1
        peak = max(peak, right - left + 1)
    full = sum(windows) / len(windows) if windows else None
    return {
        "requests_seconds": round(span, 1),
        "per_minute_whole_run": round(whole, 1),
        "fraction_whole_run": round(whole / CEILING, 3),
        "full_windows": windows,
        "per_minute_full_windows": round(full, 1) if full else None,
        "fraction_full_windows": round(full / CEILING, 3) if full else None,
        "per_minute_peak": peak,
        "fraction_peak": round(peak / CEILING, 3),
    }


@dataclass
class _Timed:
    """The driver, adding up the time a batch is out at QuickBooks Online (its requests and the
    limiter's waits): the rest of a cycle QuickBooks Online waits on sfqb."""

    inner: Driver
    seconds: float = 0.0

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        began = time.perf_counter()
        try:
            return self.inner.execute(ops)
        finally:
            self.seconds += time.perf_counter() - began


def _load(world: QboWorld, label: str, other_app: int, max_cycles: int) -> dict[str, Any]:
    started = time.perf_counter()
    app = world.quickbooks.config.client_id
    load_calls: list[Call] = []
    cycle_seconds, out = [], 0.0
    for _ in range(max_cycles):
        before, began = len(world.quickbooks.calls), time.perf_counter()
        with world.driver() as driver:
            timed = _Timed(driver)
            report = world.runner.run_direct(COMPANY, timed)
        world.reports.append(report)
        cycle_seconds.append(round(time.perf_counter() - began, 1))
        if report.held or not report.wrote_anything:
            break
        load_calls += [c for c in world.quickbooks.calls[before:] if c.app == app]
        out += timed.seconds
    load = _rates(sorted(c.when for c in load_calls))
    seconds = time.perf_counter() - started
    calls = [c for c in world.quickbooks.calls if c.app == app]
    records = sum(sum(r.synced.values()) for r in world.reports)
    summary = qbo_summary(world)
    bindings = world.store.bindings.for_company(COMPANY)
    queue = {s.value: n for s, n in world.store.queue.count_by_status(COMPANY).items()}
    return {
        "run": label,
        "other_app_per_minute": other_app,
        "records": records,
        "bound": len(bindings),
        "ids_missing_in_salesforce": _ids_missing(world, bindings),
        "queue": queue,
        "cycles": len(world.reports),
        "cycle_seconds": cycle_seconds,
        "seconds": round(seconds, 1),
        "records_per_minute": round(records / (seconds / 60), 1),
        "requests": len(calls),
        "batch_requests": sum(1 for c in calls if c.path.endswith("/batch")),
        "throttled_429": sum(1 for c in calls if c.status == 429),
        "lost_or_failed": sum(1 for c in calls if c.lost or c.status >= 500),
        "api_calls_per_record": round(len(calls) / records, 3) if records else None,
        "load": {
            "requests": len(load_calls),
            "batch_out_seconds": round(out, 1),
            "batch_out_share": round(out / load["requests_seconds"], 3) if load else None,
            **load,
        },
        "all_cycles": _rates(sorted(c.when for c in calls)),
        "duplicates": summary["duplicates"],
        "undecoded": summary["undecoded"],
        "open_failures": summary["open_failures"],
        "quickbooks": summary["quickbooks"],
    }


def _ids_missing(world: QboWorld, bindings: list[Binding]) -> int:
    """Bound records whose Salesforce record does not hold the binding's QuickBooks Id."""
    held: dict[tuple[str, str], object] = {}
    for sobject in {b.sf.sobject.value for b in bindings}:
        for record in world.salesforce.org.records(sobject):
            held[(sobject, str(record["Id"]))] = record.get(QB_ID)
    return sum(1 for b in bindings if held.get((b.sf.sobject.value, b.sf.id)) != b.qb.id)


def main() -> None:
    """Run the load alone and beside a second app; print one JSON line per run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1200)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--opportunities", type=int, default=1500)
    parser.add_argument("--other-app", type=int, default=150, help="its requests a minute")
    parser.add_argument("--max-cycles", type=int, default=12)
    args = parser.parse_args()
    catalog = load_catalog()
    for label, other in (("sfqb alone", 0), ("beside another app", args.other_app)):
        options = DemoOptions(
            accounts=args.accounts,
            products=args.products,
            opportunities=args.opportunities,
            workdir=Path(tempfile.mkdtemp(prefix="sfqb-bench-qbo-")),
        )
        with qbo_world(
            options, catalog, lambda: datetime.now(UTC), quickbooks=QboConfig()
        ) as world:
            world.quickbooks.limits.share_with_other_app(other)
            print(json.dumps(_load(world, label, other, args.max_cycles)), flush=True)


if __name__ == "__main__":
    main()
