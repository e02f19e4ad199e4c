"""Service fixtures: the bundled catalog, record names over a store, logging attempts, and a
store on each backend with the health desk over it, at a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.jobs.conftest import world

from sfqb.codes import Catalog, load_catalog
from sfqb.domain.entities import QbRef, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import System
from sfqb.jobs.alerts import AlertCenter, AlertChannels
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.health import HealthDesk, policy_in_force, recorded_schedule
from sfqb.services.names import RecordNames, record_names
from sfqb.store import Attempt, Direction, Store

CATALOG = load_catalog()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FLOW = "account_to_customer"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def names_of(store: Store, catalog: Catalog) -> RecordNames:
    """Record names as `sfqb log` builds them: Salesforce's as read, QuickBooks' as bound."""
    return record_names(store, catalog, lambda: T0)


def log_attempt(
    store: Store,
    catalog: Catalog,
    code: str,
    *,
    minute: int,
    sf: SfRef | None = None,
    qb: QbRef | None = None,
    message: str = "",
    company: str = "acme",
    flow: str = FLOW,
    system: System = System.QBXML,
) -> Attempt:
    """Log an attempt decoded by the real catalog, `minute` minutes after T0."""
    return store.journal.record_attempt(
        company=company, flow=flow, direction=Direction.SF_TO_QB, operation="add",
        status=catalog.decode(system, code, message or None), sf=sf, qb=qb,
        action_taken=f"did something about {code}", at=T0 + timedelta(minutes=minute),
    )  # fmt: skip


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The test's clock, at T0."""
    return Clock()


@pytest.fixture
def alerts(db: Store, clock: Clock) -> AlertCenter:
    """Alerts with no notifier."""
    return AlertCenter(db, AlertChannels(), clock)


@pytest.fixture
def circuit(db: Store, alerts: AlertCenter, clock: Clock) -> Circuit:
    """The connector circuits over the store."""
    return Circuit(db, alerts, clock, catalog=CATALOG)


@pytest.fixture
def health(db: Store, circuit: Circuit, clock: Clock) -> HealthDesk:
    """The health desk with the default policy and the recorded .qwc schedule."""
    return HealthDesk(
        db,
        circuit,
        lambda company: policy_in_force(CompanyPolicy(), (), recorded_schedule(db, company)),
        clock=clock,
    )


__all__ = ["world"]
