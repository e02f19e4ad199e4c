"""The login throttle: lock-out per (user, address), growing delays when the address is unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sfqb.domain.login_throttle import LoginThrottle, Refusal, ThrottleSettings


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make(**changes: object) -> tuple[LoginThrottle, Clock]:
    clock = Clock()
    return LoginThrottle(ThrottleSettings(**changes), clock), clock  # type: ignore[arg-type]


def test_ten_failures_in_ten_minutes_lock_the_pair_out_for_ten_minutes() -> None:
    throttle, clock = make()
    events = []
    for _ in range(10):
        assert throttle.check("acme", "203.0.113.9").allowed
        events.append(throttle.failed("acme", "203.0.113.9"))
        clock.advance(30)
    (event,) = [e for e in events if e is not None]
    assert event.kind is Refusal.LOCKED
    assert event.failures == 10
    verdict = throttle.check("acme", "203.0.113.9")
    assert verdict.refusal is Refusal.LOCKED
    assert throttle.check("acme", "198.51.100.1").allowed  # another address is not locked
    assert throttle.check("other", "203.0.113.9").allowed  # nor another user
    clock.now = event.since + timedelta(minutes=10)
    assert throttle.check("acme", "203.0.113.9").allowed


def test_failures_spread_over_more_than_the_window_never_lock() -> None:
    throttle, clock = make()
    for _ in range(30):
        assert throttle.failed("acme", "203.0.113.9") is None
        clock.advance(67)  # any 10 failures span more than 10 minutes
    assert throttle.check("acme", "203.0.113.9").allowed


def test_a_good_login_forgets_the_failures() -> None:
    throttle, _ = make()
    for _ in range(9):
        throttle.failed("acme", "203.0.113.9")
    throttle.succeeded("acme", "203.0.113.9")
    for _ in range(9):
        assert throttle.failed("acme", "203.0.113.9") is None


def test_an_unknown_address_gets_growing_delays_never_a_lock_out() -> None:
    throttle, clock = make()
    events = [throttle.failed("acme", None) for _ in range(10)]
    (event,) = [e for e in events if e is not None]
    assert event.kind is Refusal.SLOWED
    assert throttle.check("acme", None).refusal is Refusal.SLOWED
    delays = []
    for _ in range(8):
        start = clock.now
        while not throttle.check("acme", None).allowed:
            clock.advance(0.5)
        delays.append((clock.now - start).total_seconds())
        assert throttle.failed("acme", None) is None  # one event per slow-down
    assert delays[:6] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert delays[6:] == [60.0, 60.0]  # capped: the real Web Connector gets in after a minute


def test_the_number_of_remembered_pairs_is_bounded_and_lock_outs_stay() -> None:
    throttle, _ = make(max_tracked=50)
    for _ in range(10):
        throttle.failed("acme", "203.0.113.9")
    for n in range(500):
        throttle.failed(f"user{n}", "198.51.100.7")
    assert throttle.tracked() <= 50
    assert throttle.check("acme", "203.0.113.9").refusal is Refusal.LOCKED
