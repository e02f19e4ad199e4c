"""In a real browser (Debian's chromium): a wrong password said on the form, sign in by the
form's labels, land on the overview, sign out."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.web.console.conftest import Shot


def test_sign_in_land_on_the_overview_and_sign_out(browser_page: Page, shot: Shot) -> None:
    page = browser_page
    page.goto("/")
    expect(page).to_have_url("/sign-in?next=/")
    shot(page, "sign-in")
    page.get_by_label("User name").fill("demo")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The user name or password is not right.")
    expect(page.get_by_label("User name")).to_have_value("demo")
    shot(page, "sign-in-wrong-password")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("link", name="demo")).to_be_visible()
    shot(page, "overview")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
