"""In a real browser (Debian's chromium), on a private copy of the demo store: the settings
page (a policy refused by the field, then saved; the password rotated, shown once), the users
page (a user added), the tokens page (a token shown once). Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.web.console.admin_world import AdminWorld, admin_world
from tests.web.console.conftest import COMPANY, ConsoleWorld, Shot

from sfqb.domain.policy import MatchRule
from sfqb.web.server import running_server


@pytest.fixture(scope="module")
def world(
    console_world: ConsoleWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdminWorld]:
    with admin_world(console_world, tmp_path_factory.mktemp("browser")) as found:
        yield found


@pytest.fixture
def page(_browser: Browser, world: AdminWorld) -> Iterator[Page]:
    with running_server(world.app) as base:
        context = _browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        found = context.new_page()
        found.goto("/sign-in")
        found.get_by_label("User name").fill("demo")
        found.get_by_label("Password").fill("demo")
        found.get_by_role("button", name="Sign in").click()
        expect(found.get_by_role("heading", level=1)).to_have_text("Overview")
        yield found
        context.close()


def test_settings_page_policy_and_password(page: Page, world: AdminWorld, shot: Shot) -> None:
    page.locator(f"a[href='/companies/{COMPANY}/settings']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Settings of {COMPANY}")
    shot(page, "settings")
    income = page.get_by_label("Income account")
    income.fill("")
    page.get_by_label("Match rule").select_option("never")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#policy-accounts-income-account-problem")).to_contain_text(
        "is not a QuickBooks full name"
    )
    expect(page.get_by_label("Match rule")).to_have_value("never")  # kept
    shot(page, "settings-policy-refused")
    assert world.store.policies.get(COMPANY) is None

    page.get_by_label("Income account").fill("Services Income")
    sweep = page.get_by_label("QuickBooks Online nightly sweep (UTC)")
    sweep.fill("25:00")
    page.get_by_role("button", name="Save policy").click()
    expect(page.locator("#policy-cdc-sweep-at-problem")).to_contain_text('must be a time "HH:MM"')
    shot(page, "settings-policy-sweep-refused")
    assert world.store.policies.get(COMPANY) is None

    page.get_by_label("QuickBooks Online nightly sweep (UTC)").fill("23:30")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved the policy")
    assert world.services.policy(COMPANY).match_rule is MatchRule.NEVER
    assert world.services.policy(COMPANY).cdc_sweep_at == "23:30"

    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Rotate Web Connector password").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("New Web Connector password")
    expect(page.get_by_label("New password")).not_to_have_value("")
    shot(page, "settings-new-password")


def test_users_and_tokens_pages(page: Page, world: AdminWorld, shot: Shot) -> None:
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    form = page.locator("form[action='/users']")
    form.get_by_label("User name").fill("bookkeeper")
    form.get_by_label("Password").fill("a-long-password")
    form.get_by_label("Role").select_option("operator")
    form.get_by_label(COMPANY, exact=True).check()
    form.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_have_text("Added the user.")
    expect(page.get_by_role("cell", name="bookkeeper", exact=True)).to_be_visible()
    shot(page, "users")
    assert world.store.people.get("bookkeeper") is not None

    page.get_by_role("link", name="Tokens").click()
    page.get_by_label("What it is for").fill("nightly report")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("New API token")).to_have_value(re.compile(r"^sfqb_"))
    shot(page, "tokens")
