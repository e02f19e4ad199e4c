"""The review list: one open item per record, resolved or ignored by a person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sfqb.domain.status import Severity, System
from sfqb.store import ReviewStatus, Store, StoreError

from .conftest import T0, status


def test_hold_update_and_close(db: Store) -> None:
    review = db.review
    item = review.hold(
        "acme", "accounts", "Account", "0011", "two customers share this name",
        status=status("3100", Severity.ERROR),
        candidates=[{"ListID": "80000001-1", "Name": "Acme"}], now=T0,
    )  # fmt: skip
    assert (item.system, item.code, item.meaning) == (System.QBXML, "3100", "meaning 3100")
    assert item.status is ReviewStatus.OPEN and item.candidates[0]["Name"] == "Acme"
    again = review.hold("acme", "accounts", "Account", "0011", "still ambiguous", now=T0)
    assert again.id == item.id and again.reason == "still ambiguous" and again.code is None
    other = review.hold("acme", "accounts", "Account", "0012", "no match", now=T0)
    assert [i.id for i in review.items("acme")] == [item.id, other.id]
    closed = review.close(item.id, "bound to 80000001-1", now=T0 + timedelta(minutes=1))
    assert closed.status is ReviewStatus.RESOLVED and closed.resolution == "bound to 80000001-1"
    assert closed.resolved_at == T0 + timedelta(minutes=1)
    review.close(other.id, "not a customer", ReviewStatus.IGNORED)
    assert review.items("acme") == []
    assert [i.status for i in review.items("acme", status=None)] == [
        ReviewStatus.RESOLVED,
        ReviewStatus.IGNORED,
    ]
    with pytest.raises(StoreError, match="already resolved"):
        review.close(item.id, "again")
    with pytest.raises(StoreError):
        review.close(9999, "x")
    # a new hold after closing opens a fresh item
    fresh = review.hold("acme", "accounts", "Account", "0011", "again", now=T0)
    assert fresh.id != item.id
    assert review.get(fresh.id) == fresh
