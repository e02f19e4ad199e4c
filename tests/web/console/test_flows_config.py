"""The flows page shows how the company's config file sets each flow up (read-only): the
filter as sfqb sends it, the target kind beside the default, the fields mapped its own way,
and who decides the switch (the console's switch wins over the file's `enabled`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from tests.cli.test_refund_source_config import REFUNDS
from tests.web.console.conftest import COMPANY, ConsoleWorld, SignIn, serve_app

from sfqb.cli.context import Services
from sfqb.cli.settings import load_config
from sfqb.store import Store

FLOWS = f"/companies/{COMPANY}/flows"
CONFIG = f"""\
companies:
  {COMPANY}:
    flows:
      account_to_customer:
        filter: "type='Customer' and BillingCountry in ('US','CA')"
        map: {{Notes: {{source: Industry}}, Fax: null}}
      opportunity_to_invoice: {{target: SalesReceipt}}
      product_to_item: {{enabled: false}}
"""


def client_with(
    world: ConsoleWorld, tmp_path: Path, config: str
) -> Iterator[tuple[TestClient, Store]]:
    copy = tmp_path / "store.sqlite"
    source = world.store.engine.url.database
    assert source is not None
    with sqlite3.connect(source) as original, sqlite3.connect(copy) as target:
        original.backup(target)
        # The shared world's switches are other tests' (the browser test turns a flow off):
        # this page is about the file's settings, so the copy starts with none switched.
        target.execute("DELETE FROM flow_settings")
    store = Store.from_url(f"sqlite:///{copy}")
    services = Services()
    path = tmp_path / "sfqb.yaml"
    path.write_text(config, encoding="utf-8")
    services.config = load_config(path)
    _, app = serve_app(services, store)
    with TestClient(app, follow_redirects=False) as client:
        yield client, store
    store.engine.dispose()


@pytest.fixture
def configured(console_world: ConsoleWorld, tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    yield from client_with(console_world, tmp_path, CONFIG)


def test_the_page_shows_each_flows_setup(
    configured: tuple[TestClient, Store], sign_in: SignIn
) -> None:
    client, store = configured
    csrf = sign_in(client, "operator", "operator-pw")
    page = client.get(FLOWS).text
    sent = "(type = 'Customer') AND (BillingCountry IN ('US', 'CA'))"
    assert f"Account where <code>{escape(sent)}</code>" in page
    # The vendor rule is the vendor flow's filter: the page shows it as for any flow.
    vendors = "Type = 'Vendor'"
    assert f"Account where <code>{escape(vendors)}</code>" in page
    assert 'SalesReceipt <span class="muted">(default Invoice)</span>' in page
    assert "<dt>Own mapping</dt><dd>Notes, Fax</dd>" in page
    assert "off in the config file" in page
    assert "Customer </dd>" not in page and "<dd>Customer</dd>" in page  # default target: bare
    api = client.get(f"/api/v1/companies/{COMPANY}/flows").json()
    assert {f["flow"]: f["enabled"] for f in api}["product_to_item"] is False

    # A person's switch wins over the file, and the page says what the file says.
    answer = client.post(f"{FLOWS}/product_to_item", data={"enabled": "true", "csrf_token": csrf})
    assert answer.status_code == 303
    page = client.get(FLOWS).text
    assert "switched in the console (the config file says off)" in page
    assert store.flow_settings.disabled(COMPANY, ["product_to_item"]) == frozenset()


def test_a_config_the_page_cannot_use_is_one_line(
    console_world: ConsoleWorld, tmp_path: Path, sign_in: SignIn
) -> None:
    """PrivateNote is QuickBooks Online's field: the file loads (it fits Online's maps), but
    this company syncs with QuickBooks Desktop, whose maps refuse it when they are built."""
    online_only = CONFIG.replace("{target: SalesReceipt}", "{map: {PrivateNote: {source: Name}}}")
    for client, _ in client_with(console_world, tmp_path, online_only):
        sign_in(client, "viewer", "viewer-pw")
        page = client.get(FLOWS)
        assert page.status_code == 200 and "Traceback" not in page.text
        assert "The config file's flow settings cannot be used:" in page.text
        assert "sfqb.yaml:7: companies.demo.flows.opportunity_to_invoice.map.PrivateNote" in (
            page.text
        )


def test_the_customer_flow_shows_the_vendor_rules_accounts_it_leaves(
    console_world: ConsoleWorld, tmp_path: Path, sign_in: SignIn
) -> None:
    """The customer flow reads the Accounts outside the vendor rule, and those the rule picks
    that are bound as customers already: the page says so, not "every record"."""
    config = f"companies:\n  {COMPANY}:\n    flows:\n      product_to_item: {{enabled: true}}\n"
    for client, _store in client_with(console_world, tmp_path, config):
        sign_in(client, "operator", "operator-pw")
        page = client.get(FLOWS).text
        row = page[page.index("account_to_customer") :]
        row = row[: row.index("</tr>")]
        leaves = escape("Type = 'Vendor'")
        assert f"Account, except where <code>{leaves}</code>" in row
        assert "unless bound here already" in row and "every record" not in row


def test_a_custom_source_shows_as_what_the_vendor_flow_reads(
    console_world: ConsoleWorld, tmp_path: Path, sign_in: SignIn
) -> None:
    config = (
        f"companies:\n  {COMPANY}:\n    flows:\n      account_to_vendor:\n"
        '        source: Supplier__c\n        filter: "Active__c = true"\n'
        "        map: {Name: {source: Name}, Phone: {source: Phone__c}}\n"
    )
    for client, _store in client_with(console_world, tmp_path, config):
        sign_in(client, "operator", "operator-pw")
        page = client.get(FLOWS).text
        assert "Supplier__c where <code>Active__c = TRUE</code>" in page
        assert "<dt>Own mapping</dt><dd>Name, Phone</dd>" in page
        # The Accounts are all customers now: no vendor rule on Account.
        row = page[page.index("account_to_customer") :]
        assert "every record" in row[: row.index("</tr>")]


def _switch(page: str, flow: str) -> str | None:
    """The flow's switch form on the page, or None when the page offers none."""
    start = page.find(f'action="{FLOWS}/{flow}"')
    return None if start < 0 else page[start : page.index("</form>", start)]


