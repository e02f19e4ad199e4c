"""QuickBooks Online from the command line, end to end, against both sandboxes.

`sfqb connect qbo` runs as a real process: its printed authorization URL is opened (GET, no
redirect followed) and the address the sandbox redirects to is pasted back, as a person on a
machine without a browser would. Then `sfqb sync` creates the records in QuickBooks Online,
`sfqb status` shows the connection and the API calls counted, and a second sync is quiet.
"""

from __future__ import annotations

import json
import os
import random
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tests.cli.cli_helpers import ok, run
from tests.conftest import KEY

from sfqb.sandbox.qbo import AUTHORIZE_PATH, TOKEN_PATH, QboConfig, QboSandbox
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, SeedSummary, seed
from sfqb.store import SecretBox, Store

COMPANY = "acme"


@dataclass
class QboEnv:
    """Both sandboxes running, the SFQB_* settings exported, Salesforce connected."""

    sf: SalesforceSandbox
    qbo: QboSandbox
    seeded: SeedSummary
    url: str
    tmp: Path

    def store(self) -> Store:
        return Store.from_url(self.url, secrets=SecretBox(KEY))


def qbo_settings(qbo: QboSandbox, public_url: str) -> dict[str, str]:
    """The SFQB_* variables that point sfqb at the QuickBooks Online sandbox."""
    config = qbo.config
    return {
        "SFQB_QBO_CLIENT_ID": config.client_id,
        "SFQB_QBO_CLIENT_SECRET": config.client_secret,
        "SFQB_QBO_AUTHORIZE_URL": qbo.base_url + AUTHORIZE_PATH,
        "SFQB_QBO_TOKEN_URL": qbo.base_url + TOKEN_PATH,
        "SFQB_QBO_API_URL": qbo.base_url,
        "SFQB_QBO_CA_FILE": str(qbo.ca_path),
        "SFQB_PUBLIC_URL": public_url,
        "SFQB_SECRET_KEY": KEY,
    }


def connect_qbo(company: str, ca_file: Path) -> str:
    """`sfqb connect qbo` in its own process, the redirect pasted back; its output."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", "from sfqb.cli.main import main; main()",
         "connect", "qbo", "--company", company, "--environment", "sandbox"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert process.stdout is not None and process.stdin is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("https://"):
            break
    else:
        process.wait(timeout=30)
        raise AssertionError("no authorization URL printed:\n" + "".join(seen))
    with httpx.Client(verify=ssl.create_default_context(cafile=str(ca_file))) as http:
        answer = http.get(line.strip(), follow_redirects=False)
    assert answer.status_code == 302, answer.text
    rest, _ = process.communicate(answer.headers["location"] + "\n", timeout=60)
    output = "".join(seen) + rest
    assert process.returncode == 0, output
    assert "Traceback" not in output
    return output


@pytest.fixture
def qbo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[QboEnv]:
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    monkeypatch.setenv("SFQB_DATABASE_URL", url)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    with (
        QboSandbox(QboConfig(tls_dir=tmp_path / "qbo-tls")) as qbo,
        SalesforceSandbox(SandboxConfig(tls_dir=tmp_path / "tls")) as sf,
    ):
        for name, value in qbo_settings(qbo, "https://sfqb.example").items():
            monkeypatch.setenv(name, value)
        seeded = seed(sf.org, 4, random.Random(1))
        ok("connect", "salesforce", "--company", COMPANY, "--instance", sf.instance,
           "--session-id", sf.session_id, "--ca-file", str(tmp_path / "tls" / "ca.pem"))  # fmt: skip
        yield QboEnv(sf, qbo, seeded, url, tmp_path)


def test_connect_sync_status_and_a_quiet_second_sync(qbo_env: QboEnv) -> None:
    said = connect_qbo(COMPANY, qbo_env.qbo.ca_path)
    assert f"stored the QuickBooks Online connection of {COMPANY}: company" in said

    code, output = run("sync", "--company", COMPANY)
    assert code == 0, output
    seeded = qbo_env.seeded
    assert f"synced {len(seeded.accounts)} account_to_customer" in output
    qbo = qbo_env.qbo
    assert len(qbo.records("Customer")) == len(seeded.accounts)
    assert len(qbo.records("Invoice")) == len(seeded.opportunities)
    for account in seeded.accounts:  # every Id back in Salesforce
        assert qbo_env.sf.org.get("Account", account)["QuickBooks_ID__c"]

    data = json.loads(ok("status", "--company", COMPANY, "--json"))[0]
    calls = data["qbo"]["api_calls"]
    assert data["qbo"]["connection"] == "connected"
    assert calls["reads"] > 0 and calls["writes"] > 0
    text = ok("status", "--company", COMPANY)
    assert f"QuickBooks Online: company {qbo.realm} (sandbox), connected" in text
    assert f"{calls['reads']} reads, {calls['writes']} writes" in text

    before = qbo.counts()
    code, output = run("sync", "--company", COMPANY)
    assert code == 0, output
    assert f"{COMPANY}: synced nothing; 0 failed" in output
    assert ", 0 Salesforce writes" in output
    assert qbo.counts() == before
