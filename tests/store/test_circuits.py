"""The circuits table on both backends: opening once, closing on contact, the cause kept."""

from __future__ import annotations

from datetime import timedelta

from sfqb.domain.status import Severity, System
from sfqb.store import Store

from .conftest import T0, status


def test_a_circuit_starts_closed_and_never_contacted(db: Store) -> None:
    state = db.circuits.get("acme")
    assert not state.is_open and state.since is None and state.last_contact is None
    assert db.circuits.all() == []


def test_open_once_then_contact_closes_it(db: Store) -> None:
    cause = status("0x80040408", Severity.ERROR, System.HRESULT, fix=("Open QuickBooks.",))
    first = db.circuits.open("acme", cause, now=T0)
    again = db.circuits.open("acme", status("3000", Severity.ERROR), now=T0 + timedelta(minutes=5))
    assert first.changed and not again.changed
    state = db.circuits.get("acme")
    assert state.is_open and state.since == T0 and state.openings == 1
    assert state.cause == cause  # the opening's cause, decoded, survives the round trip
    assert state.last_trip_at == T0 + timedelta(minutes=5)
    closed = db.circuits.contact("acme", now=T0 + timedelta(minutes=9))
    assert closed.changed
    assert not closed.state.is_open and closed.state.cause is None
    assert closed.state.last_contact == closed.state.since == T0 + timedelta(minutes=9)
    assert not db.circuits.contact("acme", now=T0 + timedelta(minutes=10)).changed
    assert db.circuits.get("acme").last_contact == T0 + timedelta(minutes=10)
    assert db.circuits.open("acme", cause, now=T0 + timedelta(hours=1)).state.openings == 2
    assert [c.company for c in db.circuits.all()] == ["acme"]


def test_two_stores_over_one_database_share_the_circuit(db: Store) -> None:
    other = Store(db.engine)
    assert db.circuits.open("acme", status("3000", Severity.ERROR), now=T0).changed
    assert not other.circuits.open("acme", status("3000", Severity.ERROR), now=T0).changed
    assert other.circuits.get("acme").is_open
    assert other.circuits.contact("acme", now=T0 + timedelta(minutes=1)).changed
    assert not db.circuits.get("acme").is_open
