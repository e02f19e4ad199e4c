"""Throttling (HTTP 429 / Fault 3001 ThrottleExceeded) and 5xx: transient, nothing lost.

Intuit, "Limits and throttles" page (developer.intuit.com/app/developer/qbo/docs/learn/
rest-api-features#limits-and-throttles: 500 requests a minute per realm, 429 when exceeded)
and the error-code page (500/503: "retry the request").
"""

from __future__ import annotations

from sfqb.domain.entities import SfObject

from .conftest import Qbo


def _accounts(qbo: Qbo, count: int) -> list[str]:
    return [qbo.account(f"Customer {n}", Phone=f"(512) 555-01{n:02d}") for n in range(count)]


def test_429_throttle_exceeded_is_waited_out_by_the_client_nothing_lost(qbo: Qbo) -> None:
    accounts = _accounts(qbo, 3)
    qbo.sandbox.faults.throttle_next(2)
    qbo.cycle()
    assert qbo.sandbox.call_count(429) == 2
    assert qbo.clock.slept >= 60  # Intuit's minute, on the injected clock
    assert all(qbo.qb_id(SfObject.ACCOUNT, a) for a in accounts)
    assert len(qbo.sandbox.records("Customer")) == 3


def test_429_beyond_the_client_retries_waits_for_the_runner_backoff(qbo: Qbo) -> None:
    accounts = _accounts(qbo, 3)
    qbo.sandbox.faults.throttle_next(40)
    qbo.cycle()
    qbo.sandbox.faults.clear()
    for _ in range(3):
        qbo.cycle(wait=3600)
    assert all(qbo.qb_id(SfObject.ACCOUNT, a) for a in accounts)
    assert len(qbo.sandbox.records("Customer")) == 3


def test_5xx_retried_by_the_client_nothing_lost_or_doubled(qbo: Qbo) -> None:
    accounts = _accounts(qbo, 3)
    qbo.sandbox.faults.fail_next(1, 503)
    qbo.cycle()
    assert all(qbo.qb_id(SfObject.ACCOUNT, a) for a in accounts)
    assert len(qbo.sandbox.records("Customer")) == 3


def test_5xx_beyond_the_client_retries_retried_next_cycle_without_a_duplicate(qbo: Qbo) -> None:
    accounts = _accounts(qbo, 3)
    qbo.sandbox.faults.fail_next(12, 500)
    qbo.cycle()
    qbo.sandbox.faults.clear()
    for _ in range(3):
        qbo.cycle(wait=3600)
    assert all(qbo.qb_id(SfObject.ACCOUNT, a) for a in accounts)
    assert len(qbo.sandbox.records("Customer")) == 3
