"""The monthly API-call meter and the webhook changes, on both backends."""

from __future__ import annotations

from datetime import timedelta

from tests.store.qbo_fakes import T0, Clock, RotatingTokenEndpoint, store_for

from sfqb.connectors.qbo.webhooks import WebhookChange
from sfqb.store import StoredCallMeter


def test_calls_are_counted_per_company_and_month(isolated_url: str) -> None:
    clock = Clock()
    store = store_for(isolated_url, clock, RotatingTokenEndpoint())
    store.migrate()
    try:
        meter = StoredCallMeter(store.qbo_calls, "acme")
        meter.count(reads=3)
        meter.count(reads=1, writes=2)
        assert (store.qbo_calls.month("acme").reads, store.qbo_calls.month("acme").writes) == (4, 2)
        clock.now = T0 + timedelta(days=31)
        meter.count(writes=1)
        now = store.qbo_calls.month("acme")
        assert (now.month, now.reads, now.writes) == ("2026-02", 0, 1)
        assert store.qbo_calls.month("acme", "2026-01").total == 6
        assert store.qbo_calls.month("other").total == 0
    finally:
        store.engine.dispose()


def test_changes_are_stored_once_and_taken_once(isolated_url: str) -> None:
    store = store_for(isolated_url, Clock(), RotatingTokenEndpoint())
    store.migrate()
    try:
        one = WebhookChange("9130", "Customer", "1", "Update", "2026-01-15T09:00:00Z")
        two = WebhookChange("9130", "Customer", "1", "Update", "2026-01-15T09:05:00Z")
        assert store.qbo_events.add("acme", [one, one, two]) == 2
        assert store.qbo_events.add("acme", [one]) == 0
        taken = store.qbo_events.take("acme", limit=1)
        assert [t.change for t in taken] == [one]
        assert [t.change for t in store.qbo_events.take("acme")] == [two]
        assert store.qbo_events.take("acme") == []
    finally:
        store.engine.dispose()


def test_a_merge_names_the_survivor_of_the_merged_away_record(isolated_url: str) -> None:
    """Intuit's webhooks page: a Merge change carries the survivor's id and the deletedId."""
    store = store_for(isolated_url, Clock(), RotatingTokenEndpoint())
    store.migrate()
    try:
        merge = WebhookChange("9130", "Customer", "7", "Merge", "2026-01-15T09:00:00Z", "3")
        store.qbo_events.add("acme", [merge])
        store.qbo_events.take("acme")  # taken by the scheduler: still known as a merge
        assert store.qbo_events.survivor("acme", "Customer", "3") == "7"
        assert store.qbo_events.survivor("acme", "Customer", "7") is None
        assert store.qbo_events.survivor("acme", "Item", "3") is None
        assert store.qbo_events.survivor("other", "Customer", "3") is None
    finally:
        store.engine.dispose()
