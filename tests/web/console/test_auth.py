"""The auth dependencies on routes of their own: API tokens and sessions, roles, company
grants, the CSRF rules of the API, the answers to refused requests, and the Secure cookie."""

from __future__ import annotations

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.testclient import TestClient
from tests.web.console.conftest import COMPANY, ConsoleWorld, SignIn, csrf_of, serve_app

from sfqb.cli.context import Services
from sfqb.domain.people import Person
from sfqb.services import people
from sfqb.store import Store
from sfqb.web.console.auth import (
    api_operator,
    api_viewer,
    company_or_404,
    csrf_checked,
    operator,
    viewer,
)
from sfqb.web.console.pages import render


def _area() -> APIRouter:
    router = APIRouter()

    @router.post("/api/v1/probe/{company}")
    def act(person: Annotated[Person, Depends(api_operator)], company: str) -> dict[str, str]:
        return {"company": company_or_404(person, company), "by": person.name}

    @router.get("/api/v1/probe/{company}")
    def look(person: Annotated[Person, Depends(api_viewer)], company: str) -> dict[str, str]:
        return {"company": company_or_404(person, company)}

    @router.get("/probe/crash")
    def crash(person: Annotated[Person, Depends(viewer)]) -> str:
        raise RuntimeError("a bug")

    @router.get("/probe/operators")
    def page(person: Annotated[Person, Depends(operator)]) -> str:
        return person.name

    @router.get("/probe/{company}")
    def company_page(
        request: Request, person: Annotated[Person, Depends(viewer)], company: str
    ) -> Response:
        company_or_404(person, company)
        return render(request, "error.html", {"heading": company, "message": "seen"})

    return router


@pytest.fixture(scope="module")
def probe_app(console_world: ConsoleWorld) -> FastAPI:
    """The served app with a probe area included as add_console includes its areas."""
    _, app = serve_app(Services(), console_world.store)
    app.include_router(_area(), dependencies=[Depends(csrf_checked)])
    return app


@pytest.fixture
def client(probe_app: FastAPI) -> TestClient:
    return TestClient(probe_app, follow_redirects=False)


def test_the_api_takes_a_token_or_the_session_and_else_answers_401(
    client: TestClient, sign_in: SignIn, api_tokens: dict[str, str], console_store: Store
) -> None:
    bearer = {"Authorization": f"Bearer {api_tokens['viewer']}"}
    assert client.get(f"/api/v1/probe/{COMPANY}", headers=bearer).json() == {"company": COMPANY}
    refused = client.get(f"/api/v1/probe/{COMPANY}")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["detail"].startswith("a valid API token")
    wrong = {"Authorization": "Bearer sfqb_not-a-token"}
    assert client.get(f"/api/v1/probe/{COMPANY}", headers=wrong).status_code == 401
    sign_in(client, "viewer", "viewer-pw")
    assert client.get(f"/api/v1/probe/{COMPANY}").status_code == 200
    made = people.create_token(console_store, "viewer", "revoked")
    people.revoke_token(console_store, made.id)
    revoked = {"Authorization": f"Bearer {made.token}"}
    with TestClient(client.app) as fresh:
        assert fresh.get(f"/api/v1/probe/{COMPANY}", headers=revoked).status_code == 401


def test_api_roles_and_grants(client: TestClient, api_tokens: dict[str, str]) -> None:
    def post(user: str, company: str) -> int:
        headers = {"Authorization": f"Bearer {api_tokens[user]}"}
        return client.post(f"/api/v1/probe/{company}", headers=headers).status_code

    assert post("viewer", COMPANY) == 403
    assert post("operator", COMPANY) == 200
    assert post("other", COMPANY) == 404
    assert post("demo", "No Such Company") == 404  # an admin of all: it must exist
    assert post("demo", COMPANY) == 200


def test_an_api_call_with_the_session_needs_the_csrf_header(
    client: TestClient, sign_in: SignIn
) -> None:
    token = sign_in(client, "operator", "operator-pw")
    assert client.post(f"/api/v1/probe/{COMPANY}").status_code == 403
    wrong = client.post(f"/api/v1/probe/{COMPANY}", headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403 and wrong.json()["detail"].startswith("The form's security")
    done = client.post(f"/api/v1/probe/{COMPANY}", headers={"X-CSRF-Token": token})
    assert done.json() == {"company": COMPANY, "by": "operator"}


def test_pages_refuse_with_a_page_of_their_own(client: TestClient, sign_in: SignIn) -> None:
    sign_in(client, "viewer", "viewer-pw")
    refused = client.get("/probe/operators")
    assert refused.status_code == 403
    assert "<h1>Not allowed</h1>" in refused.text and refused.text.count("<h1") == 1
    assert "for the operator role" in refused.text
    hidden = client.get("/probe/Second%20Books")
    assert hidden.status_code == 404 and "<h1>Page not found</h1>" in hidden.text
    assert client.get(f"/probe/{COMPANY}").status_code == 200
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and "<h1>Page not found</h1>" in missing.text
    assert client.get("/api/v1/no-such").json() == {"detail": "Not Found"}


def test_a_signed_out_page_keeps_where_it_was_going(client: TestClient) -> None:
    answer = client.get("/probe/operators?x=1&y=2")
    assert answer.headers["location"] == "/sign-in?next=/probe/operators%3Fx%3D1%26y%3D2"


def test_over_https_the_cookie_is_secure(console_world: ConsoleWorld) -> None:
    console, app = serve_app(Services(), console_world.store, "https://sfqb.example.com")
    assert console.https
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as https:
        form = https.get("/sign-in")
        answer = https.post("/sign-in", data={"user_name": "demo", "password": "demo",
                                              "csrf_token": csrf_of(form.text)})  # fmt: skip
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie
        assert "strict-transport-security" in answer.headers


def test_a_fault_of_sfqb_is_a_page_saying_so(probe_app: FastAPI, sign_in: SignIn) -> None:
    with TestClient(probe_app, raise_server_exceptions=False) as client:
        sign_in(client, "viewer", "viewer-pw")
        answer = client.get("/probe/crash")
        assert answer.status_code == 500
        assert "<h1>Something went wrong</h1>" in answer.text and "a bug" not in answer.text
