"""In a real browser (Debian's chromium), the acceptance path of the review list: sign in as
demo, find the 3100 item of Northwind Traders, compare, bind it to a candidate, and see it gone
from Open and shown under Resolved with who resolved it; the confirmation page of Re-create."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.web.console.conftest import ConsoleWorld, Shot
from tests.web.console.review_world import NORTHWIND, build_review_world, northwind_item

from sfqb.web.server import running_server


@pytest.fixture(scope="module")
def review_world() -> Iterator[ConsoleWorld]:
    """A store of this module's own (the browser binds its item)."""
    yield from build_review_world()


@pytest.fixture
def page(_browser: Browser, review_world: ConsoleWorld) -> Iterator[Page]:
    with running_server(review_world.app) as base:
        context = _browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()


def sign_in(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("User name").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")


def test_bind_the_northwind_item_and_see_it_resolved(
    page: Page, shot: Shot, review_world: ConsoleWorld
) -> None:
    item_id = northwind_item(review_world.store)
    sign_in(page)
    nav = page.get_by_role("navigation", name="Main")
    nav.locator(".company-nav", has_text="demo").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review list · demo")
    item = page.get_by_role("region", name=f"#{item_id} Account")
    expect(item).to_contain_text(NORTHWIND)
    expect(item).to_contain_text("qbxml 3100")
    table = item.get_by_role("table", name="Candidate 1: QuickBooks Customer")
    expect(table.get_by_role("columnheader", name="Salesforce")).to_have_count(1)
    expect(
        table.get_by_role("cell", name="differs").or_(table.get_by_role("cell", name="same")).first
    ).to_be_visible()
    shot(page, "review-list")

    item.get_by_role("button", name="Bind").first.click()
    expect(page.get_by_role("status")).to_contain_text(f"Review item {item_id}: bound")
    expect(page.get_by_role("link", name="Open (")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("region", name=f"#{item_id} Account")).to_have_count(0)

    page.get_by_role("link", name="Resolved (").click()
    resolved = page.get_by_role("region", name=f"#{item_id} Account")
    expect(resolved).to_contain_text(NORTHWIND)
    expect(resolved.get_by_role("definition").filter(has_text="demo,")).to_have_count(1)
    expect(resolved).to_contain_text("Resolved by")
    expect(resolved.get_by_role("button", name="Bind")).to_have_count(0)
    shot(page, "review-resolved")


def test_re_create_shows_a_confirmation_page(page: Page, shot: Shot) -> None:
    sign_in(page)
    page.goto("/companies/demo/review")
    item = (
        page.locator("section.review-item")
        .filter(has=page.get_by_role("button", name="Re-create"))
        .first
    )
    item.get_by_role("button", name="Re-create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm: Re-create")
    expect(page.get_by_role("button", name="Yes: Re-create")).to_be_visible()
    shot(page, "review-confirm")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review list · demo")
