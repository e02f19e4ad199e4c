"""The review list's JSON API: the same service, roles and company grants as the pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.web.console.conftest import COMPANY, SECOND, ConsoleWorld
from tests.web.console.review_world import (
    NORTHWIND,
    build_review_world,
    held_account,
    northwind_item,
)

from sfqb.services.people import create_token
from sfqb.store import ReviewStatus

API = f"/api/v1/companies/{COMPANY}/review"


@pytest.fixture(scope="module")
def review_world() -> Iterator[ConsoleWorld]:
    """A store of this module's own (its actions change it)."""
    yield from build_review_world()


@pytest.fixture(scope="module")
def tokens(review_world: ConsoleWorld) -> dict[str, str]:
    store = review_world.store
    return {
        name: create_token(store, name, "review tests").token
        for name in ("viewer", "operator", "other")
    }


@pytest.fixture
def client(review_world: ConsoleWorld) -> Iterator[TestClient]:
    with TestClient(review_world.app, follow_redirects=False) as found:
        yield found


def as_(tokens: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[name]}"}


def test_no_token_is_401(client: TestClient) -> None:
    assert client.get(API).status_code == 401
    assert client.post(f"{API}/1/ignore").status_code == 401


def test_the_open_list_and_one_item(
    client: TestClient, tokens: dict[str, str], review_world: ConsoleWorld
) -> None:
    item_id = northwind_item(review_world.store)
    listing = client.get(API, headers=as_(tokens, "viewer"))
    assert listing.status_code == 200
    body = listing.json()
    assert body["status"] == "open" and item_id in [i["id"] for i in body["items"]]
    item = client.get(f"{API}/{item_id}", headers=as_(tokens, "viewer")).json()
    assert item["name"] == NORTHWIND and item["code"] == "qbxml:3100"
    assert item["comparison"] and {f["match"] for f in item["comparison"][0]["fields"]} <= {
        "same", "differs", "not in Salesforce", "not in QuickBooks", "in neither",
    }  # fmt: skip
    assert {"bind", "recreate", "retry", "ignore", "assign"} <= set(item["actions"])


def test_a_viewer_cannot_act_and_another_company_is_404(
    client: TestClient, tokens: dict[str, str], review_world: ConsoleWorld
) -> None:
    item_id = northwind_item(review_world.store)
    assert client.post(f"{API}/{item_id}/ignore", headers=as_(tokens, "viewer")).status_code == 403
    other = as_(tokens, "other")
    assert client.get(API, headers=other).status_code == 404
    assert client.get(f"{API}/{item_id}", headers=other).status_code == 404
    assert client.post(f"{API}/{item_id}/ignore", headers=other).status_code == 404
    second = f"/api/v1/companies/{SECOND}/review/{item_id}"
    assert client.get(second, headers=other).status_code == 404  # an Id guessed from another
    assert client.post(f"{second}/ignore", headers=other).status_code == 404
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_mistakes_are_4xx_with_a_detail(
    client: TestClient, tokens: dict[str, str], review_world: ConsoleWorld
) -> None:
    item_id = northwind_item(review_world.store)
    op = as_(tokens, "operator")
    bad = client.post(f"{API}/{item_id}/bind", headers=op, json={"qb_id": "not-an-id"})
    assert bad.status_code == 400 and bad.json()["detail"]
    clash = client.post(f"{API}/{item_id}/recreate", headers=op, json={})
    assert clash.status_code == 400 and "still has the name" in clash.json()["detail"]
    nobody = client.post(f"{API}/{item_id}/assign", headers=op, json={"user": "mallory"})
    assert nobody.status_code == 400
    wrong = client.post(
        f"{API}/{item_id}/correct", headers=op, json={"field": "Phone", "value": "1"}
    )
    assert (
        wrong.status_code == 400 and "did not fail on the record's data" in wrong.json()["detail"]
    )
    assert client.post(f"{API}/999999/retry", headers=op).status_code == 404
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_a_held_record_is_listed_and_corrected(
    client: TestClient, tokens: dict[str, str], review_world: ConsoleWorld
) -> None:
    row = held_account(review_world.store)
    record = f"{row.source.sobject.value}/{row.source.id}"
    listed = client.get(f"{API}/held", headers=as_(tokens, "viewer")).json()["records"]
    (held,) = [h for h in listed if h["record"] == record]
    assert held["code"] == "qbxml:3210" and "Phone" in held["correctable"]
    url = f"{API}/records/{row.source.id}/correct"
    body = {"field": "Phone", "value": "(512) 555-0199"}
    assert client.post(url, headers=as_(tokens, "viewer"), json=body).status_code == 403
    assert client.post(url, headers=as_(tokens, "other"), json=body).status_code == 404
    done = client.post(url, headers=as_(tokens, "operator"), json=body)
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["done"].startswith('Phone set to "(512) 555-0199"')
    assert [(a["action"], a["by"]) for a in result["record"]["history"]] == [
        ("correct", "operator")
    ]
    assert result["record"]["overrides"][0]["value"] == "(512) 555-0199"
    missing = f"{API}/records/001000000000000AAA/retry"
    assert client.post(missing, headers=as_(tokens, "operator")).status_code == 404


def test_bind_then_the_item_is_under_resolved_with_its_history(
    client: TestClient, tokens: dict[str, str], review_world: ConsoleWorld
) -> None:
    item_id = northwind_item(review_world.store)
    op = as_(tokens, "operator")
    item = client.get(f"{API}/{item_id}", headers=op).json()
    qb_id = item["comparison"][0]["qb_id"]
    done = client.post(f"{API}/{item_id}/bind", headers=op, json={"qb_id": qb_id})
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["item"]["status"] == "resolved" and result["item"]["resolved_by"] == "operator"
    assert [(a["action"], a["by"]) for a in result["item"]["history"]] == [("bind", "operator")]
    assert result["item"]["outcome"] == "bound; waits for the next cycle"
    open_ids = [i["id"] for i in client.get(API, headers=op).json()["items"]]
    resolved = client.get(API, params={"status": "resolved"}, headers=op).json()["items"]
    assert item_id not in open_ids and item_id in [i["id"] for i in resolved]
    again = client.post(f"{API}/{item_id}/ignore", headers=op)
    assert again.status_code == 400 and "already resolved" in again.json()["detail"]


def test_the_openapi_document_lists_the_review_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/companies/{company}/review" in paths
    for action in ("bind", "rename", "recreate", "retry", "ignore", "assign", "correct"):
        assert f"/api/v1/companies/{{company}}/review/{{item_id}}/{action}" in paths
