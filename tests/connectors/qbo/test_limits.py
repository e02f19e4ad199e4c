"""The per-company limiter on a simulated clock: inside Intuit's limits, and using them fully."""

from __future__ import annotations

from bisect import bisect_left

import pytest

from sfqb.connectors.qbo.limits import Limits, RealmLimiter, shared_limiter

from .conftest import SimClock


def most_in_any_window(times: list[float], seconds: float) -> int:
    # Intuit counts requests per second and per minute; check every window starting at a send.
    return max(bisect_left(times, t + seconds) - i for i, t in enumerate(times))


def run(limiter: RealmLimiter, clock: SimClock, count: int, *, batch: bool = False) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire(batch=batch)
        times.append(clock.now)
        clock.now += 0.01  # each request takes 10 ms on the wire
    return times


def test_never_more_than_10_a_second_or_500_a_minute_yet_95_percent_used() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    times = run(limiter, clock, 5000)
    assert most_in_any_window(times, 1.0) <= 10
    assert most_in_any_window(times, 60.0) <= 500
    minutes = (times[-1] - times[0]) / 60
    assert len(times) / minutes >= 0.95 * 500


def test_a_share_of_the_budget_leaves_the_rest_to_other_apps() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(share=0.6), clock=clock, sleep=clock.sleep)
    times = run(limiter, clock, 1500)
    assert most_in_any_window(times, 60.0) <= 300
    assert len(times) / ((times[-1] - times[0]) / 60) >= 0.95 * 300


def test_batches_keep_to_40_a_minute() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    times = run(limiter, clock, 200, batch=True)
    assert most_in_any_window(times, 60.0) <= 40
    assert len(times) / ((times[-1] - times[0]) / 60) >= 0.95 * 40


def test_batches_count_against_the_request_budget_too() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    times = []
    for n in range(1200):
        limiter.acquire(batch=n % 20 == 0)
        times.append(clock.now)
    assert most_in_any_window(times, 60.0) <= 500
    assert most_in_any_window(times, 1.0) <= 10


def test_a_pause_holds_every_request_of_the_company() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    limiter.acquire()
    limiter.pause(60)
    limiter.acquire()
    assert clock.now >= 60


def test_shares_outside_0_to_1_are_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        Limits(share=1.5)
    with pytest.raises(ValueError, match="share"):
        Limits(share=0)


def test_one_limiter_per_company_in_a_process() -> None:
    assert shared_limiter("realm-a") is shared_limiter("realm-a")
    assert shared_limiter("realm-a") is not shared_limiter("realm-b")


def test_batch_ready_says_when_the_minutes_batches_are_spent() -> None:
    clock = SimClock()
    limiter = RealmLimiter(Limits(), clock=clock, sleep=clock.sleep)
    assert limiter.batch_ready()
    run(limiter, clock, 40, batch=True)
    assert not limiter.batch_ready()  # 40 batches a minute (Intuit's limits page)
    clock.now += 61
    assert limiter.batch_ready()
    limiter.pause(5)
    assert not limiter.batch_ready()  # a 429 pause holds batches too
