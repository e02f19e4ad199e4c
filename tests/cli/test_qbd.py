"""`sfqb qwc`, `sfqb serve --sandbox` and `sfqb sandbox qbd`, through a Typer app of our own."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import typer
from lxml import etree
from typer.testing import CliRunner

from sfqb.cli import qbd
from sfqb.connectors.qbd.webconnector import verify_password
from sfqb.store import Store
from sfqb.web.server import running_server


def make_app() -> typer.Typer:
    app = typer.Typer()
    sandbox = typer.Typer()
    app.add_typer(sandbox, name="sandbox")
    qbd.register(app, sandbox)
    return app


runner = CliRunner()


def test_qwc_creates_the_company_once_and_keeps_its_guids(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    out = tmp_path / "acme.qwc"
    args = ["qwc", "--company", "Acme", "--database-url", url, "--out", str(out)]
    first = runner.invoke(make_app(), [*args, "--password", "pw", "--user", "acme-qb"])
    assert first.exit_code == 0, first.output
    document = etree.fromstring(out.read_bytes())
    assert document.findtext("UserName") == "acme-qb"
    assert document.findtext("QBType") == "QBFS"
    assert document.findtext("AppURL") == "http://localhost:8000/qbwc"
    again = runner.invoke(make_app(), ["qwc", "--company", "Acme", "--database-url", url])
    assert again.exit_code == 0
    second = etree.fromstring(again.stdout.encode())
    for tag in ("OwnerID", "FileID"):
        assert second.findtext(tag) == document.findtext(tag)
    login = Store.from_url(url).company("Acme")
    assert login is not None and login.owner_id == document.findtext("OwnerID")


def test_qwc_errors_are_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    missing = runner.invoke(make_app(), ["qwc", "--company", "Nope", "--database-url", url])
    assert missing.exit_code == 2
    assert "no company 'Nope'" in missing.output
    insecure = runner.invoke(
        make_app(),
        ["qwc", "--company", "A", "--password", "p", "--database-url", url,
         "--url", "http://example.com/qbwc"],
    )  # fmt: skip
    assert insecure.exit_code == 2
    assert "needs https://" in insecure.output
    assert "Traceback" not in insecure.output


def test_serve_sandbox_then_sandbox_qbd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        served.update(app=app, **options)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    url = f"sqlite:///{tmp_path / 'sandbox.sqlite'}"
    started = runner.invoke(
        make_app(), ["serve", "--sandbox", "--port", "0", "--database-url", url]
    )
    assert started.exit_code == 0, started.output
    assert served["host"] == "127.0.0.1"
    assert "demo/demo" in started.output
    with running_server(served["app"]) as base:
        result = runner.invoke(make_app(), ["sandbox", "qbd", "--url", f"{base}/qbwc"])
        assert result.exit_code == 0, result.output
        assert "outcome: done" in result.output
        refused = runner.invoke(
            make_app(), ["sandbox", "qbd", "--url", f"{base}/qbwc", "--password", "x"]
        )
        assert refused.exit_code == 1
        assert "outcome: nvu" in refused.output
    answered = [i.summary for i in Store.from_url(url).outbox("demo")]
    assert answered[0].startswith("CustomerAdd requestID=1: 0 ")
    assert answered[1].startswith("CustomerQuery requestID=1: 0 ")


def test_serve_sandbox_refuses_a_store_with_real_companies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: the sandbox must not queue demo work for, or reset the login of, a company
    that syncs for real; it refuses before writing anything (the schema included)."""
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    real = Store.from_url(url)
    real.migrate()
    real.create_company("Acme", "acme", "pw")
    real.create_company("demo", "demo", "a real password")  # a real company named demo
    refused = runner.invoke(
        make_app(), ["serve", "--sandbox", "--port", "0", "--database-url", url]
    )
    assert refused.exit_code == 2
    assert "will not write into" in refused.output and "Acme, demo" in refused.output
    assert len(refused.output.strip().splitlines()) == 1 and "Traceback" not in refused.output
    assert real.outbox("demo") == [] and real.outbox("Acme") == []
    assert verify_password("a real password", real.company("demo").password_hash)
    # Without a URL (SFQB_DATABASE_URL unset) the sandbox gets a store of its own.
    monkeypatch.delenv("SFQB_DATABASE_URL", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    own = runner.invoke(make_app(), ["serve", "--sandbox", "--port", "0"])
    assert own.exit_code == 0, own.output
    assert url not in own.output and "sfqb-sandbox-" in own.output
    assert [c.name for c in real.companies()] == ["Acme", "demo"]
    real.engine.dispose()


def test_sandbox_qbd_without_a_server_fails_cleanly() -> None:
    result = runner.invoke(make_app(), ["sandbox", "qbd", "--url", "http://127.0.0.1:9/qbwc"])
    assert result.exit_code == 2
    assert "cannot run the Web Connector session" in result.output


def test_qwc_new_file_id_keeps_the_owner_id_and_is_kept(tmp_path: Path) -> None:
    """QBWC1039's fix: a .qwc with a new FileID, never a new OwnerID (sfqb's data in QuickBooks
    is stored under the OwnerID), and later .qwc files carry the new FileID."""
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    base = ["qwc", "--company", "Acme", "--database-url", url]
    first = runner.invoke(make_app(), [*base, "--password", "pw"])
    assert first.exit_code == 0, first.output
    old = etree.fromstring(first.stdout.encode())
    renewed = runner.invoke(make_app(), [*base, "--new-file-id"])
    assert renewed.exit_code == 0, renewed.output
    new = etree.fromstring(renewed.stdout.encode())
    assert new.findtext("OwnerID") == old.findtext("OwnerID")
    assert new.findtext("FileID") != old.findtext("FileID")
    again = etree.fromstring(runner.invoke(make_app(), base).stdout.encode())
    assert again.findtext("FileID") == new.findtext("FileID")


def test_qwc_new_file_id_changes_nothing_when_the_qwc_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    base = ["qwc", "--company", "Acme", "--database-url", url]
    runner.invoke(make_app(), [*base, "--password", "pw"])
    before = Store.from_url(url).company("Acme")
    refused = runner.invoke(
        make_app(), [*base, "--new-file-id", "--url", "http://example.com/qbwc"]
    )
    assert refused.exit_code == 2
    after = Store.from_url(url).company("Acme")
    assert before is not None and after is not None and after.file_id == before.file_id
