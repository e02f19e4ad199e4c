"""The bundled timing defaults a person may read: jobs/data/schedule.yaml."""

from __future__ import annotations

from datetime import time, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def _bundled() -> dict[str, Any]:
    text = resources.files("sfqb.jobs").joinpath("data/schedule.yaml").read_text("utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict), "jobs/data/schedule.yaml must be a mapping"
    return loaded


def default_sweep_at() -> time:
    """`cdc_sweep_at`: when the nightly sweeps run (UTC)."""
    return time.fromisoformat(str(_bundled()["cdc_sweep_at"]))


def waiting_recheck() -> timedelta:
    """`waiting_recheck_minutes`: how long a row waiting for an unbound parent sleeps when no
    binding of that parent wakes it first."""
    return timedelta(minutes=int(_bundled()["waiting_recheck_minutes"]))
