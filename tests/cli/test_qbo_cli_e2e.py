"""QuickBooks Online from the command line, end to end, against both sandboxes.

`sfqb connect qbo` runs as a real process: its printed authorization URL is opened (GET, no
redirect followed) and the address the sandbox redirects to is pasted back, as a person on a
machine without a browser would. Then `sfqb sync` creates the records in QuickBooks Online,
`sfqb status` shows the connection and the API calls counted, and a second sync is quiet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.cli.cli_helpers import ok, run
from tests.cli.qbo_helpers import COMPANY, QboEnv, qbo_env

from sfqb.sandbox.qbo_connect import connect_qbo


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[QboEnv]:
    with qbo_env(tmp_path, monkeypatch) as found:
        yield found


def test_connect_sync_status_and_a_quiet_second_sync(env: QboEnv) -> None:
    said = connect_qbo(COMPANY, env.qbo.ca_path)
    assert f"stored the QuickBooks Online connection of {COMPANY}: company" in said

    code, output = run("sync", "--company", COMPANY)
    assert code == 0, output
    seeded = env.seeded
    assert f"synced {len(seeded.accounts)} account_to_customer" in output
    qbo = env.qbo
    assert len(qbo.records("Customer")) == len(seeded.accounts)
    assert len(qbo.records("Invoice")) == len(seeded.opportunities)
    for account in seeded.accounts:  # every Id back in Salesforce
        assert env.sf.org.get("Account", account)["QuickBooks_ID__c"]

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
