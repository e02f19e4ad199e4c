"""Suite-wide fixtures: Intuit's spec files, and SFQB_REQUIRE_ALL turning skips into failures."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.store_templates import Isolated, StoreTemplates, throwaway_schema

from sfqb.store import SecretBox, Store

ROOT = Path(__file__).resolve().parent.parent
KEY = "wB0Q0Ckf2vXnKxQv2p7kO5nTqJ9lqWv2o8y1QzWm0dE="


def specs_dir() -> Path:
    """Where Intuit's reference files are (SFQB_SPECS_DIR, default ../shared/specs)."""
    return Path(os.environ.get("SFQB_SPECS_DIR", ROOT.parent / "shared" / "specs"))


@pytest.fixture(scope="session")
def specs() -> Path:
    """Intuit's spec files; the test is skipped where they are absent."""
    path = specs_dir()
    if not (path / "qbxmlops120.xsd").is_file():
        pytest.skip(f"Intuit's spec files are not at {path} (set SFQB_SPECS_DIR)")
    return path


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    """A test that ran `sfqb serve` or `sfqb worker` in this process froze its objects
    (freeze_startup_objects): they go back to the garbage collector after it."""
    yield
    gc.unfreeze()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    """Under SFQB_REQUIRE_ALL=1 a skipped test is reported as a failure."""
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("SFQB_REQUIRE_ALL") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under SFQB_REQUIRE_ALL=1: {reason}"


def _postgres_url() -> str:
    url = os.environ.get("SFQB_TEST_DATABASE_URL", "")
    if not url:
        pytest.skip("SFQB_TEST_DATABASE_URL is not set (PostgreSQL tests)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for each store backend: a fresh SQLite file, and PostgreSQL when configured.

    The PostgreSQL database is shared, so tests using it must create and drop their own tables.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    return _postgres_url()


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> StoreTemplates:
    """Migrated empty stores this test process copies into each `db` (tests/store_templates)."""
    return StoreTemplates(tmp_path_factory.mktemp("store-templates"))


@pytest.fixture
def isolated(database_url: str) -> Iterator[Isolated]:
    """SQLite as given; on the shared PostgreSQL database, a throwaway schema of this test."""
    if not database_url.startswith("postgresql"):
        yield Isolated(database_url, database_url)
        return
    with throwaway_schema(database_url) as isolated:
        yield isolated


@pytest.fixture
def isolated_url(isolated: Isolated) -> str:
    """The URL of this test's own, empty database (`isolated`)."""
    return isolated.url


@pytest.fixture
def db(isolated: Isolated, store_templates: StoreTemplates) -> Iterator[Store]:
    """A migrated store with a secret key, on each backend (a copy of a migrated template)."""
    store_templates.fill(isolated)
    store = Store.from_url(isolated.url, secrets=SecretBox(KEY))
    yield store
    store.engine.dispose()
