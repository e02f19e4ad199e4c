"""`sfqb serve` serves the console beside /qbwc: built from the store it serves, its session
secret from SFQB_SESSION_SECRET or kept in the store (the same after a restart)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.cli.cli_helpers import fails, ok

from sfqb.domain.people import Role
from sfqb.services import people
from sfqb.web.console import Console


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The apps `sfqb serve` would run (uvicorn.run replaced)."""
    import uvicorn

    apps: list[Any] = []
    monkeypatch.setenv("SFQB_DATABASE_URL", f"sqlite:///{tmp_path / 'sfqb.sqlite'}")
    monkeypatch.delenv("SFQB_SESSION_SECRET", raising=False)
    monkeypatch.delenv("SFQB_SECRET_KEY", raising=False)
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: apps.append(app))
    return apps


def _console(app: Any) -> Console:
    console = app.state.console
    assert isinstance(console, Console)
    return console


def test_serve_serves_the_console_beside_the_web_connector(served: list[Any]) -> None:
    out = ok("serve", "--port", "0")
    assert "Integration Manager: http://127.0.0.1:0/ (no users yet: sfqb user add" in out
    (app,) = served
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/").headers["location"] == "/sign-in?next=/"
        assert client.get("/sign-in").status_code == 200
        assert client.get("/qbwc").status_code == 200
        assert client.get("/api/v1/me").status_code == 401
    console = _console(app)
    assert not console.https and console.store.people.all() == []


def test_the_stored_session_secret_survives_a_restart(served: list[Any]) -> None:
    ok("serve", "--port", "0")
    people.add_user(_console(served[0]).store, "ann", "long enough", Role.ADMIN)
    out = ok("serve", "--port", "0")
    assert "Integration Manager: http://127.0.0.1:0/\n" in out
    first, second = (_console(app).session_secret for app in served)
    assert first == second and len(first) >= 32


def test_sfqb_session_secret_wins_and_must_be_long_enough(
    served: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SFQB_SESSION_SECRET", "s" * 40)
    ok("serve", "--port", "0")
    assert _console(served[0]).session_secret == "s" * 40
    monkeypatch.setenv("SFQB_SESSION_SECRET", "short")
    assert "SFQB_SESSION_SECRET must be at least 32 characters" in fails("serve", "--port", "0")


def test_over_an_https_public_url_the_console_marks_its_cookie_secure(
    served: list[Any],
) -> None:
    ok("serve", "--port", "0", "--public-url", "https://sfqb.example.com")
    assert _console(served[0]).https
