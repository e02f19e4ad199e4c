"""`sfqb serve` without --sandbox: real sync cycles per company, the circuit, the watchdog."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from sfqb.cli import connect, qbd, status
from sfqb.cli.context import Services
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, seed
from sfqb.web.server import running_server

KEY = "wB0Q0Ckf2vXnKxQv2p7kO5nTqJ9lqWv2o8y1QzWm0dE="


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


def run(*args: str) -> str:
    result = CliRunner().invoke(make_app(), list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def circuit_of(company: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(run("status", "--company", company, "--json"))[0]
    return found


def test_serve_runs_sync_cycles_and_the_circuit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    monkeypatch.setenv("SFQB_DATABASE_URL", url)
    monkeypatch.setenv("SFQB_SECRET_KEY", KEY)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    served: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        served.update(app=app, **options)

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", fake_run)
    with SalesforceSandbox(SandboxConfig(tls_dir=tmp_path / "tls")) as sf:
        seeded = seed(sf.org, 4, random.Random(1))
        ca = str(tmp_path / "tls" / "ca.pem")
        run("connect", "salesforce", "--company", "demo", "--instance", sf.instance,
            "--session-id", sf.session_id, "--ca-file", ca)  # fmt: skip
        run("qwc", "--company", "demo", "--user", "demo", "--password", "demo")
        run("qwc", "--company", "idle", "--user", "idle", "--password", "idle")
        run("serve", "--port", "0")
        quickbooks = CompanyFile(SandboxSettings(), lambda: datetime.now(UTC), random.Random(2))
        with running_server(served["app"]) as base:
            client = WebConnectorClient(f"{base}/qbwc?wsdl", quickbooks)
            first = client.run("demo", "demo")
            assert first.outcome is Outcome.DONE
            assert len(quickbooks.customers()) == len(seeded.accounts)
            assert circuit_of("demo")["circuit"]["state"] == "closed"
            assert circuit_of("demo")["last_contact"] is not None
            # A company without a Salesforce connection has nothing to do.
            assert client.run("idle", "idle").outcome is Outcome.NO_WORK

            quickbooks.faults.connector_down_next(1)
            assert client.run("demo", "demo").outcome is Outcome.CONNECTION_ERROR
            down = circuit_of("demo")["circuit"]
            assert down["state"] == "open" and down["cause"]["code"].lower() == "0x80040408"

            assert client.run("demo", "demo").outcome is Outcome.DONE  # resumes by itself
            assert circuit_of("demo")["circuit"]["state"] == "closed"

            # The watchdog: two hours of silence open the circuit with QBWC_NO_CONTACT.
            later = Services(clock=lambda: datetime.now(UTC) + timedelta(hours=2))
            qbd.watch_companies(later)
            silent = circuit_of("demo")["circuit"]
            assert silent["state"] == "open" and silent["cause"]["code"] == "QBWC_NO_CONTACT"
            assert circuit_of("idle")["circuit"]["state"] == "closed"  # never called in
            assert client.run("demo", "demo").outcome is Outcome.DONE
            assert circuit_of("demo")["circuit"]["state"] == "closed"
