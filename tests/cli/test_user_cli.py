"""`sfqb user ...`: adding users, passwords from stdin, grants, the list, API tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.cli.cli_helpers import fails, ok
from typer.testing import CliRunner

from sfqb.cli.main import app
from sfqb.domain.people import Role
from sfqb.services import people
from sfqb.store import Store


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    database = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    store = Store.from_url(database)
    store.migrate()
    store.create_company("Acme", "acme", "pw")
    store.engine.dispose()
    monkeypatch.setenv("SFQB_DATABASE_URL", database)
    return database


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def _store(url: str) -> Store:
    return Store.from_url(url)


def test_add_with_the_password_on_stdin_then_sign_in(url: str) -> None:
    code, out, _ = _run("user", "add", "ann", "--role", "operator", "--company", "Acme",
                        "--password-stdin", stdin="a good password\n")  # fmt: skip
    assert code == 0, out
    assert "added ann (operator; Acme)" in out
    assert people.verify_sign_in(_store(url), "ann", "a good password") is not None


def test_add_without_a_password_source_says_how_to_give_one(url: str) -> None:
    line = fails("user", "add", "ann", "--role", "admin", "--all-companies")
    assert "--password-stdin" in line
    assert _store(url).people.get("ann") is None


def test_mistakes_are_one_line(url: str) -> None:
    code, _, err = _run("user", "add", "ann", "--role", "viewer", "--password-stdin",
                        stdin="short\n")  # fmt: skip
    assert code == 2 and err.strip() == "sfqb: the password must be at least 8 characters long"
    code, _, err = _run("user", "add", "ann", "--role", "viewer", "--company", "Nope",
                        "--password-stdin", stdin="long enough\n")  # fmt: skip
    assert code == 2 and "no company named 'Nope' (companies: Acme)" in err
    assert "no user named 'zed'" in fails("user", "grant", "zed", "--company", "Acme")
    assert "no API token with id 7" in fails("user", "token-revoke", "7")
    assert "not both" in fails("user", "add", "x", "--role", "admin", "--all-companies",
                               "--company", "Acme")  # fmt: skip
    assert "held no password" in fails("user", "add", "ann", "--role", "viewer", "--password-stdin")
    assert _store(url).people.get("ann") is None


def test_passwd_grant_revoke_and_list(url: str) -> None:
    store = _store(url)
    people.add_user(store, "ann", "first password", Role.VIEWER)
    code, out, _ = _run("user", "passwd", "ann", "--password-stdin", stdin="second password\n")
    assert code == 0, out
    assert people.verify_sign_in(store, "ann", "second password") is not None
    assert "ann may see Acme" in ok("user", "grant", "ann", "--company", "Acme")
    listed = json.loads(ok("user", "list", "--json"))
    assert listed == [{"name": "ann", "role": "viewer", "companies": ["Acme"], "disabled": False,
                       "created_at": listed[0]["created_at"]}]  # fmt: skip
    assert "ann no longer sees Acme" in ok("user", "revoke", "ann", "--company", "Acme")
    assert "ann" in ok("user", "list")


def test_a_token_is_printed_once_and_can_be_revoked(url: str) -> None:
    store = _store(url)
    people.add_user(store, "ann", "long enough", Role.ADMIN, all_companies=True)
    code, out, err = _run("user", "token", "ann", "--label", "ci")
    assert code == 0
    token = out.strip()
    assert token.startswith("sfqb_") and "shown this once" in err
    assert people.person_for_token(store, token) is not None
    (record,) = store.people.tokens()
    assert "is revoked" in ok("user", "token-revoke", str(record.id))
    assert people.person_for_token(store, token) is None


def test_disable_enable_remove(url: str) -> None:
    store = _store(url)
    people.add_user(store, "ann", "long enough", Role.VIEWER)
    ok("user", "disable", "ann")
    assert people.person(store, "ann") is None
    ok("user", "enable", "ann")
    assert people.person(store, "ann") is not None
    ok("user", "remove", "ann")
    assert store.people.get("ann") is None
