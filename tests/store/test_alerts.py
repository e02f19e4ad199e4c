"""The alerts table on both backends: one open alert per key, the hourly limit, resolution."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sfqb.store import AlertStatus, Delivery, Store, StoreError

from .conftest import T0


def test_an_open_alert_is_not_admitted_twice_until_resolved(db: Store) -> None:
    first = db.alerts.admit("acme", "connector_down", "opening-1", "s", "b", max_per_hour=5, now=T0)
    assert first is not None and first.alert.delivery is Delivery.PENDING
    again = db.alerts.admit("acme", "connector_down", "opening-1", "s", "b", max_per_hour=5, now=T0)
    assert again is None
    other_company = db.alerts.admit("beta", "connector_down", "opening-1", "s", "b", max_per_hour=5)
    assert other_company is not None
    assert db.alerts.resolve("acme", "connector_down", "opening-1", now=T0) == 1
    assert db.alerts.get(first.alert.id).status is AlertStatus.RESOLVED  # type: ignore[union-attr]
    reopened = db.alerts.admit("acme", "connector_down", "opening-1", "s", "b", max_per_hour=5)
    assert reopened is not None and reopened.alert.id != first.alert.id


def test_over_the_hourly_limit_alerts_are_suppressed_then_summarised(db: Store) -> None:
    for n in range(2):
        admitted = db.alerts.admit("acme", "k", f"{n}", "s", "b", max_per_hour=2, now=T0)
        assert admitted is not None
        db.alerts.delivered(admitted.alert.id, Delivery.SENT, None, now=T0)
    held = [
        db.alerts.admit("acme", "k", f"held-{n}", "s", "b", max_per_hour=2, now=T0)
        for n in range(2)
    ]
    assert all(h is not None and h.alert.delivery is Delivery.SUPPRESSED for h in held)
    later = db.alerts.admit(
        "acme", "k", "later", "s", "b", max_per_hour=2, now=T0 + timedelta(hours=1, seconds=1)
    )
    assert later is not None and later.alert.delivery is Delivery.PENDING
    assert [a.key for a in later.summarised] == ["held-0", "held-1"]
    assert all(db.alerts.get(h.alert.id).summarised_in == later.alert.id for h in held if h)  # type: ignore[union-attr]
    unsent = db.alerts.admit("acme", "k", "quiet", "s", "b", max_per_hour=2, can_send=False)
    assert unsent is not None and unsent.alert.delivery is Delivery.UNSENT and not unsent.summarised


def test_delivery_resolution_and_listing(db: Store) -> None:
    admitted = db.alerts.admit("acme", "no_success", "cycles", "s", "b", max_per_hour=1, now=T0)
    assert admitted is not None
    failed = db.alerts.delivered(admitted.alert.id, Delivery.FAILED, "webhook: boom", now=T0)
    assert failed.error == "webhook: boom" and failed.sent_at is None
    assert [a.id for a in db.alerts.items("acme")] == [admitted.alert.id]
    assert db.alerts.resolve("acme", "no_success", now=T0) == 1
    assert db.alerts.items("acme") == []
    assert len(db.alerts.items("acme", status=None)) == 1
    with pytest.raises(StoreError):
        db.alerts.delivered(999, Delivery.SENT, None)
    with pytest.raises(StoreError):
        db.alerts.admit("acme", "", "k", "s", "b", max_per_hour=1)
