"""The sfqb side of `initial_load.py`, run in its own process so its CPU and memory are its own.

Started by `initial_load.py` with one JSON argument (the Salesforce sandbox's instance, session
id and CA file, the store's URL, and where to write reports). It serves sfqb's `/qbwc` endpoint
(the Web Connector service over the runner, as `sfqb serve` does) on a free loopback port,
prints the endpoint on stdout, appends one JSON line per finished cycle to the report file, and
stops when its stdin closes.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import requests

from sfqb.cli.serving import freeze_startup_objects
from sfqb.codes import load_catalog
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbd.webconnector import SoapEndpoint, WebConnectorService
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport, SyncRunner
from sfqb.mapping import Mapper, load_flows
from sfqb.sandbox.demo import COMPANY, DEMO_POLICY, LOGIN
from sfqb.store import Store
from sfqb.web.app import WebServices, create_app
from sfqb.web.server import running_server


def _trace_peaks(path: Path, stop: threading.Event) -> None:
    """Write the biggest allocation sites (tracemalloc, 12 frames) at each new peak of traced
    memory to `path` (set SFQB_TRACEMALLOC=path): where memory grows with the data."""
    peak = 0
    while not stop.wait(0.5):
        current, _ = tracemalloc.get_traced_memory()
        if current <= peak * 1.05:
            continue
        peak = current
        stats = tracemalloc.take_snapshot().statistics("traceback")[:15]
        lines = [f"peak {current / 2**20:.1f} MiB at {time.strftime('%H:%M:%S')}"]
        for stat in stats:
            lines.append(f"{stat.size / 2**20:8.1f} MiB {stat.count:8d} blocks")
            lines.extend(f"    {frame}" for frame in stat.traceback.format()[-24:])
        path.write_text("\n".join(lines) + "\n")


def main() -> None:
    """Serve sfqb's Web Connector endpoint until stdin closes."""
    config = json.loads(sys.argv[1])
    trace, stop = os.environ.get("SFQB_TRACEMALLOC"), threading.Event()
    if trace:
        tracemalloc.start(12)
        threading.Thread(target=_trace_peaks, args=(Path(trace), stop), daemon=True).start()
    clock = lambda: datetime.now(UTC)  # noqa: E731 - real time, as the sandboxes use
    catalog = load_catalog()
    store = Store.from_url(config["store_url"])
    store.migrate()
    if store.company(COMPANY) is None:
        store.create_company(COMPANY, *LOGIN)
    session = requests.Session()
    session.verify = config["ca_path"]
    session.trust_env = False
    connector = SalesforceConnector(
        ExistingSession(config["instance"], config["session_id"]), session, catalog, clock=clock
    )
    runner = SyncRunner(
        store,
        SalesforceGateway(connector),
        Mapper(load_flows(), DEMO_POLICY),
        catalog,
        clock=clock,
        rng=random.Random(7),
        profile=QBD_PROFILE,
        policy=DEMO_POLICY,
    )
    reports = Path(config["reports"])

    def report(done: CycleReport) -> None:
        # `at` and `cpu_seconds` (the process's so far) tell early cycles of a load from late
        # ones: a cost that grows with what is synced already shows as later cycles costing more.
        line = {"synced": sum(done.synced.values()), "qb_batches": done.qb_batches,
                "sf_writes": done.sf_writes, "wrote": done.wrote_anything,
                "aborted": done.aborted, "at": time.monotonic(),
                "cpu_seconds": time.process_time()}  # fmt: skip
        with reports.open("a") as out:
            out.write(json.dumps(line) + "\n")

    source = CycleWorkSource(lambda company: runner, catalog, on_report=report)
    service = WebConnectorService(store, source, catalog, clock)
    app = create_app(WebServices(SoapEndpoint(service)))
    freeze_startup_objects()  # as `sfqb serve` does
    with running_server(app) as base:
        print(f"{base}/qbwc", flush=True)
        sys.stdin.read()  # the driver closes stdin when it is done
    stop.set()
    store.engine.dispose()


if __name__ == "__main__":
    main()
