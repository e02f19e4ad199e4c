"""The windows a read of deletions goes through: bounded, newest first, never past 90 days."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sfqb.sync.deletions import DELETED_WINDOW, DELETIONS_KEPT, windows
from sfqb.sync.inbound import WALL_CLOCK_SPREAD

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_record_synced_an_hour_ago_is_looked_for_in_one_open_window() -> None:
    known = NOW - timedelta(hours=1)
    assert windows(known, NOW) == [(known.replace(tzinfo=None) - WALL_CLOCK_SPREAD, None)]


def test_a_record_synced_a_year_ago_is_looked_for_only_as_far_back_as_deletions_are_kept() -> None:
    spans = windows(NOW - timedelta(days=365), NOW)
    assert spans[-1][0] == NOW.replace(tzinfo=None) - DELETIONS_KEPT
    assert len(spans) == -(-DELETIONS_KEPT // DELETED_WINDOW)  # ceiling: 13 windows of 7 days
    for (since, _), (older_since, older_until) in itertools.pairwise(spans):
        assert older_until == since and older_until - older_since <= DELETED_WINDOW
