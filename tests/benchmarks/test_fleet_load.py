"""benchmarks/fleet_load.py's pure parts: the per-company lag read from run rows, the JSON line
and its Markdown row (the run itself needs PostgreSQL and minutes: `make bench`)."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from sfqb.sandbox.fleet import Run

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
ASKED = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
KEYS = {
    "run", "scale", "records", "records_per_second", "seconds", "api_calls",
    "cpu_ms_per_record", "peak_rss_mb", "lag_seconds_min", "lag_seconds_median",
    "lag_seconds_max", "companies",
}  # fmt: skip


@pytest.fixture(scope="module")
def fleet_load() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))  # it imports initial_load beside it, as when run
    try:
        spec = importlib.util.spec_from_file_location("fleet_load", BENCHMARKS / "fleet_load.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


def _run(company: str, start: float, end: float | None, status: str, synced: int) -> Run:
    finished = None if end is None else ASKED + timedelta(seconds=end)
    counts = {"synced:customers": synced, "qb_batches": 2, "sf_writes": 1}
    return Run(company, ASKED + timedelta(seconds=start), finished, status, counts)


RUNS = [
    _run("a", 1, 4, "succeeded", 10),
    _run("a", 5, 9, "succeeded", 3),
    _run("a", 10, 12, "succeeded", 0),  # a quiet cycle after: the data was in at 9
    _run("b", 2, 20, "failed", 7),  # a failed cycle is not the company done
    _run("b", 21, 30, "succeeded", 7),
    _run("c", 3, 6, "succeeded", 5),
    _run("d", 4, None, "running", 0),  # never synced: no lag
]


def test_lag_is_to_the_end_of_the_last_succeeded_cycle_that_synced(
    fleet_load: ModuleType,
) -> None:
    assert fleet_load.lags(RUNS, ASKED) == {"a": 9.0, "b": 30.0, "c": 6.0}


def test_the_slowest_of_each_kind_of_company(fleet_load: ModuleType) -> None:
    lag = {"co00": 3.0, "co07": 8.123, "wc1": 5.0, "wc3": 4.0}
    slowest = fleet_load.slowest_by_kind(lag)
    assert slowest == {"direct": 8.12, "web_connector": 5.0, "qbo": None}


def test_the_line_counts_succeeded_records_over_the_slowest_company(
    fleet_load: ModuleType,
) -> None:
    line = fleet_load.result_line(
        scale=200, companies=4, runs=RUNS, asked=ASKED, api_calls=99, cpu_seconds=2.5,
        peak_rss_mb=[120.0, 180.5, 150.0],
    )  # fmt: skip
    assert set(line) >= KEYS
    assert line["run"] == "fleet 20 companies"
    assert (line["records"], line["seconds"], line["records_per_second"]) == (25, 30.0, 0.8)
    lag = (line["lag_seconds_min"], line["lag_seconds_median"], line["lag_seconds_max"])
    assert lag == (6.0, 9.0, 30.0)
    assert (line["companies"], line["companies_synced"]) == (4, 3)
    assert (line["cpu_ms_per_record"], line["api_calls"]) == (100.0, 99)
    assert (line["peak_rss_mb"], line["peak_rss_mb_sum"]) == (180.5, 450.5)
    json.dumps(line)  # one JSON line


def test_nothing_synced_gives_no_rates(fleet_load: ModuleType) -> None:
    line = fleet_load.result_line(
        scale=3, companies=20, runs=[], asked=ASKED, api_calls=0, cpu_seconds=1.0,
        peak_rss_mb=[],
    )  # fmt: skip
    assert line["records"] == line["records_per_second"] == 0
    assert line["lag_seconds_max"] is None and line["cpu_ms_per_record"] is None


def test_the_markdown_row_holds_every_column(fleet_load: ModuleType) -> None:
    line = fleet_load.result_line(
        scale=200, companies=4, runs=RUNS, asked=ASKED, api_calls=99, cpu_seconds=2.5,
        peak_rss_mb=[120.0],
    )  # fmt: skip
    section = fleet_load.record([line], ASKED, "--record B.md", "fleet_load.py", fleet_load.COLUMNS)
    assert "`benchmarks/fleet_load.py --record B.md`" in section and "Machine: " in section
    header, _, row = section.strip().splitlines()[-3:]
    assert header.split(" | ")[1:3] == ["companies", "scale"]
    assert row.startswith("| fleet 20 companies | 4 | 200 | 25 | 30.0 | 0.8 | 6.0 | 9.0 | 30.0 |")
