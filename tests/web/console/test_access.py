"""Every route of the assembled app, found by enumeration (so routes added later are checked
too): signed out → the sign-in page or 401; no CSRF token → 403; a viewer changes nothing;
a user of another company gets 404 for every URL of company `demo`, record Ids included.

Path parameters are filled by name (`PARAMS`, from the store where they name a record); a
route whose parameter is not known fails the test until its name is added here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from tests.web.console.conftest import (
    COMPANY,
    SECOND,
    USERS,
    ConsoleWorld,
    SignIn,
    serve_app,
)

from sfqb.cli.context import Services
from sfqb.domain.people import Person
from sfqb.store import Store
from sfqb.web.console.app import served_routes
from sfqb.web.console.auth import company_or_404, viewer

PUBLIC = ("/qbwc", "/qbo/", "/static/", "/sign-in", "/api/v1/openapi.json")
API = "/api/v1/"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# POSTs that change nothing, open to viewers: signing out, and decoding pasted text (a log can
# be too long for a URL). Still CSRF-checked.
READ_ONLY_POSTS = ("/sign-out", "/codes/decode", "/api/v1/codes/decode")
_PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")
# Parameters that name one record of a company: guessed from company demo under SECOND's URL,
# they must not be found.
RECORDISH = ("record_id", "item_id", "attempt_id", "run_id", "binding_id")


@dataclass(frozen=True)
class Route:
    path: str
    method: str

    @property
    def api(self) -> bool:
        return self.path.startswith(API)

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def url(self, values: dict[str, str], **given: str) -> str:
        filled = {**values, **given}
        missing = [p for p in self.params if p not in filled]
        assert not missing, f"{self.method} {self.path}: add {missing} to PARAMS in {__file__}"
        return _PARAM.sub(lambda m: filled[m.group(1)], self.path)


def routes(app: FastAPI) -> list[Route]:
    found = [
        Route(r.path, method)
        for r in served_routes(app)
        if r.path and not r.path.startswith(PUBLIC)
        for method in sorted(r.methods or ())
        if method != "HEAD"
    ]
    assert {("/", "GET"), ("/api/v1/me", "GET"), ("/sign-out", "POST")} <= {
        (r.path, r.method) for r in found
    }, "the enumeration misses the console's own routes"
    return found


def params(store: Store) -> dict[str, str]:
    """A sensible value for each path parameter the console's routes use."""
    review = store.review.items(COMPANY, status=None, limit=1)
    attempts = store.journal.log(company=COMPANY, limit=1)
    bindings = store.bindings.for_company(COMPANY)
    runs = store.journal.runs(COMPANY, limit=1)
    tokens = store.people.tokens()
    return {
        "company": COMPANY,
        "code": "3100",
        "flow": "account_to_customer",
        "name": "viewer",
        "user": "viewer",
        "record_id": bindings[0].sf.id if bindings else "001000000000001AAA",
        "sf_id": bindings[0].sf.id if bindings else "001000000000001AAA",
        "item_id": str(review[0].id) if review else "1",
        "attempt_id": str(attempts[0].id) if attempts else "1",
        "run_id": str(runs[0].id) if runs else "1",
        "token_id": str(tokens[0].id) if tokens else "1",
        "system": "qbxml",
    }


@pytest.fixture(scope="module")
def every_route(console_app: FastAPI) -> list[Route]:
    return routes(console_app)


@pytest.fixture(scope="module")
def values(console_store: Store, api_tokens: dict[str, str]) -> dict[str, str]:
    return params(console_store)


def _problems(
    chosen: list[Route], check: Callable[[Route], tuple[bool, Response | None]]
) -> list[str]:
    problems = []
    for route in chosen:
        good, answer = check(route)
        if not good:
            got = "-" if answer is None else f"{answer.status_code} {answer.text[:120]!r}"
            problems.append(f"{route.method} {route.path}: {got}")
    return problems


def signed_out_problems(
    client: TestClient, chosen: list[Route], values: dict[str, str]
) -> list[str]:
    """Routes that answer a stranger otherwise than with the sign-in page (pages) or 401 (API)."""

    def check(route: Route) -> tuple[bool, Response]:
        answer = client.request(route.method, route.url(values))
        if route.api:
            return answer.status_code == 401, answer
        if route.method == "GET":
            location = answer.headers.get("location", "")
            return answer.status_code == 303 and location.startswith("/sign-in?next="), answer
        return answer.status_code in (303, 403), answer

    return _problems(chosen, check)


def csrf_problems(client: TestClient, chosen: list[Route], values: dict[str, str]) -> list[str]:
    """Unsafe routes that do not refuse a signed-in `client`'s request without a CSRF token."""

    def check(route: Route) -> tuple[bool, Response]:
        answer = client.request(route.method, route.url(values), data={"x": "1"})
        return answer.status_code == 403, answer

    return _problems([r for r in chosen if r.method in UNSAFE], check)


def viewer_problems(
    client: TestClient, csrf: str, token: str, chosen: list[Route], values: dict[str, str]
) -> list[str]:
    """Unsafe routes (but READ_ONLY_POSTS) a viewer is not refused (403) on."""
    bearer = {"Authorization": f"Bearer {token}"}

    def check(route: Route) -> tuple[bool, Response]:
        url = route.url(values)
        if route.api:
            answer = client.request(route.method, url, json={}, headers=bearer)
        else:
            answer = client.request(route.method, url, data={"csrf_token": csrf})
        return answer.status_code == 403, answer

    unsafe = [r for r in chosen if r.method in UNSAFE and r.path not in READ_ONLY_POSTS]
    return _problems(unsafe, check)


