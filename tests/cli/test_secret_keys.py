"""One key per store: serve refuses without it, status says so, connect refuses a second key,
and `sfqb secret-key rotate` moves every secret to a new key in one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sfqb.cli import connect, qbd, status
from sfqb.cli.context import Services
from sfqb.store import ConnectionSystem, SecretBox, SecretKeyMismatch, Store, generate_key

OLD, NEW, OTHER = generate_key(), generate_key(), generate_key()


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        if ctx.obj is None:
            ctx.obj = Services()

    qbd.register(app, typer.Typer())
    connect.register(app)
    status.register(app)
    return app


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(make_app(), list(args), env={"COLUMNS": "200", **env})
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    store = Store.from_url(url, secrets=SecretBox(OLD))
    store.migrate()
    store.connections.save(
        "Acme", ConnectionSystem.SALESFORCE, {"instance": "h"}, {"session_id": "s1"}
    )
    store.connections.save(
        "Bolt", ConnectionSystem.SALESFORCE, {"instance": "h"}, {"session_id": "s2"}
    )
    store.engine.dispose()
    return url


def secret(url: str, key: str, company: str = "Acme") -> object:
    store = Store.from_url(url, secrets=SecretBox(key))
    try:
        return store.connections.secret(company, ConnectionSystem.SALESFORCE)
    finally:
        store.engine.dispose()


@pytest.mark.parametrize(
    ("env", "said"), [({}, "is not set"), ({"SFQB_SECRET_KEY": OTHER}, "cannot decrypt")]
)
def test_serve_refuses_to_start_without_the_stores_key(
    url: str, env: dict[str, str], said: str
) -> None:
    code, output = run({"SFQB_DATABASE_URL": url, **env}, "serve", "--database-url", url)
    assert code == 2
    assert said in output and "Acme, Bolt" in output
    assert len(output.strip().splitlines()) == 1


def test_status_says_cannot_decrypt(url: str) -> None:
    code, output = run({"SFQB_DATABASE_URL": url, "SFQB_SECRET_KEY": OTHER}, "status")
    assert code == 0, output
    assert "cannot decrypt" in output
    code, output = run({"SFQB_DATABASE_URL": url, "SFQB_SECRET_KEY": OLD}, "status")
    assert "cannot decrypt" not in output


def test_connect_under_another_key_is_refused(url: str) -> None:
    code, output = run(
        {"SFQB_DATABASE_URL": url, "SFQB_SECRET_KEY": OTHER},
        "connect", "salesforce", "--company", "Cove", "--instance", "h", "--session-id", "s3",
    )  # fmt: skip
    assert code == 2
    assert "secret-key rotate" in output
    assert secret(url, OTHER, "Cove") is None  # nothing stored under the second key


def test_rotate_moves_every_secret_to_the_new_key(url: str) -> None:
    env = {"SFQB_DATABASE_URL": url, "SFQB_SECRET_KEY": OLD, "SFQB_NEW_SECRET_KEY": NEW}
    code, output = run(env, "secret-key", "rotate")
    assert code == 0, output
    assert "re-encrypted 2" in output
    assert secret(url, NEW) == {"session_id": "s1"}
    assert secret(url, NEW, "Bolt") == {"session_id": "s2"}
    with pytest.raises(SecretKeyMismatch):
        secret(url, OLD)
    assert run(env, "secret-key", "rotate")[0] == 0  # run again: already done, still fine


def test_a_rotation_that_stops_half_way_changes_nothing(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = SecretBox.encrypt

    def failing(self: SecretBox, plaintext: str) -> str:
        calls.append(plaintext)
        if len(calls) > 1:
            raise KeyboardInterrupt  # killed between the first and the second secret
        return real(self, plaintext)

    monkeypatch.setattr(SecretBox, "encrypt", failing)
    env = {"SFQB_DATABASE_URL": url, "SFQB_SECRET_KEY": OLD, "SFQB_NEW_SECRET_KEY": NEW}
    CliRunner().invoke(make_app(), ["secret-key", "rotate"], env=env)
    monkeypatch.undo()
    assert secret(url, OLD) == {"session_id": "s1"}
    assert secret(url, OLD, "Bolt") == {"session_id": "s2"}


def test_rotate_with_the_wrong_old_key_changes_nothing(url: str) -> None:
    env = {"SFQB_DATABASE_URL": url, "SFQB_SECRET_KEY": OTHER, "SFQB_NEW_SECRET_KEY": NEW}
    code, output = run(env, "secret-key", "rotate")
    assert code == 2 and "nothing was changed" in output
    assert secret(url, OLD) == {"session_id": "s1"}


def test_secret_key_alone_still_prints_a_new_key() -> None:
    code, output = run({}, "secret-key")
    assert code == 0 and len(output.splitlines()[0]) == 44
