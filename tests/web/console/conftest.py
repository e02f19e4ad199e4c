"""Fixtures of the console's tests: the seed-codes demo's store with four users, the app
`sfqb serve` builds over it, a signed-in client, a real server and a browser.

Users of `console_store`: `demo`/`demo` (admin, every company; left by the demo itself),
`viewer`/`viewer-pw` (viewer of demo), `operator`/`operator-pw` (operator of demo) and
`other`/`other-pw` (operator of the second company `SECOND` only) and `other-admin`/
`other-admin-pw` (admin of `SECOND` only). `api_tokens` holds an API token of each.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from sfqb.cli.console_app import build_console
from sfqb.cli.context import Services
from sfqb.cli.settings import load_config
from sfqb.connectors.qbd.webconnector import NoWorkSource, SoapEndpoint, WebConnectorService
from sfqb.domain.people import Role
from sfqb.sandbox.demo import DemoOptions
from sfqb.sandbox.scenarios import run_scenario
from sfqb.services.people import add_user, create_token
from sfqb.store import Store
from sfqb.web import WebServices, create_app
from sfqb.web.console import Console
from sfqb.web.server import running_server

ROOT = Path(__file__).resolve().parents[3]
COMPANY = "demo"  # the seed-codes demo's company
SECOND = "Second Books"  # a second company, granted only to `other`
USERS = {
    "demo": ("demo", Role.ADMIN),
    "viewer": ("viewer-pw", Role.VIEWER),
    "operator": ("operator-pw", Role.OPERATOR),
    "other": ("other-pw", Role.OPERATOR),
    "other-admin": ("other-admin-pw", Role.ADMIN),
}
OUTSIDERS = ("other", "other-admin")  # granted only SECOND
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

SignIn = Callable[[TestClient, str, str], str]
Shot = Callable[[Page, str], list[Path]]


@dataclass(frozen=True)
class ConsoleWorld:
    """The seed-codes store and what `sfqb serve` builds over it."""

    store: Store
    services: Services
    console: Console
    app: FastAPI
    config_path: str


def _now() -> datetime:
    return datetime.now(UTC)


def serve_app(
    services: Services, store: Store, public_url: str | None = None
) -> tuple[Console, FastAPI]:
    """The console and app as `sfqb serve` builds them (no sync work: nothing runs a cycle)."""
    services.store = store
    console = build_console(services, store, public_url)
    service = WebConnectorService(store, NoWorkSource(), services.catalog, _now)
    web = WebServices(SoapEndpoint(service), public_url=public_url, console=console)
    return console, create_app(web)


@pytest.fixture(scope="session")
def console_world() -> Iterator[ConsoleWorld]:
    """`sfqb demo --scenario seed-codes`'s store, its users, and the served app."""
    workdir = Path(tempfile.mkdtemp(prefix="sfqb-console-test-"))
    services = Services()
    result = run_scenario("seed-codes", DemoOptions(workdir=workdir), services.catalog)
    store = Store.from_url(result.store_url)
    store.migrate()
    store.create_company(SECOND, "second-books", "second-books-pw")
    for name, (password, role) in USERS.items():
        if store.people.get(name) is None:
            granted = (SECOND,) if name in OUTSIDERS else (COMPANY,)
            add_user(store, name, password, role, granted, all_companies=name == "demo")
    services.config = load_config(Path(result.config_path))  # the scenario's policy
    console, app = serve_app(services, store)
    yield ConsoleWorld(store, services, console, app, result.config_path)
    store.engine.dispose()


@pytest.fixture(scope="session")
def console_store(console_world: ConsoleWorld) -> Store:
    """The seed-codes demo's store, with the four users."""
    return console_world.store


@pytest.fixture(scope="session")
def console_app(console_world: ConsoleWorld) -> FastAPI:
    """The whole app (/qbwc, /qbo, the console and its API) over `console_store`."""
    return console_world.app


@pytest.fixture(scope="session")
def api_tokens(console_store: Store) -> dict[str, str]:
    """An API token of each user of `console_store`, by user name."""
    return {name: create_token(console_store, name, "tests").token for name in USERS}


@dataclass(frozen=True)
class Scratch:
    """A copy of `console_store` of one test's own, and the served app over it."""

    store: Store
    console: Console
    app: FastAPI


@pytest.fixture
def scratch(
    console_world: ConsoleWorld, api_tokens: dict[str, str], tmp_path: Path
) -> Iterator[Scratch]:
    """For a test that changes things: a copy of the seed-codes store (users and `api_tokens`
    included) with the app `sfqb serve` builds over it; the shared store stays as it was."""
    source = console_world.store.engine.url.database
    assert source is not None
    copy = tmp_path / "scratch.sqlite"
    with sqlite3.connect(source) as original, sqlite3.connect(copy) as target:
        original.backup(target)
    store = Store.from_url(f"sqlite:///{copy}")
    services = Services()
    services.config = console_world.services.config
    console, app = serve_app(services, store)
    yield Scratch(store, console, app)
    store.engine.dispose()


@pytest.fixture
def console_client(console_app: FastAPI) -> Iterator[TestClient]:
    """A client of its own (its own cookies), not signed in; redirects are not followed."""
    with TestClient(console_app, follow_redirects=False) as client:
        yield client


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = _CSRF.search(html)
    assert found is not None, "no csrf_token field on the page"
    return found.group(1)


def do_sign_in(client: TestClient, name: str, password: str) -> str:
    """Sign `client` in as `name` (as a browser does: the form, then its POST); returns the
    session's CSRF token for the forms the test posts."""
    form = client.get("/sign-in")
    assert form.status_code == 200, form.text
    answer = client.post(
        "/sign-in",
        data={"user_name": name, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/", follow_redirects=True).text)


@pytest.fixture
def sign_in() -> SignIn:
    """`sign_in(client, name, password)` -> the session's CSRF token."""
    return do_sign_in


@pytest.fixture(scope="session")
def console_url(console_app: FastAPI) -> Iterator[str]:
    """The app on a real socket (uvicorn in a thread), for the browser."""
    with running_server(console_app) as base:
        yield base


# Per test: while Playwright's sync API is open it runs an event loop in this thread, and
# asyncio.run() in any later test would fail.
@pytest.fixture
def _browser() -> Iterator[Browser]:
    executable = os.environ.get("SFQB_CHROMIUM") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser: Browser, console_url: str) -> Iterator[Page]:
    """A Playwright page (1280 px wide, its own cookies) whose relative URLs go to
    `console_url`."""
    context = _browser.new_context(base_url=console_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def artifacts() -> Path:
    """Where screenshots go: $SFQB_TEST_ARTIFACTS, else var/test-artifacts/ (git-ignored)."""
    folder = Path(os.environ.get("SFQB_TEST_ARTIFACTS") or ROOT / "var" / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def take_shot(page: Page, name: str) -> list[Path]:
    """Full-page screenshots of `page` at 1280 px and 390 px wide: `<name>-1280.png`,
    `<name>-390.png`; the page is left at 1280 px."""
    saved = []
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        path = artifacts() / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    return saved


@pytest.fixture
def shot() -> Shot:
    """`shot(page, name)` saves the page at 1280 px and 390 px into the test artifacts."""
    return take_shot
