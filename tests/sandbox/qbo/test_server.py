"""The real HTTPS server started by `sfqb sandbox qbo`'s server function, with its CA."""

from __future__ import annotations

from pathlib import Path

import httpx
import typer
from typer.testing import CliRunner

from sfqb.cli.sandbox_qbo import register
from sfqb.sandbox.qbo import QboConfig, QboSandbox


def test_https_with_the_ca_and_a_lost_reply_drops_the_connection(tmp_path: Path) -> None:
    with QboSandbox(QboConfig(tls_dir=tmp_path)) as sandbox:
        assert (tmp_path / "ca.pem").is_file()
        with httpx.Client(
            base_url=sandbox.base_url,
            verify=str(sandbox.ca_path),
            headers={"Authorization": "Bearer demo"},
            trust_env=False,
        ) as http:
            url = f"/v3/company/{sandbox.realm}/customer"
            created = http.post(url, params={"minorversion": 75}, json={"DisplayName": "TLS"})
            assert created.status_code == 200
            sandbox.faults.lose_next_replies(1)
            try:
                http.post(url, params={"minorversion": 75}, json={"DisplayName": "Dropped"})
                raise AssertionError("the reply should have been lost")
            except httpx.TransportError:
                pass
        assert sandbox.counts()["Customer"] == 2


def app() -> typer.Typer:
    root, sandbox = typer.Typer(), typer.Typer()
    register(sandbox)
    root.add_typer(sandbox, name="sandbox")
    return root


def test_cli_runs_and_writes_the_ca(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app(), ["sandbox", "qbo", "--tls-dir", str(tmp_path), "--realm", "42", "--no-wait"]
    )
    assert result.exit_code == 0, result.output
    assert "company id    42" in result.output and (tmp_path / "ca.pem").is_file()


def test_cli_turns_on_the_premium_custom_fields_api_with_its_definitions(tmp_path: Path) -> None:
    args = ["sandbox", "qbo", "--tls-dir", str(tmp_path), "--no-wait"]
    result = CliRunner().invoke(app(), [*args, "--custom-field", "5=Salesforce Id"])
    assert result.exit_code == 0, result.output
    assert "custom fields 5 (Salesforce Id)" in result.output
    refused = CliRunner().invoke(app(), [*args, "--custom-field", "Salesforce Id"])
    assert refused.exit_code == 2 and "must be ID=LABEL" in refused.output
    assert "Traceback" not in refused.output


def test_cli_webhook_options_go_together(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app(),
        [
            "sandbox",
            "qbo",
            "--tls-dir",
            str(tmp_path),
            "--webhook-url",
            "https://x.test/h",
            "--no-wait",
        ],
    )
    assert result.exit_code == 2 and "go together" in result.output
    assert "Traceback" not in result.output


def test_a_429_carries_retry_after_only_when_configured() -> None:
    # Intuit's "Limits and throttles" page gives no Retry-After: none by default.
    from starlette.testclient import TestClient

    url = "/v3/company/1234567890/query"
    params = {"minorversion": "75", "query": "select * from Customer"}
    headers = {"Authorization": "Bearer demo"}
    for retry_after, expected in ((None, None), (2, "2")):
        sandbox = QboSandbox(QboConfig(retry_after=retry_after))
        sandbox.faults.throttle_next(1)
        with TestClient(sandbox.app) as http:
            answer = http.get(url, params=params, headers=headers)
        assert answer.status_code == 429
        assert answer.headers.get("retry-after") == expected
