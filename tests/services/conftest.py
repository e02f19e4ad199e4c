"""Service fixtures: a store on each backend and the health desk over it, at a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sfqb.codes import load_catalog
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.alerts import AlertCenter, AlertChannels
from sfqb.jobs.circuit import Circuit
from sfqb.jobs.health import HealthDesk, policy_in_force, recorded_schedule
from sfqb.store import Store

CATALOG = load_catalog()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


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
