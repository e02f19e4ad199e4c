"""The review list's pages and actions through the app `sfqb serve` builds: tabs, the
comparison marked in words, confirmation for actions that change QuickBooks, CSRF, roles, and
another company's items answered 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient
from tests.web.console.conftest import COMPANY, SECOND, ConsoleWorld, SignIn
from tests.web.console.review_world import (
    NORTHWIND,
    build_review_world,
    held_account,
    northwind_item,
)

from sfqb.domain.entities import SfRef
from sfqb.store import QueueStatus, ReviewStatus

REVIEW = f"/companies/{COMPANY}/review"


@pytest.fixture(scope="module")
def review_world() -> Iterator[ConsoleWorld]:
    """A store of this module's own (its actions change it)."""
    yield from build_review_world()


@pytest.fixture
def client(review_world: ConsoleWorld) -> Iterator[TestClient]:
    with TestClient(review_world.app, follow_redirects=False) as found:
        yield found


def test_signed_out_goes_to_sign_in(client: TestClient) -> None:
    answer = client.get(REVIEW)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


def test_the_open_list_compares_the_candidates_in_words(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    sign_in(client, "viewer", "viewer-pw")
    item_id = northwind_item(review_world.store)
    page = client.get(REVIEW)
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    assert f"#{item_id} Account" in html and NORTHWIND in html
    assert "Candidate 1: QuickBooks Customer" in html
    assert re.search(r'data-label="Match"[^>]*>(same|differs)<', html)
    assert "Why sfqb did not bind it:" in html
    for label in ("Bind", "Re-create", "Retry now", "Ignore"):
        assert f">{label}</button>" in html
    assert 'aria-current="page">Open (' in html


def test_a_viewer_cannot_act(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    csrf = sign_in(client, "viewer", "viewer-pw")
    item_id = northwind_item(review_world.store)
    answer = client.post(f"{REVIEW}/{item_id}/ignore", data={"csrf_token": csrf})
    assert answer.status_code == 403
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_an_action_without_the_csrf_token_is_refused(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    sign_in(client, "operator", "operator-pw")
    item_id = northwind_item(review_world.store)
    answer = client.post(f"{REVIEW}/{item_id}/ignore", data={})
    assert answer.status_code == 403
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_another_company_s_item_is_not_found(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    item_id = northwind_item(review_world.store)
    csrf = sign_in(client, "demo", "demo")  # an admin sees both companies
    second = f"/companies/{SECOND.replace(' ', '%20')}/review"
    assert client.get(second).status_code == 200
    answer = client.post(f"{second}/{item_id}/ignore", data={"csrf_token": csrf})
    assert answer.status_code == 404
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]
    other = TestClient(review_world.app, follow_redirects=False)
    csrf = sign_in(other, "other", "other-pw")
    assert other.get(REVIEW).status_code == 404
    assert other.post(f"{REVIEW}/{item_id}/ignore", data={"csrf_token": csrf}).status_code == 404


def test_re_create_asks_for_confirmation_first(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    csrf = sign_in(client, "operator", "operator-pw")
    item_id = northwind_item(review_world.store)
    confirm = client.post(f"{REVIEW}/{item_id}/recreate", data={"csrf_token": csrf})
    assert confirm.status_code == 200
    assert "<h1>Confirm: Re-create</h1>" in confirm.text
    assert 'name="confirm" value="yes"' in confirm.text
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]
    # Confirmed, but QuickBooks still has the name: refused on the page, nothing changed.
    refused = client.post(
        f"{REVIEW}/{item_id}/recreate", data={"csrf_token": csrf, "confirm": "yes"}
    )
    assert refused.status_code == 400 and "QuickBooks still has the name" in refused.text
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_create_under_another_name_confirms_with_the_name_field(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    csrf = sign_in(client, "operator", "operator-pw")
    item_id = northwind_item(review_world.store)
    form = {"csrf_token": csrf, "new_name": "Northwind Traders (Austin)"}
    confirm = client.post(f"{REVIEW}/{item_id}/rename", data=form)
    assert confirm.status_code == 200
    assert "<h1>Confirm: Create under another name</h1>" in confirm.text
    assert '<label for="new-name">New name' in confirm.text
    assert 'value="Northwind Traders (Austin)"' in confirm.text
    # This store has no Salesforce connection: said on the page, nothing changed.
    refused = client.post(f"{REVIEW}/{item_id}/rename", data={**form, "confirm": "yes"})
    assert refused.status_code == 400 and "Salesforce" in unescape(refused.text)
    assert review_world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_a_bad_assignee_is_shown_on_the_page(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    csrf = sign_in(client, "operator", "operator-pw")
    item_id = northwind_item(review_world.store)
    answer = client.post(f"{REVIEW}/{item_id}/assign", data={"csrf_token": csrf, "user": "viewer"})
    assert answer.status_code == 400 and "is not a user who sees company" in answer.text
    done = client.post(f"{REVIEW}/{item_id}/assign", data={"csrf_token": csrf, "user": "operator"})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "assigned to operator" in page
    assert review_world.store.review.get(item_id).assigned_to == "operator"  # type: ignore[union-attr]


def test_a_held_record_s_value_is_corrected_on_the_page(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    row = held_account(review_world.store)
    assert isinstance(row.source, SfRef)
    sf = row.source
    csrf = sign_in(client, "operator", "operator-pw")
    page = client.get(REVIEW).text
    assert "Held: QuickBooks refused a value" in page and sf.id in page
    assert ">Correct and retry</button>" in page
    url = f"/companies/{COMPANY}/review/records/{sf.id}/correct"
    wrong = client.post(url, data={"csrf_token": csrf, "field": "Shoe size", "value": "9"})
    assert wrong.status_code == 400 and "not a field sfqb writes" in wrong.text
    done = client.post(url, data={"csrf_token": csrf, "field": "Phone", "value": "(512) 555-0199"})
    assert done.status_code == 303
    assert 'Phone set to "(512) 555-0199"' in unescape(client.get(done.headers["location"]).text)
    (override,) = review_world.store.overrides.of_record(COMPANY, row.flow, sf)
    assert (override.field, override.value, override.set_by) == (
        "Phone",
        "(512) 555-0199",
        "operator",
    )
    assert review_world.store.queue.item(row.id).status is QueueStatus.PENDING  # type: ignore[union-attr]
    other = f"/companies/{SECOND.replace(' ', '%20')}/review/records/{sf.id}/retry"
    admin = TestClient(review_world.app, follow_redirects=False)
    token = sign_in(admin, "demo", "demo")
    assert admin.post(other, data={"csrf_token": token}).status_code == 404


def test_bind_moves_the_item_to_resolved_with_who_resolved_it(
    client: TestClient, sign_in: SignIn, review_world: ConsoleWorld
) -> None:
    csrf = sign_in(client, "operator", "operator-pw")
    item_id = northwind_item(review_world.store)
    item = review_world.store.review.get(item_id)
    assert item is not None
    qb_id = str(item.candidates[0]["qb_id"])
    answer = client.post(f"{REVIEW}/{item_id}/bind", data={"csrf_token": csrf, "qb_id": qb_id})
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("/review?tab=resolved")
    resolved = client.get(answer.headers["location"]).text
    assert f"Review item {item_id}: bound Salesforce Account" in resolved
    assert f"#{item_id} Account" in resolved
    assert "Resolved by</dt><dd>operator," in resolved
    assert f"#{item_id} Account" not in client.get(REVIEW).text
