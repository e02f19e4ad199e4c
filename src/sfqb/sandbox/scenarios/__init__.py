"""Scenarios for `sfqb demo --scenario NAME`: staged situations run through the Web Connector."""

from sfqb.sandbox.scenarios.seed_codes import (
    SCENARIOS,
    ScenarioClock,
    ScenarioResult,
    UnknownScenario,
    run_scenario,
    run_seed_codes,
)
from sfqb.sandbox.scenarios.summary import code_summary, situation_rows

__all__ = [
    "SCENARIOS",
    "ScenarioClock",
    "ScenarioResult",
    "UnknownScenario",
    "code_summary",
    "run_scenario",
    "run_seed_codes",
    "situation_rows",
]
