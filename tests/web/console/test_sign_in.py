"""Signing in and out of the console: the form, wrong passwords, the throttle, where the browser
is sent afterwards, the cookie's flags, and CSRF on every POST."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from tests.web.console.conftest import SignIn, csrf_of

from sfqb.domain.people import Role
from sfqb.services import people
from sfqb.store import Store


def _post_sign_in(
    client: TestClient, name: str, password: str, next_: str = "/"
) -> tuple[int, str, str]:
    form = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"user_name": name, "password": password, "next": next_,
              "csrf_token": csrf_of(form.text)},
    )  # fmt: skip
    return answer.status_code, answer.headers.get("location", ""), answer.text


def test_a_page_sends_a_stranger_to_the_sign_in_form_and_back(console_client: TestClient) -> None:
    answer = console_client.get("/?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=/%3Fx%3D1"
    form = console_client.get(answer.headers["location"])
    assert form.status_code == 200
    assert '<label for="user_name">User name</label>' in form.text
    assert '<label for="password">Password</label>' in form.text
    assert ">Sign in</button>" in form.text
    assert form.text.count("<h1") == 1
    status, location, _ = _post_sign_in(console_client, "demo", "demo", "/?x=1")
    assert (status, location) == (303, "/?x=1")


def test_signed_in_the_overview_lists_the_companies_of_the_person(
    console_client: TestClient, sign_in: SignIn
) -> None:
    sign_in(console_client, "other", "other-pw")
    page = console_client.get("/")
    assert page.status_code == 200
    assert "Signed in as <strong>other</strong>" in page.text
    assert "Second Books" in page.text
    assert "/companies/demo/" not in page.text


def test_a_wrong_password_is_said_on_the_form_and_signs_no_one_in(
    console_client: TestClient,
) -> None:
    status, _, text = _post_sign_in(console_client, "demo", "not-the-password")
    assert status == 400
    assert "The user name or password is not right." in text
    assert console_client.get("/").status_code == 303
    status, _, text = _post_sign_in(console_client, "no-such-user", "whatever")
    assert status == 400 and "not right" in text


def test_sign_out_ends_the_session(console_client: TestClient, sign_in: SignIn) -> None:
    token = sign_in(console_client, "viewer", "viewer-pw")
    assert console_client.get("/").status_code == 200
    answer = console_client.post("/sign-out", data={"csrf_token": token})
    assert (answer.status_code, answer.headers["location"]) == (303, "/sign-in")
    assert console_client.get("/").status_code == 303


def test_sign_out_without_the_csrf_token_is_refused(
    console_client: TestClient, sign_in: SignIn
) -> None:
    sign_in(console_client, "viewer", "viewer-pw")
    assert console_client.post("/sign-out", data={}).status_code == 403
    assert console_client.post("/sign-out", data={"csrf_token": "forged"}).status_code == 403
    assert console_client.get("/").status_code == 200  # still signed in


def test_the_sign_in_post_needs_the_forms_csrf_token(console_client: TestClient) -> None:
    answer = console_client.post("/sign-in", data={"user_name": "demo", "password": "demo"})
    assert answer.status_code == 403
    assert console_client.get("/").status_code == 303


def test_failed_sign_ins_are_throttled_with_429_and_when_to_try_again(
    console_client: TestClient,
) -> None:
    name = f"guess-{uuid.uuid4().hex[:8]}"  # a name of its own: the throttle is shared
    limit = console_client.app.state.console.throttle.settings.max_failures  # type: ignore[attr-defined]
    for _ in range(limit):
        status, _, _ = _post_sign_in(console_client, name, "wrong-password")
        assert status == 400
    form = console_client.get("/sign-in")
    answer = console_client.post(
        "/sign-in",
        data={"user_name": name, "password": "x", "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 429
    assert "Try again after" in answer.text
    assert int(answer.headers["retry-after"]) > 0


def test_next_goes_only_to_a_local_path(console_client: TestClient) -> None:
    for outside in ("https://evil.example/", "//evil.example/x", "/\\evil.example",
                    "javascript:alert(1)", "/sign-out"):  # fmt: skip
        client = TestClient(console_client.app, follow_redirects=False)
        status, location, _ = _post_sign_in(client, "demo", "demo", outside)
        assert (status, location) == (303, "/"), outside


def test_the_session_cookie_is_httponly_and_samesite_lax(console_client: TestClient) -> None:
    form = console_client.get("/sign-in")
    answer = console_client.post(
        "/sign-in",
        data={"user_name": "demo", "password": "demo", "csrf_token": csrf_of(form.text)},
    )
    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith("sfqb_session=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "max-age=" in cookie


def test_a_removed_disabled_or_re_passworded_user_is_signed_out(
    console_client: TestClient, sign_in: SignIn, console_store: Store
) -> None:
    name = f"temp-{uuid.uuid4().hex[:8]}"
    people.add_user(console_store, name, "first password", Role.VIEWER, ("demo",))
    sign_in(console_client, name, "first password")
    assert console_client.get("/").status_code == 200
    people.change_password(console_store, name, "second password")
    assert console_client.get("/").status_code == 303
    sign_in(console_client, name, "second password")
    people.set_disabled(console_store, name, True)
    assert console_client.get("/").status_code == 303
    people.set_disabled(console_store, name, False)
    sign_in(console_client, name, "second password")
    people.remove_user(console_store, name)
    assert console_client.get("/").status_code == 303


def test_pages_may_load_only_sfqbs_stylesheet_and_post_only_to_sfqb(
    console_client: TestClient,
) -> None:
    form = console_client.get("/sign-in")
    policy = form.headers["content-security-policy"]
    assert "style-src 'self'" in policy and "form-action 'self'" in policy
    assert "script-src" not in policy and "unsafe" not in policy  # default-src 'none': no script
    assert '<link rel="stylesheet" href="/static/console.css">' in form.text
    sheet = console_client.get("/static/console.css")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
    assert "<script" not in form.text and "style=" not in form.text