def test_a_flow_not_set_up_offers_no_switch_on_and_a_posted_one_is_refused(
    configured: tuple[TestClient, Store], sign_in: SignIn
) -> None:
    """The file names no refund object (`source:`): the refund flows show "Not set up" with no
    "Switch on", and a switch posted anyway (an old page, a script) is refused with what to do."""
    client, store = configured
    csrf = sign_in(client, "operator", "operator-pw")
    page = client.get(FLOWS).text
    assert _switch(page, "refund_to_credit_memo") is None and "Not set up" in page
    assert _switch(page, "credit_to_refund") is None
    assert "Switch on<span" in (_switch(page, "product_to_item") or "")  # off in the file
    posted = {"enabled": "true", "csrf_token": csrf}
    answer = client.post(f"{FLOWS}/refund_to_credit_memo", data=posted)
    assert answer.status_code == 409 and "Traceback" not in answer.text
    told = escape(
        "Refunds (a custom object) → Credit memos is not set up, so it stays off: name your "
        "custom refund object as the refund flow's source in the config file"
    )
    assert f'<p class="problem" role="alert">{told}' in answer.text
    api = client.put(
        f"/api/v1/companies/{COMPANY}/flows/credit_to_refund", json={"enabled": True},
        headers={"X-CSRF-Token": csrf},
    )  # fmt: skip
    assert api.status_code == 409
    assert "flows.refund_to_credit_memo.source: Refund__c" in api.json()["detail"]
    assert store.flow_settings.for_company(COMPANY) == {}

    # One switched on all the same (before this refusal) can still be switched off.
    store.flow_settings.set(COMPANY, "credit_to_refund", True, by="ops")
    assert "Switch off<span" in (_switch(client.get(FLOWS).text, "credit_to_refund") or "")
    off = client.post(f"{FLOWS}/credit_to_refund", data={**posted, "enabled": "false"})
    assert off.status_code == 303
    assert store.flow_settings.disabled(COMPANY) == {"credit_to_refund"}


def test_a_refund_flow_set_up_in_the_file_can_be_switched_on(
    console_world: ConsoleWorld, tmp_path: Path, sign_in: SignIn
) -> None:
    config = f"companies:\n  {COMPANY}:\n    flows:\n{REFUNDS}"  # the refund flow's source
    for client, store in client_with(console_world, tmp_path, config):
        csrf = sign_in(client, "operator", "operator-pw")
        store.flow_settings.set(COMPANY, "credit_to_refund", False, by="ops")
        page = client.get(FLOWS).text
        assert "Switch on<span" in (_switch(page, "credit_to_refund") or "")
        assert "Not set up" not in page
        posted = {"enabled": "true", "csrf_token": csrf}
        assert client.post(f"{FLOWS}/credit_to_refund", data=posted).status_code == 303
        assert store.flow_settings.disabled(COMPANY) == frozenset()
