"""Benchmark: an initial load of 3,000 records into the QuickBooks Online sandbox, which enforces
Intuit's limits in real time (500 requests a minute per company, 10 a second, 40 batches a
minute), first with sfqb as the company's only app, then with a simulated second app using part
of the budget.

Run with `make bench` (or `.venv/bin/python benchmarks/qbo_load.py --other-app 150`). Each run
prints one JSON line. How the rate is measured: from the sandbox's log of the requests it
answered (sfqb's only), `per_minute_whole_run` is all requests over the time from the first to
the last; `per_minute_full_windows` the mean count of the complete 60-second windows laid end
to end from the first request; `per_minute_peak` the most in any sliding 60 seconds. Each is
also given as a fraction of the 500 a minute ceiling.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sfqb.codes import load_catalog
from sfqb.sandbox.demo import COMPANY, DemoOptions
from sfqb.sandbox.qbo import QboConfig
from sfqb.sandbox.qbo_demo import QboWorld, qbo_summary, qbo_world

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


def _load(world: QboWorld, label: str, other_app: int, max_cycles: int) -> dict[str, Any]:
    started = time.perf_counter()
    for _ in range(max_cycles):
        report = world.cycle()
        if report.held or not report.wrote_anything:
            break
    seconds = time.perf_counter() - started
    calls = [c for c in world.quickbooks.calls if c.app == world.quickbooks.config.client_id]
    records = sum(sum(r.synced.values()) for r in world.reports)
    summary = qbo_summary(world)
    bound = len(world.store.bindings.for_company(COMPANY))
    queue = {s.value: n for s, n in world.store.queue.count_by_status(COMPANY).items()}
    return {
        "run": label,
        "other_app_per_minute": other_app,
        "records": records,
        "bound": bound,
        "queue": queue,
        "cycles": len(world.reports),
        "seconds": round(seconds, 1),
        "records_per_minute": round(records / (seconds / 60), 1),
        "requests": len(calls),
        "batch_requests": sum(1 for c in calls if c.path.endswith("/batch")),
        "throttled_429": sum(1 for c in calls if c.status == 429),
        "lost_or_failed": sum(1 for c in calls if c.lost or c.status >= 500),
        "api_calls_per_record": round(len(calls) / records, 3) if records else None,
        **_rates(sorted(c.when for c in calls)),
        "duplicates": summary["duplicates"],
        "undecoded": summary["undecoded"],
        "open_failures": summary["open_failures"],
        "quickbooks": summary["quickbooks"],
    }


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
