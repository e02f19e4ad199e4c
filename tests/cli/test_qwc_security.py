"""`sfqb qwc` and `sfqb serve`: the public URL setting, and rotating a Web Connector password."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from lxml import etree
from typer.testing import CliRunner

from sfqb.cli import qbd
from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import (
    NoWorkSource,
    WebConnectorService,
    ticket_key,
    verify_password,
)
from sfqb.store import Store


def make_app() -> typer.Typer:
    app = typer.Typer()
    sandbox = typer.Typer()
    app.add_typer(sandbox, name="sandbox")
    qbd.register(app, sandbox)
    return app


runner = CliRunner()


def test_qwc_takes_its_address_from_the_public_url_setting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = runner.invoke(
        make_app(),
        ["qwc", "--company", "Acme", "--password", "pw", "--database-url", url],
        env={"SFQB_PUBLIC_URL": "https://sfqb.example.com/"},
    )
    assert result.exit_code == 0, result.output
    assert etree.fromstring(result.stdout.encode()).findtext("AppURL") == (
        "https://sfqb.example.com/qbwc"
    )


def test_qwc_refuses_a_bad_public_url_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = runner.invoke(
        make_app(),
        ["qwc", "--company", "Acme", "--password", "pw", "--database-url", url],
        env={"SFQB_PUBLIC_URL": "sfqb.example.com"},
    )
    assert result.exit_code == 2
    assert "public URL" in result.output and "Traceback" not in result.output


def test_serve_refuses_a_bad_public_url_before_starting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = runner.invoke(
        make_app(), ["serve", "--database-url", url, "--public-url", "ftp://sfqb.example.com"]
    )
    assert result.exit_code == 2
    assert "public URL" in result.output


def _store_with_open_session(tmp_path: Path) -> tuple[str, Store, str]:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    created = runner.invoke(make_app(), ["qwc", "--company", "Acme", "--password", "old-pw",
                                         "--database-url", url])  # fmt: skip
    assert created.exit_code == 0, created.output
    store = Store.from_url(url)
    store.enqueue_for("Acme", "<QBXML/>")
    service = WebConnectorService(store, NoWorkSource(), load_catalog(), lambda: datetime.now(UTC))
    ticket, verdict = service.authenticate("Acme", "old-pw")
    assert verdict == ""
    return url, store, ticket


def test_a_password_for_an_existing_company_is_not_silently_ignored(tmp_path: Path) -> None:
    url, store, _ = _store_with_open_session(tmp_path)
    result = runner.invoke(
        make_app(), ["qwc", "--company", "Acme", "--password", "new-pw", "--database-url", url]
    )
    assert result.exit_code == 2
    assert "--rotate-password" in result.output
    login = store.company("Acme")
    assert login is not None and verify_password("old-pw", login.password_hash)


def test_rotate_password_replaces_it_and_closes_open_sessions(tmp_path: Path) -> None:
    url, store, ticket = _store_with_open_session(tmp_path)
    result = runner.invoke(
        make_app(),
        ["qwc", "--company", "Acme", "--password", "new-pw", "--rotate-password",
         "--database-url", url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "old one no longer works" in result.stderr
    service = WebConnectorService(store, NoWorkSource(), load_catalog(), lambda: datetime.now(UTC))
    assert service.authenticate("Acme", "old-pw")[1] == "nvu"
    session = store.get_session(ticket_key(ticket))
    assert session is not None and session.closed  # the old password's session ends at once
    assert service.send_request_xml(ticket, "", "", "", 13, 0) == ""
    store.enqueue_for("Acme", "<QBXML/>")
    assert service.authenticate("Acme", "new-pw")[1] == ""


def test_rotate_password_needs_the_new_password(tmp_path: Path) -> None:
    url, _, _ = _store_with_open_session(tmp_path)
    result = runner.invoke(
        make_app(), ["qwc", "--company", "Acme", "--rotate-password", "--database-url", url]
    )
    assert result.exit_code == 2
    assert "needs the new password" in result.output


def test_serve_sandbox_leaves_no_temp_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    import uvicorn

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)  # "stopped" at once
    for _ in range(2):
        result = runner.invoke(make_app(), ["serve", "--sandbox"], env={"SFQB_DATABASE_URL": ""})
        assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("sfqb-sandbox-*"))
