"""`run_scenario` picks a scenario's runner by target from its table (no target tests)."""

from __future__ import annotations

import pytest

from sfqb.codes import load_catalog
from sfqb.sandbox.demo import DemoOptions
from sfqb.sandbox.scenarios import SCENARIOS, UnknownScenario, run_scenario


def test_seed_codes_runs_against_both_targets() -> None:
    assert set(SCENARIOS["seed-codes"]) == {"qbd", "qbo"}


def test_a_target_a_scenario_has_no_runner_for_is_one_clear_line() -> None:
    with pytest.raises(UnknownScenario) as raised:
        run_scenario("seed-codes", DemoOptions(), load_catalog(), target="xero")
    assert str(raised.value) == "scenario 'seed-codes' runs against qbd, qbo, not 'xero'"


def test_an_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(UnknownScenario, match="unknown scenario 'nope'; scenarios: seed-codes"):
        run_scenario("nope", DemoOptions(), load_catalog())
