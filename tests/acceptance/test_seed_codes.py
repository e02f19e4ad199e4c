"""Acceptance: `sfqb demo --scenario seed-codes` — the seed article's seven situations, remedied,
and what people fix by hand (issue 9: the article's fixes for 3100 and 3120, a merge, inactive
records).

The scenario runs once for the module, in-process, through the CLI command (Typer's runner);
the tests read its printed report, its JSON summary and its store. The by-hand tests run it
once more through `run_seed_codes` to read the sandboxes as the scenario left them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from sfqb.cli import demo
from sfqb.cli.context import Services
from sfqb.domain.entities import Role
from sfqb.store import Store
from sfqb.store.review import ReviewStatus

OUTAGE = "hresult:0x80040408"


@dataclass
class Ran:
    output: str
    summary: dict[str, Any]
    store: Store


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        if ctx.obj is None:
            ctx.obj = Services()

    demo.register(app)
    return app


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    workdir = tmp_path_factory.mktemp("seed-codes")
    summary_path = workdir / "summary.json"
    result = CliRunner().invoke(
        make_app(),
        ["demo", "--scenario", "seed-codes", "--workdir", str(workdir),
         "--json-summary", str(summary_path)],
        obj=Services(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store.from_url(f"sqlite:///{workdir / 'sfqb.sqlite'}")
    yield Ran(result.output, json.loads(summary_path.read_text(encoding="utf-8")), store)
    store.engine.dispose()


def _code(ran: Ran, key: str) -> dict[str, int]:
    codes: dict[str, dict[str, int]] = ran.summary["codes"]
    assert key in codes, f"{key} not in the log: {sorted(codes)}"
    return codes[key]


@pytest.mark.parametrize("key", ["qbxml:3170", "qbxml:3200", OUTAGE])
def test_transient_situations_resolve_with_no_human(ran: Ran, key: str) -> None:
    counts = _code(ran, key)
    assert counts["resolved_automatically"] >= 1 and counts["needs_review"] == 0


def test_the_outage_opened_the_circuit_and_the_next_session_closed_it(ran: Ran) -> None:
    assert ran.summary["circuit"] == {"openings": 1, "open": False}
    assert _code(ran, OUTAGE)["seen"] == 1


def test_3100_binds_where_the_rule_holds_and_reviews_with_candidates_where_not(ran: Ran) -> None:
    counts = _code(ran, "qbxml:3100")
    # the other one was reviewed, then bound by the bookkeeper's paste (the by-hand row); the
    # supplier's customer was reviewed, then went through after the bookkeeper's rename
    assert counts["resolved_automatically"] == 1 and counts["needs_review"] == 0
    items = [r for r in ran.store.review.items("demo", status=None) if r.code == "3100"]
    assert len(items) == 2 and all(i.status is ReviewStatus.RESOLVED for i in items)
    (item,) = [i for i in items if "own QuickBooks Vendor" not in i.reason]
    assert item.candidates and item.candidates[0]["name"] == "Northwind Traders"
    assert item.candidates[0]["matches_rule"] is False
    assert item.status is ReviewStatus.RESOLVED
    # Left on the list: only the March invoice a QuickBooks user deleted with 'Old Mill Bakery'
    # (a deleted transaction is a person's decision: add it again, or ignore it).
    assert [r["code"] for r in ran.summary["review"]] == ["RECORD_GONE"]
    assert "was deleted in QuickBooks" in ran.summary["review"][0]["reason"]


def test_3120_recreates_by_the_companys_policy(ran: Ran) -> None:
    assert ran.summary["policy"]["on_deleted"] == "recreate"
    counts = _code(ran, "qbxml:3120")
    assert counts["resolved_automatically"] >= 1 and counts["needs_review"] == 0
    actions = [a.action_taken for a in ran.store.journal.log("demo", code="3120")]
    assert any("binding cleared, re-creating" in a for a in actions)
    assert ran.summary["quickbooks"]["customers"] >= 6  # 'Delete Me Deli' exists again


@pytest.mark.parametrize("key", ["qbxml:3250", "qbxml:3260"])
def test_company_level_blocks_give_one_message_and_no_per_record_retries(
    ran: Ran, key: str
) -> None:
    counts = _code(ran, key)
    assert counts["company_messages"] == 1 and counts["seen"] == 1
    assert counts["needs_review"] == 0
    blocks = [
        r for r in ran.store.review.items("demo", status=None)
        if r.source_type == "company" and f"{r.system}:{r.code}" == key
    ]  # fmt: skip
    assert len(blocks) == 1 and blocks[0].status is ReviewStatus.RESOLVED  # released


def test_nothing_undecoded_nothing_duplicated(ran: Ran) -> None:
    assert ran.summary["undecoded"] == 0 and ran.summary["duplicates"] == 0


def test_the_report_shows_each_code_decoded_with_meaning_fix_and_action(ran: Ran) -> None:
    out = " ".join(ran.output.split())
    assert "The seed article's seven situations, 3200, and what people fix by hand" in out
    # Each code as a person reads it: the system in words, the code, QuickBooks' title; sfqb's
    # own codes by their title only.
    labels = [f"QuickBooks {code} " for code in ("3100", "3120", "3140", "3170", "3200", "3250",
                                                  "3260")]  # fmt: skip
    labels += ["QuickBooks (connection) 0x80040408 ", "Customer or item inactive in QuickBooks"]
    for label in labels:
        assert label in out, label
    assert out.count("Meaning:") >= 9 and out.count("Fix:") >= 9 and out.count("sfqb: ") >= 9
    roles = [row.get("role") for row in ran.summary["situations"]]
    # the seven of the seed article and 3200, then the five by hand
    assert roles == [None] * 8 + [
        "3100-by-hand", "3120-by-hand", "merge", "inactive", "customer-and-vendor"
    ]  # fmt: skip
    assert "on_inactive=reactivate" in out


def test_a_supplier_that_later_buys_from_us_is_a_3100_a_person_remedies(ran: Ran) -> None:
    (row,) = [r for r in ran.summary["situations"] if r.get("role") == "customer-and-vendor"]
    # The 3100 happened in the log, went to review, and the bookkeeper's fix finished it.
    assert row["seen"] >= 1 and row["needs_review"] == 0
    assert row["resolved_by_people"] == 1 and row["resolved_automatically"] == 0
    assert "own QuickBooks Vendor (bound as its vendor)" in row["sfqb_did"]
    assert row["who_acted"].startswith("the bookkeeper")
    assert "renamed the vendor 'Contoso Supply (V)'" in json.dumps(ran.summary)
    vendors = [b for b in ran.store.bindings.for_company("demo") if b.qb.kind.value == "Vendor"]
    assert len(vendors) == 1
    customer = ran.store.bindings.by_sf("demo", vendors[0].sf.as_role(Role.MAIN))
    assert customer is not None  # one Account, bound once in each role
    (item,) = [
        i
        for i in ran.store.review.items("demo", status=None)
        if i.source_id == vendors[0].sf.id and i.code == "3100"
    ]
    assert item.status is not ReviewStatus.OPEN  # sfqb closed it when the customer went through


def test_3140_resolves_with_no_human(ran: Ran) -> None:
    counts = _code(ran, "qbxml:3140")
    assert counts["resolved_automatically"] >= 1 and counts["needs_review"] == 0
    assert ran.summary["quiet"]


def test_an_unknown_scenario_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        make_app(), ["demo", "--scenario", "nope", "--workdir", str(tmp_path)], obj=Services()
    )
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "unknown scenario 'nope'; scenarios: seed-codes" in result.output


def test_the_policy_the_day_ran_under_is_saved_for_status_and_explain(ran: Ran) -> None:
    """A person reading the store later sees the policy the scenario applied, not the default
    (the usability test found status and explain contradicting the day's log)."""
    from sfqb.cli.settings import load_config
    from sfqb.domain.policy import OnDeleted, OnInactive

    path = Path(str(ran.store.engine.url.database)).parent / "sfqb-config.yaml"
    assert f"export SFQB_CONFIG={path}" in " ".join(ran.output.split())
    policy = load_config(path).company("demo").policy
    assert (policy.on_deleted, policy.on_inactive) == (OnDeleted.RECREATE, OnInactive.REACTIVATE)
