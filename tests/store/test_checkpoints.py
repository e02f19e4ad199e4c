"""Checkpoints move only forward unless forced, and come back as aware UTC."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from sfqb.store import Store, StoreError, stream_name

from .conftest import T0


def test_checkpoint_never_moves_back(db: Store) -> None:
    cp = db.checkpoints
    stream = stream_name("salesforce", "Account")
    assert stream == "salesforce:Account"
    assert cp.get("acme", stream) is None
    assert cp.set("acme", stream, T0) == T0
    assert cp.set("acme", stream, T0 - timedelta(hours=1)) == T0
    assert cp.get("acme", stream) == T0
    later = T0 + timedelta(minutes=5)
    assert cp.set("acme", stream, later) == later
    assert cp.set("acme", stream, T0, force=True) == T0
    assert cp.get("acme", stream) == T0
    assert cp.get("beta", stream) is None


def test_checkpoint_times_are_utc(db: Store) -> None:
    eastern = timezone(timedelta(hours=-5))
    db.checkpoints.set("acme", "qbd:Customer", T0.astimezone(eastern))
    got = db.checkpoints.get("acme", "qbd:Customer")
    assert got == T0 and got.utcoffset() == timedelta(0)
    db.checkpoints.set("acme", "qbd:Item", T0)
    assert db.checkpoints.for_company("acme") == {"qbd:Customer": T0, "qbd:Item": T0}
    assert db.checkpoints.clear("acme", "qbd:Item") == 1
    assert list(db.checkpoints.for_company("acme")) == ["qbd:Customer"]
    with pytest.raises(StoreError, match="aware"):
        db.checkpoints.set("acme", "qbd:Customer", T0.replace(tzinfo=None))