def outsider_problems(
    client: TestClient, csrf: str, token: str, chosen: list[Route], values: dict[str, str]
) -> list[str]:
    """Routes of company demo that do not answer 404 to a user of another company, nor to
    demo's record Ids guessed under that company's own URLs."""
    bearer = {"Authorization": f"Bearer {token}"}

    def send(route: Route, url: str) -> Response:
        if route.api:
            return client.request(route.method, url, json={}, headers=bearer)
        if route.method == "GET":
            return client.get(url)
        return client.request(route.method, url, data={"csrf_token": csrf})

    def check(route: Route) -> tuple[bool, Response]:
        answer = send(route, route.url(values))
        return answer.status_code == 404, answer

    def guessed(route: Route) -> tuple[bool, Response]:
        answer = send(route, route.url(values, company=SECOND))
        return answer.status_code == 404, answer

    of_company = [r for r in chosen if "company" in r.params]
    recordish = [r for r in of_company if set(r.params) & set(RECORDISH)]
    return _problems(of_company, check) + _problems(recordish, guessed)


def test_signed_out_pages_go_to_sign_in_and_the_api_answers_401(
    console_client: TestClient, every_route: list[Route], values: dict[str, str]
) -> None:
    assert signed_out_problems(console_client, every_route, values) == []


def test_every_unsafe_request_without_the_csrf_token_is_refused(
    console_client: TestClient, sign_in: SignIn, every_route: list[Route], values: dict[str, str]
) -> None:
    sign_in(console_client, "demo", "demo")
    assert [r for r in every_route if r.method in UNSAFE]
    assert csrf_problems(console_client, every_route, values) == []
    assert console_client.get("/").status_code == 200  # the refusals did not end the session


def test_a_viewer_changes_nothing(
    console_client: TestClient,
    sign_in: SignIn,
    api_tokens: dict[str, str],
    every_route: list[Route],
    values: dict[str, str],
) -> None:
    csrf = sign_in(console_client, "viewer", "viewer-pw")
    token = api_tokens["viewer"]
    assert viewer_problems(console_client, csrf, token, every_route, values) == []


def test_a_user_of_another_company_finds_nothing_of_demo(
    console_client: TestClient,
    sign_in: SignIn,
    api_tokens: dict[str, str],
    every_route: list[Route],
    values: dict[str, str],
) -> None:
    """`other-admin` (admin of SECOND only: no role stops it first) gets 404 everywhere under
    company demo, and for demo's record Ids under SECOND's URLs."""
    csrf = sign_in(console_client, "other-admin", USERS["other-admin"][0])
    token = api_tokens["other-admin"]
    assert outsider_problems(console_client, csrf, token, every_route, values) == []


def test_every_get_answers_the_admin_without_a_server_error(
    console_client: TestClient,
    sign_in: SignIn,
    api_tokens: dict[str, str],
    every_route: list[Route],
    values: dict[str, str],
) -> None:
    sign_in(console_client, "demo", "demo")
    bearer = {"Authorization": f"Bearer {api_tokens['demo']}"}

    def check(route: Route) -> tuple[bool, Response]:
        answer = console_client.get(route.url(values), headers=bearer if route.api else None)
        return answer.status_code < 500 and answer.status_code not in (401, 403), answer

    assert _problems([r for r in every_route if r.method == "GET"], check) == []


def _careless() -> APIRouter:
    """Routes that forget each rule once, added beside the console (without its CSRF check)."""
    router = APIRouter()

    @router.get("/api/v1/careless")
    def no_auth() -> dict[str, str]:
        return {"who": "anyone"}

    @router.get("/companies/{company}/careless")
    def no_company_check(person: Annotated[Person, Depends(viewer)], company: str) -> str:
        return company

    @router.post("/companies/{company}/careless/{record_id}")
    def viewer_acts(
        person: Annotated[Person, Depends(viewer)], company: str, record_id: str
    ) -> str:
        return company_or_404(person, company) + record_id  # the record is never checked

    return router


def test_the_checks_catch_routes_that_forget_the_rules(
    console_world: ConsoleWorld,
    sign_in: SignIn,
    api_tokens: dict[str, str],
    values: dict[str, str],
) -> None:
    _, app = serve_app(Services(), console_world.store)
    app.include_router(_careless())
    careless = [r for r in routes(app) if "careless" in r.path]
    assert len(careless) == 3
    with TestClient(app, follow_redirects=False) as client:
        assert signed_out_problems(client, careless, values) == [
            'GET /api/v1/careless: 200 \'{"who":"anyone"}\''
        ]
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "demo", "demo")
        assert [p.split(":")[0] for p in csrf_problems(client, careless, values)] == [
            "POST /companies/{company}/careless/{record_id}"
        ]
    with TestClient(app, follow_redirects=False) as client:
        csrf = sign_in(client, "viewer", "viewer-pw")
        problems = viewer_problems(client, csrf, api_tokens["viewer"], careless, values)
        assert [p.split(":")[0] for p in problems] == [
            "POST /companies/{company}/careless/{record_id}"
        ]
    with TestClient(app, follow_redirects=False) as client:
        csrf = sign_in(client, "other-admin", USERS["other-admin"][0])
        problems = outsider_problems(client, csrf, api_tokens["other-admin"], careless, values)
        assert [p.split(":")[0] for p in problems] == [
            "GET /companies/{company}/careless",
            "POST /companies/{company}/careless/{record_id}",
        ]
