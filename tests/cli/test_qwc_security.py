"""`sfqb qwc` and `sfqb serve`: the public URL setting, and rotating a Web Connector password."""

from __future__ import annotations

from pathlib import Path

import typer
from lxml import etree
from typer.testing import CliRunner

from sfqb.cli import qbd


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
