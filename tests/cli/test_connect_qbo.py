"""`sfqb connect qbo`: the authorization URL printed, the redirected URL pasted back."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import respx
from tests.conftest import KEY
from typer.testing import CliRunner

from sfqb.cli.main import app
from sfqb.connectors.qbo.oauth import TOKEN_URL
from sfqb.store import SecretBox, Store

CALLBACK = "https://sfqb.example/qbo/callback"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store and the app's settings; authorizations get the state "state-1"."""
    monkeypatch.setattr("sfqb.store.qbo_tokens.secrets.token_urlsafe", lambda n=24: "state-1")
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    for name, value in {
        "SFQB_DATABASE_URL": url, "SFQB_SECRET_KEY": KEY, "SFQB_PUBLIC_URL": "https://sfqb.example",
        "SFQB_QBO_CLIENT_ID": "client-1", "SFQB_QBO_CLIENT_SECRET": "secret-1",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    return url


def connect(pasted: str | None, *extra: str) -> tuple[int, str]:
    """Run the command; `pasted` may use {state} for the state the printed URL carries."""
    runner = CliRunner()
    args = ["connect", "qbo", "--company", "acme", *extra]
    if pasted is None:
        result = runner.invoke(app, args, input="\n")
        return result.exit_code, result.output
    result = runner.invoke(app, args, input=pasted.format(state="state-1") + "\n")
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def stored(url: str) -> Store:
    return Store.from_url(url, secrets=SecretBox(KEY))


@respx.mock
def test_a_pasted_redirect_stores_the_connection(env: str) -> None:
    respx.post(TOKEN_URL).respond(json={
        "access_token": "a1", "refresh_token": "r1", "expires_in": 3600,
        "x_refresh_token_expires_in": 8_726_400,
    })  # fmt: skip
    code, output = connect(f"{CALLBACK}?code=AB1&state={{state}}&realmId=9130", "--environment",
                           "sandbox")  # fmt: skip
    assert code == 0, output
    printed = next(line for line in output.splitlines() if line.startswith("https://"))
    query = parse_qs(urlsplit(printed).query)
    assert query["redirect_uri"] == [CALLBACK] and query["state"] == ["state-1"]
    assert "stored the QuickBooks Online connection of acme: company 9130 (sandbox)" in output
    store = stored(env)
    found = store.qbo_tokens.get("acme")
    assert found is not None and found.realm_id == "9130"
    assert store.qbo_tokens.current("acme")[0] == "a1"


@pytest.mark.parametrize(
    ("pasted", "says"),
    [
        ("not a url", "not a URL"),
        (f"{CALLBACK}?code=AB1&state=other-state&realmId=9130", "answers another authorization"),
        (f"{CALLBACK}?state={{state}}&realmId=9130", "has no code"),
        (f"{CALLBACK}?error=access_denied&state={{state}}", "did not authorize sfqb"),
    ],
)
def test_a_bad_url_says_why_and_stores_nothing(env: str, pasted: str, says: str) -> None:
    code, output = connect(pasted)
    assert code == 2, output
    assert says in output and "nothing stored" in output
    assert stored(env).qbo_tokens.get("acme") is None


@respx.mock
def test_an_expired_code_stores_nothing(env: str) -> None:
    respx.post(TOKEN_URL).respond(400, json={"error": "invalid_grant"})
    code, output = connect(f"{CALLBACK}?code=old&state={{state}}&realmId=9130")
    assert code == 2 and "refused the authorization code" in output
    assert stored(env).qbo_tokens.get("acme") is None


def test_nothing_pasted(env: str) -> None:
    code, output = connect(None)
    assert code == 2 and "nothing was pasted" in output


def test_missing_app_keys_are_named(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SFQB_QBO_CLIENT_SECRET")
    code, output = connect(None)
    assert code == 2 and "SFQB_QBO_CLIENT_SECRET" in output
    assert "https://appcenter" not in output


def test_missing_public_url_is_named(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SFQB_PUBLIC_URL")
    code, output = connect(None)
    assert code == 2 and "SFQB_PUBLIC_URL" in output


@respx.mock
def test_status_shows_the_connection_and_this_months_calls(env: str) -> None:
    import json

    from sfqb.store import StoredCallMeter

    respx.post(TOKEN_URL).respond(json={"access_token": "a1", "refresh_token": "r1",
                                        "expires_in": 3600})  # fmt: skip
    code, output = connect(f"{CALLBACK}?code=AB1&state={{state}}&realmId=9130")
    assert code == 0, output
    StoredCallMeter(stored(env).qbo_calls, "acme").count(reads=5, writes=2)
    result = CliRunner().invoke(app, ["status", "--company", "acme", "--json"])
    assert result.exit_code == 0, result.output
    qbo = json.loads(result.output)[0]["qbo"]
    assert qbo["realm_id"] == "9130" and qbo["connection"] == "connected"
    assert (qbo["api_calls"]["reads"], qbo["api_calls"]["writes"]) == (5, 2)
    text = CliRunner().invoke(app, ["status", "--company", "acme"]).output
    assert "QuickBooks Online: company 9130 (production), connected" in text
    assert "5 reads, 2 writes" in text


@respx.mock
def test_status_shows_when_the_last_cdc_sweep_ran(env: str) -> None:
    import json

    from sfqb.store import RunKind, RunStatus

    respx.post(TOKEN_URL).respond(json={"access_token": "a1", "refresh_token": "r1",
                                        "expires_in": 3600})  # fmt: skip
    code, output = connect(f"{CALLBACK}?code=AB1&state={{state}}&realmId=9130")
    assert code == 0, output
    text = CliRunner().invoke(app, ["status", "--company", "acme"]).output
    assert "last CDC sweep (QuickBooks' last 30 days read again, nightly): none yet" in text
    journal = stored(env).journal
    sweep = journal.start_run("acme", [], kind=RunKind.CDC_SWEEP)
    journal.finish_run(sweep.id, RunStatus.SUCCEEDED, {})
    later = journal.start_run("acme", [])  # a cycle after it: the last run, not the sweep
    journal.finish_run(later.id, RunStatus.SUCCEEDED, {})
    data = json.loads(CliRunner().invoke(app, ["status", "--company", "acme", "--json"]).output)
    assert data[0]["last_run"]["kind"] == "cycle"
    assert data[0]["last_cdc_sweep"]["id"] == sweep.id
    text = CliRunner().invoke(app, ["status", "--company", "acme"]).output
    assert f"last CDC sweep (QuickBooks' last 30 days read again, nightly): #{sweep.id} " in text
