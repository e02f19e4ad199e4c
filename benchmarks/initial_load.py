"""Benchmark: the initial load through the Web Connector, and a quiet second cycle.

Run with `make bench` (or `.venv/bin/python benchmarks/initial_load.py --accounts 400`). It seeds
the Salesforce sandbox, runs one Web Connector session for the initial load and one with no
changes, and prints a JSON line per run: records, round trips, seconds, records per second and
the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sfqb.codes import load_catalog
from sfqb.sandbox.demo import LOGIN, DemoOptions, demo_world
from sfqb.sandbox.qbd.webconnector_client import WebConnectorClient


def main() -> None:
    """Run the benchmark and print its results as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=400)
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--opportunities", type=int, default=500)
    args = parser.parse_args()
    catalog = load_catalog()
    options = DemoOptions(
        accounts=args.accounts,
        products=args.products,
        opportunities=args.opportunities,
        workdir=Path(tempfile.mkdtemp(prefix="sfqb-bench-")),
    )
    with demo_world(options, catalog, lambda: datetime.now(UTC)) as (world, _source, reports):
        client = WebConnectorClient(f"{world.endpoint}?wsdl", world.quickbooks)
        for label in ("initial load", "quiet cycle"):
            started = time.perf_counter()
            session = client.run(*LOGIN)
            seconds = time.perf_counter() - started
            report = reports[-1]
            records = sum(report.synced.values())
            print(
                json.dumps(
                    {
                        "run": label,
                        "outcome": session.outcome.value,
                        "records": records,
                        "round_trips": len(session.exchanges),
                        "salesforce_writes": report.sf_writes,
                        "seconds": round(seconds, 2),
                        "records_per_second": round(records / seconds, 1) if records else 0,
                        "peak_rss_mb": round(
                            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                        ),
                    }
                )
            )


if __name__ == "__main__":
    main()
