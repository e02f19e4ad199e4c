"""`sfqb serve` for a QuickBooks Online company: a webhook end to end.

The sandbox sends its webhooks to the running `sfqb serve` (`/qbo/webhooks`, signed with the
verifier token). A user changes a customer in QuickBooks Online; the notification is received
and verified, it asks for the company's cycle (its CDC read finds the change), and the
change reaches the Salesforce Account (Customer -> Account). The schedule's poll is an hour,
so only the webhook can have brought that cycle.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from tests.cli.cli_helpers import ok
from tests.cli.qbo_helpers import COMPANY, QboEnv, qbo_env

from sfqb.domain.entities import SfObject
from sfqb.sandbox.qbo_connect import connect_qbo
from sfqb.web.server import running_server

VERIFIER = "sfqb-e2e-verifier"
NEW_PHONE = "(737) 555-0111"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Wait (without asserting on time) until `condition` holds; fail naming `what`."""
    done = threading.Event()
    for _ in range(int(seconds * 10)):
        if condition():
            return
        done.wait(0.1)
    raise AssertionError(f"never happened: {what}")


def test_a_change_in_quickbooks_online_reaches_salesforce_by_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    hooks = f"http://127.0.0.1:{port}/qbo/webhooks"
    config = {"webhook_url": hooks, "verifier_token": VERIFIER, "webhook_verify": False}
    with qbo_env(tmp_path, monkeypatch, **config) as env:
        monkeypatch.setenv("SFQB_QBO_WEBHOOK_VERIFIER", VERIFIER)
        connect_qbo(COMPANY, env.qbo.ca_path)
        env.qbo.admin({"action": "webhooks", "enabled": False})  # nothing listens yet
        assert "synced" in ok("sync", "--company", COMPANY)
        env.qbo.admin({"action": "webhooks", "enabled": True})
        served: dict[str, Any] = {}

        def serve_and_check(app: Any, **options: Any) -> None:
            with running_server(app, port=port):
                served["checked"] = check_webhook_flow(env)

        monkeypatch.setattr(uvicorn, "run", serve_and_check)
        ok("serve", "--port", str(port), "--schedule-seconds", "3600")
        assert served["checked"]


def check_webhook_flow(env: QboEnv) -> bool:
    store = env.store()
    runs = lambda: store.journal.runs(COMPANY, limit=1000)  # noqa: E731
    # The CLI's sync was run #1, a minute ago at most: no cycle is due by the run table (the
    # tick `sfqb serve` shares with the workers), so only the webhook can bring the next.
    before = len(runs())
    assert before == 1
    account = next(
        b for b in store.bindings.for_company(COMPANY) if b.sf.sobject is SfObject.ACCOUNT
    )
    qbo = env.qbo
    sent = len(qbo.webhooks.deliveries)
    customer = qbo.company.get("Customer", account.qb.id)
    assert customer is not None
    customer["PrimaryPhone"] = {"FreeFormNumber": NEW_PHONE}
    qbo.company.put("Customer", customer)  # a user edits the customer in QuickBooks Online

    delivered = lambda: [d.status for d in qbo.webhooks.deliveries[sent:]]  # noqa: E731
    wait_for(lambda: 200 in delivered(), "a webhook delivery")
    assert set(delivered()) == {200}  # received, and its signature verified
    wait_for(
        lambda: env.sf.org.get("Account", account.sf.id)["Phone"] == NEW_PHONE,
        "the new phone in Salesforce",
    )
    assert len(runs()) > before  # a cycle the webhook brought (the poll is an hour)
    wait_for(lambda: store.qbo_events.pending_count(COMPANY) == 0, "the change taken")
    store.engine.dispose()
    return True
