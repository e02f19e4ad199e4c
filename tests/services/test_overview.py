"""The overview: one row per company, the connector in words, contact warnings, the last cycle,
what needs a person, open alerts, and whether a cycle runs now."""

from __future__ import annotations

from datetime import timedelta

from sfqb.domain.policy import AlertSettings
from sfqb.domain.status import System
from sfqb.jobs.alerts import AlertCenter, AlertKind
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.health import HealthDesk, record_schedule
from sfqb.services.overview import company_overview, overview, run_words
from sfqb.store import RunStatus, Store

from .conftest import CATALOG, T0, Clock


def test_a_company_down_says_since_when_and_why_decoded(
    db: Store, health: HealthDesk, circuit: Circuit, alerts: AlertCenter, clock: Clock
) -> None:
    db.create_company("acme", "acme-qb", "pw")
    cause = CATALOG.decode(System.HRESULT, "0x80040408", "Could not start QuickBooks.")
    db.circuits.contact("acme", now=T0 - timedelta(minutes=5))
    db.circuits.open("acme", cause, now=T0)
    alerts.raise_alert(
        "acme", AlertKind.CONNECTOR_DOWN, "opening-1", "acme: connector down", "body",
        AlertSettings(),
    )  # fmt: skip
    db.review.hold("acme", "account_to_customer", "Account", "001B", "two candidates", now=T0)
    clock.now = T0 + timedelta(minutes=30)
    row = company_overview(db, health, "acme", now=clock.now)
    assert row.connector.health == "down"
    assert row.connector.words.startswith("down since 2026-03-02 09:00 UTC: QuickBooks")
    assert row.connector.cause is not None
    assert row.connector.cause.code == "0x80040408"
    assert row.connector.cause.meaning == cause.meaning
    assert row.connector.cause.fix == cause.fix
    assert row.review_open == 1
    assert [a.subject for a in row.alerts] == ["acme: connector down"]
    assert row.last_run is None and not row.running


def test_a_silent_web_connector_is_a_warning_against_its_schedule(
    db: Store, health: HealthDesk, clock: Clock
) -> None:
    db.create_company("beta", "beta-qb", "pw")
    record_schedule(db, "beta", 30)  # the .qwc: every 30 min, so contact expected every 60
    db.circuits.contact("beta", now=T0)
    clock.now = T0 + timedelta(minutes=45)
    assert company_overview(db, health, "beta", now=clock.now).contact_warning is None
    clock.now = T0 + timedelta(minutes=90)
    row = company_overview(db, health, "beta", now=clock.now)
    assert row.connector.health == "late"
    assert row.last_contact == T0
    assert row.contact_warning is not None
    assert "no contact for 90 min" in row.contact_warning
    assert "expected at least every 60 min" in row.contact_warning
    assert ".qwc schedule" in row.contact_warning


def test_the_last_cycle_says_what_it_did_and_a_running_one_is_running(
    db: Store, health: HealthDesk
) -> None:
    db.create_company("acme", "acme-qb", "pw")
    run = db.journal.start_run("acme", ["account_to_customer"], at=T0)
    row = company_overview(db, health, "acme", now=T0 + timedelta(minutes=1))
    assert row.running and row.last_run is not None and row.last_run.did == "running now"
    counts = {"synced:account_to_customer": 3, "state:failed": 1, "state:retry": 2}
    db.journal.finish_run(run.id, RunStatus.PARTIAL, counts, at=T0 + timedelta(minutes=2))
    row = company_overview(db, health, "acme", now=T0 + timedelta(minutes=3))
    assert not row.running
    assert row.last_run is not None and row.last_run.status == "partial"
    assert row.last_run.did == "synced 3 Accounts → Customers; 1 failed; 2 to retry"
    busy = company_overview(db, health, "acme", now=T0, busy=lambda company: True)
    assert busy.running  # a cycle this process runs before its run is logged


def test_a_run_left_unfinished_long_ago_is_not_running(db: Store, health: HealthDesk) -> None:
    db.create_company("acme", "acme-qb", "pw")
    db.journal.start_run("acme", ["account_to_customer"], at=T0)
    assert not company_overview(db, health, "acme", now=T0 + timedelta(hours=2)).running


def test_one_row_per_company_in_order(db: Store, health: HealthDesk) -> None:
    for name in ("beta", "acme"):
        db.create_company(name, f"{name}-qb", "pw")
    rows = overview(db, health, ["acme", "beta"], now=T0)
    assert [r.company for r in rows] == ["acme", "beta"]
    assert rows[0].connector.health == "waiting"


def test_a_run_stopped_before_syncing_says_so() -> None:
    assert run_words({"qb_batches": 0}, "failed") == "stopped before syncing (see the log)"
    assert run_words({}, "succeeded") == "nothing synced"
