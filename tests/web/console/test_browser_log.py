"""In a real browser: filter the log by code 3170, open a record, open /codes/3140, and paste
a qbXML line into the decoder."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from tests.web.console.conftest import COMPANY, Shot

REALWORLD = Path(__file__).parents[2] / "data" / "realworld"


def _sign_in(page: Page, next_url: str) -> None:
    page.goto(next_url)
    page.get_by_label("User name").fill("viewer")
    page.get_by_label("Password").fill("viewer-pw")
    page.get_by_role("button", name="Sign in").click()


def _fits(page: Page) -> None:
    """Nothing is wider than the window at phone width (long messages wrap)."""
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert overflow <= 0


def test_filter_the_log_by_code_3170_and_open_a_record(browser_page: Page, shot: Shot) -> None:
    page = browser_page
    _sign_in(page, f"/companies/{COMPANY}/log")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Log of {COMPANY}")
    shot(page, "log")
    _fits(page)
    page.get_by_label("Code").fill("3170")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"/companies/{COMPANY}/log?flow=&code=3170&status=&q=&since=&until=")
    codes = page.locator("tbody td[data-label=Status] a")
    expect(codes.first).to_be_visible()
    assert set(codes.all_inner_texts()) == {"QuickBooks 3170"}
    shot(page, "log-3170")
    _fits(page)
    page.locator("tbody td[data-label=Record] a").first.click()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("heading", name="Attempts")).to_be_visible()
    expect(page.get_by_role("link", name="QuickBooks 3170").first).to_be_visible()
    shot(page, "record")
    _fits(page)


def test_open_code_3140(browser_page: Page, shot: Shot) -> None:
    page = browser_page
    _sign_in(page, "/codes")
    page.get_by_label("Code or words").fill("3140")
    page.get_by_role("button", name="Search").click()
    shot(page, "codes-search-3140")
    page.get_by_role("link", name="QuickBooks 3140").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("QuickBooks 3140")
    expect(page.get_by_text("Meaning", exact=True)).to_be_visible()
    expect(page.get_by_text("Fix", exact=True)).to_be_visible()
    shot(page, "code-3140")
    _fits(page)


def test_paste_a_qbxml_line_into_the_decoder(browser_page: Page, shot: Shot) -> None:
    page = browser_page
    _sign_in(page, "/codes/decode")
    line = (REALWORLD / "qbphp-256-3140-message.txt").read_text(encoding="utf-8")
    page.get_by_label("Log line or file").fill(line)
    page.get_by_role("button", name="Decode").click()
    expect(page.get_by_role("heading", name="1 status found in the pasted text")).to_be_visible()
    expect(page.get_by_role("heading", level=3)).to_contain_text("QuickBooks 3140")
    expect(page.get_by_label("Log line or file")).to_have_value(line)
    shot(page, "decode-3140")
    _fits(page)
    # consolibyte/quickbooks-php#92: a qbXML response element from a Web Connector log.
    log = (REALWORLD / "qbphp-92-qwclog-customerquery.txt").read_text(encoding="utf-8")
    element = next(line for line in log.splitlines() if line.startswith("<CustomerQueryRs"))
    page.get_by_label("Log line or file").fill(element)
    page.get_by_role("button", name="Decode").click()
    expect(page.get_by_role("heading", level=3)).to_contain_text("QuickBooks 0")
    expect(page.get_by_text("CustomerQueryRs requestID=241")).to_be_visible()
    shot(page, "decode-qbxml-element")
    _fits(page)
