"""`GET /api/v1/status`: per company the caller may see, the numbers a deployment watches
(queue depth, cycle age, open alerts), as `sfqb status --json` has them in `metrics`."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.console.conftest import COMPANY, SECOND, ConsoleWorld, SignIn

from sfqb.store import QueueStatus


def test_status_gives_each_visible_companys_numbers(
    console_world: ConsoleWorld, console_client: TestClient, sign_in: SignIn
) -> None:
    sign_in(console_client, "demo", "demo")
    listed = {r["company"]: r for r in console_client.get("/api/v1/status").json()}
    assert set(listed) == {COMPANY, SECOND}
    store = console_world.store
    for company, row in listed.items():
        queue = store.queue.count_by_status(company)
        assert row["queue_depth"] == sum(n for s, n in queue.items() if s is not QueueStatus.DONE)
        assert row["queue_due"] == queue.get(QueueStatus.PENDING, 0)
        assert row["alerts_open"] == len(store.alerts.items(company, limit=100_000))
        assert row["review_open"] == len(store.review.items(company, limit=100_000))
    ran = listed[COMPANY]  # the seed-codes demo ran its cycles: the last one ended
    assert isinstance(ran["cycle_age_seconds"], int) and ran["cycle_age_seconds"] >= 0
    assert ran["cycle_running_seconds"] is None and ran["review_open"] > 0


def test_status_lists_only_the_companies_the_caller_may_see(
    console_client: TestClient, sign_in: SignIn
) -> None:
    assert console_client.get("/api/v1/status").status_code == 401
    sign_in(console_client, "other", "other-pw")
    assert [r["company"] for r in console_client.get("/api/v1/status").json()] == [SECOND]
