"""What `sfqb serve` gives the console's settings page: the QuickBooks Online start (only when
the Intuit app is set up), the Salesforce org check (a setting that cannot be used is a
ConnectionProblem the page shows), and the config file's policy section."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from sfqb.cli.console_app import build_console, qbo_starter, salesforce_org_id
from sfqb.cli.context import Services
from sfqb.cli.settings import load_config
from sfqb.services.connections import ConnectionProblem
from sfqb.store import Store


def _services(db: Store, monkeypatch: pytest.MonkeyPatch, **env: str) -> Services:
    for name in ("SFQB_QBO_CLIENT_ID", "SFQB_QBO_CLIENT_SECRET", "SFQB_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    services = Services()
    services.store = db
    return services


def test_no_quickbooks_online_start_without_the_intuit_app(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert qbo_starter(_services(db, monkeypatch)) is None


def test_the_start_is_an_intuit_authorization_of_the_company(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = _services(
        db, monkeypatch, SFQB_QBO_CLIENT_ID="cid", SFQB_QBO_CLIENT_SECRET="cs",
        SFQB_PUBLIC_URL="https://sfqb.example.com",
    )  # fmt: skip
    start = qbo_starter(services)
    assert start is not None
    url = start("acme", "sandbox")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == ["cid"]
    assert query["redirect_uri"] == ["https://sfqb.example.com/qbo/callback"]
    pending = db.qbo_tokens.pending(query["state"][0])
    assert pending is not None and pending.company == "acme"
    with pytest.raises(ConnectionProblem):
        start("acme", "moon")


def test_an_unusable_salesforce_connection_is_a_connection_problem(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConnectionProblem, match="no Salesforce connection"):
        salesforce_org_id(_services(db, monkeypatch), "acme")


def test_the_console_reads_the_config_files_policy_section(
    db: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "sfqb.yaml"
    config.write_text("companies:\n  acme:\n    policy: {on_deleted: recreate}\n")
    services = _services(db, monkeypatch)
    services.config = load_config(config)
    console = build_console(services, db, "https://sfqb.example.com")
    assert dict(console.policy_file("acme")) == {"on_deleted": "recreate"}
    assert dict(console.policy_file("other")) == {}
    assert console.public_url == "https://sfqb.example.com"
