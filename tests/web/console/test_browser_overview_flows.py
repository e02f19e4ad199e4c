"""In a real browser (Debian's chromium): the overview of the seed-codes store, a company's
flows, a flow switched off and on again by its button, and Run now's answer."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.web.console.conftest import COMPANY, ConsoleWorld, Shot


def test_overview_then_flows_switch_and_run_now(
    browser_page: Page, shot: Shot, console_world: ConsoleWorld
) -> None:
    page = browser_page
    page.goto("/sign-in")
    page.get_by_label("User name").fill("operator")
    page.get_by_label("Password").fill("operator-pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=COMPANY, exact=True))
    expect(row.get_by_role("link", name=re.compile(r"\d+ records? to review"))).to_be_visible()
    shot(page, "overview-companies")
    row.get_by_role("link", name=COMPANY, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Flows of {COMPANY}")
    expect(page.get_by_role("row")).to_have_count(12)  # the header and the eleven flows
    # The refund flows name no object yet (no `source:` in the config file): no Switch on.
    refunds = page.get_by_role("row").filter(has_text="Refunds (a custom object) → Credit memos")
    expect(refunds).to_contain_text("Not set up")
    expect(refunds.get_by_role("button")).to_have_count(0)
    shot(page, "flows")
    page.get_by_role("button", name="Switch off Products → Items").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("Products → Items is now off"))
    assert console_world.store.flow_settings.disabled(COMPANY) == {"product_to_item"}
    shot(page, "flows-switched-off")
    page.get_by_role("button", name="Switch on Products → Items").click()
    expect(page.get_by_role("status")).to_have_text(re.compile("Products → Items is now on"))
    assert console_world.store.flow_settings.disabled(COMPANY) == frozenset()
    page.get_by_role("button", name="Run now").click()  # this store has no Salesforce connection
    expect(page.get_by_role("alert")).to_contain_text("Salesforce connection")
    expect(page.locator("h1")).to_have_count(1)
    shot(page, "flows-run-now-refused")
