"""`sfqb serve`'s limit options: a bad trusted proxy is one line; the login numbers apply."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sfqb.cli import qbd
from sfqb.cli.context import Services
from sfqb.cli.serve_limits import with_login_limits
from sfqb.connectors.qbd.webconnector.settings import load_settings


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = Services()

    qbd.register(app, typer.Typer())
    return app


def test_a_bad_trusted_proxy_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(
        make_app(), ["serve", "--database-url", url, "--trusted-proxy", "10.0.0.300"]
    )
    assert result.exit_code != 0
    assert "--trusted-proxy: '10.0.0.300' is not an IP address or network" in result.output
    assert "Traceback" not in result.output


def test_login_options_override_the_defaults() -> None:
    settings = with_login_limits(load_settings(), 5, 60, None)
    assert settings.login.max_failures == 5
    assert settings.login.window.total_seconds() == 60
    assert settings.login.lockout.total_seconds() == 600
