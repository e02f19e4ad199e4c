"""Runs and attempts: the decoded log, its filters and the counts by code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.domain.status import Category, Remedy, Severity, System
from sfqb.store import Attempt, Direction, RunStatus, Store, StoreError

from .conftest import T0, status

ACCT = SfRef(SfObject.ACCOUNT, "0011")
CUST = QbRef(QbKind.CUSTOMER, "80000001-1")
FLOW = "accounts_to_customers"


def _log(
    db: Store, sf: SfRef | None, code: str, severity: Severity, minute: int, company: str = "acme"
) -> Attempt:
    return db.journal.record_attempt(
        company=company,
        flow=FLOW,
        direction=Direction.SF_TO_QB,
        operation="add",
        status=status(code, severity, fix=("Step one.", "Step two.")),
        sf=sf,
        at=T0 + timedelta(minutes=minute),
    )


def test_runs(db: Store) -> None:
    run = db.journal.start_run("acme", ["accounts", "products"], at=T0)
    assert (run.status, run.flows, run.finished_at) == (
        RunStatus.RUNNING,
        ("accounts", "products"),
        None,
    )
    done = db.journal.finish_run(run.id, RunStatus.PARTIAL, {"added": 3, "failed": 1}, at=T0)
    assert done.status is RunStatus.PARTIAL and done.counts == {"added": 3, "failed": 1}
    assert db.journal.run(run.id) == done
    db.journal.start_run("beta", ["accounts"], at=T0)
    assert [r.company for r in db.journal.runs()] == ["beta", "acme"]
    assert [r.id for r in db.journal.runs("acme")] == [run.id]
    with pytest.raises(StoreError):
        db.journal.finish_run(9999, RunStatus.FAILED, {})


def test_attempt_keeps_the_whole_decoded_status(db: Store) -> None:
    run = db.journal.start_run("acme", [FLOW], at=T0)
    attempt = db.journal.record_attempt(
        run_id=run.id, company="acme", flow=FLOW, direction=Direction.SF_TO_QB,
        operation="add", status=status("3100", Severity.ERROR, fix=("Step one.", "Step two.")),
        sf=ACCT, qb=CUST, summary="CustomerAdd Name=Acme", action_taken="bound to existing",
        at=T0,
    )  # fmt: skip
    (logged,) = db.journal.log()
    assert logged == attempt
    assert (logged.sf, logged.qb, logged.run_id) == (ACCT, CUST, run.id)
    assert (logged.system, logged.code, logged.status_key) == (System.QBXML, "3100", "qbxml:3100")
    assert logged.category is Category.DUPLICATE and logged.remedy is Remedy.BIND_EXISTING
    assert logged.fix == ("Step one.", "Step two.")
    assert logged.failed and logged.known
    assert (logged.message, logged.title, logged.meaning) == (
        "message 3100",
        "title 3100",
        "meaning 3100",
    )
    assert logged.created_at == T0 and logged.action_taken == "bound to existing"


def test_failed_only_hides_failures_a_later_success_superseded(db: Store) -> None:
    other = SfRef(SfObject.ACCOUNT, "0012")
    _log(db, ACCT, "3100", Severity.ERROR, 0)
    _log(db, ACCT, "0", Severity.INFO, 1)  # the retry worked
    stuck = _log(db, other, "3140", Severity.ERROR, 2)
    _log(db, other, "3140", Severity.ERROR, 3)
    _log(db, None, "500", Severity.ERROR, 4)  # a connection-level failure, no record
    _log(db, None, "3100", Severity.ERROR, 5, company="beta")
    failed = db.journal.log(company="acme", failed_only=True)
    assert [(a.sf, a.code) for a in failed] == [(None, "500"), (other, "3140"), (other, "3140")]
    assert stuck.id in {a.id for a in failed}
    assert db.journal.count_open_failures("acme") == 3
    assert db.journal.count_open_failures() == 4
    assert [a.code for a in db.journal.log(code="3100")] == ["3100", "3100"]
    assert len(db.journal.log(company="acme", code="3100")) == 1
    assert len(db.journal.log(system=System.SALESFORCE)) == 0
    assert len(db.journal.log(limit=2)) == 2
    assert db.journal.log(company="acme")[0].created_at == T0 + timedelta(minutes=4)


def test_attempts_by_code(db: Store) -> None:
    _log(db, ACCT, "0", Severity.INFO, 0)
    _log(db, ACCT, "0", Severity.INFO, 1)
    _log(db, ACCT, "3100", Severity.ERROR, 2)
    _log(db, ACCT, "3100", Severity.ERROR, 3, company="beta")
    assert db.journal.attempts_by_code("acme") == {"qbxml:0": 2, "qbxml:3100": 1}
    assert db.journal.attempts_by_code() == {"qbxml:0": 2, "qbxml:3100": 2}
    assert db.journal.attempts_by_code("nobody") == {}
