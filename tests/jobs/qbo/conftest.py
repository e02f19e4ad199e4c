"""A QuickBooks Online world for remedy scenarios: `qbo_world` on an injected clock.

Each test gets the Salesforce and QuickBooks Online sandboxes over HTTPS, a company connected
through the sandbox's OAuth flow, a store and a runner; `Qbo` adds the few helpers the
scenarios share (an Account or a won deal in Salesforce, a record made by hand in QuickBooks
Online, a cycle some time later).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from sfqb.codes import load_catalog
from sfqb.connectors.qbo.limits import RealmLimiter
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.runner import CycleReport
from sfqb.sandbox.demo import COMPANY, DemoOptions
from sfqb.sandbox.qbo import QboConfig
from sfqb.sandbox.qbo_demo import QboWorld, qbo_world

CATALOG = load_catalog()


class Clock:
    """One clock for Salesforce, QuickBooks Online, the store, the runner and the client's
    rate limiter (whose waits move it on instead of sleeping)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        self.slept = 0.0

    def monotonic(self) -> float:
        """Seconds since the start, for the rate limiter."""
        return (self.now - datetime(2026, 3, 2, tzinfo=UTC)).total_seconds()

    def sleep(self, seconds: float) -> None:
        """A wait of the limiter: time passes at once."""
        self.slept += seconds
        self.now += timedelta(seconds=seconds)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=250)
        return self.now

    def advance(self, seconds: float) -> None:
        """Let time pass between cycles."""
        self.now += timedelta(seconds=seconds)


@dataclass
class Qbo:
    """A running QuickBooks Online world and the helpers the scenarios share."""

    world: QboWorld
    clock: Clock

    @property
    def org(self) -> Any:
        """The Salesforce sandbox's org."""
        return self.world.salesforce.org

    @property
    def sandbox(self) -> Any:
        """The QuickBooks Online sandbox."""
        return self.world.quickbooks

    def cycle(self, wait: float = 5) -> CycleReport:
        """One cycle `wait` seconds after the last (a retry's backoff needs more)."""
        self.clock.advance(wait)
        return self.world.cycle()

    def account(self, name: str, **fields: Any) -> str:
        """A new Salesforce Account."""
        return str(self.org.create("Account", {"Name": name, **fields}))

    def product(self, name: str = "Widget", price: float = 10.0) -> tuple[str, str]:
        """A Product2 and its standard price book entry."""
        product = self.org.create(
            "Product2", {"Name": name, "ProductCode": "W-1", "IsActive": True}
        )
        entry = self.org.create(
            "PricebookEntry",
            {"Pricebook2Id": self.org.standard_pricebook_id, "Product2Id": product,
             "UnitPrice": price, "IsActive": True},
        )  # fmt: skip
        return str(product), str(entry)

    def deal(self, account: str, entry: str, quantity: int = 2, name: str = "March order") -> str:
        """A won Opportunity of `account` with one line."""
        opp = self.org.create(
            "Opportunity",
            {"Name": name, "AccountId": account, "StageName": "Closed Won",
             "CloseDate": self.org.now().date().isoformat(),
             "Pricebook2Id": self.org.standard_pricebook_id},
        )  # fmt: skip
        self.org.create(
            "OpportunityLineItem",
            {"OpportunityId": opp, "PricebookEntryId": entry, "Quantity": quantity},
        )
        return str(opp)

    def by_hand(self, entity: str, body: dict[str, Any]) -> dict[str, Any]:
        """A record a person adds in QuickBooks Online (not through sfqb)."""
        return dict(self.sandbox.api.books.create(entity, body))

    def deactivate(self, entity: str, ident: str) -> None:
        """What QuickBooks Online calls deleting a name: Active false."""
        self.sandbox.api.books.deactivate(entity, ident)

    def qb_id(self, sobject: SfObject, sf_id: str) -> str | None:
        """The QuickBooks Online Id the store binds the record to."""
        binding = self.world.store.bindings.by_sf(COMPANY, SfRef(sobject, sf_id))
        return binding.qb.id if binding is not None else None

    def named(self, entity: str, name: str) -> list[dict[str, Any]]:
        """Records of `entity` whose DisplayName (or Name) is `name`."""
        return [
            r
            for r in self.sandbox.records(entity)
            if (r.get("DisplayName") or r.get("Name")) == name
        ]

    def log(self) -> list[Any]:
        """The company's integration log, newest first."""
        return list(self.world.store.journal.log(COMPANY, limit=500))

    def reviews(self) -> list[Any]:
        """The company's open review items."""
        return list(self.world.store.review.items(COMPANY))


@pytest.fixture
def qbo_factory(tmp_path: Path) -> Iterator[Any]:
    """Builds a world with a given policy or sandbox config (one per test)."""
    stack: list[Any] = []

    def build(
        policy: CompanyPolicy | None = None, sweep_at: time | None = None, **config: Any
    ) -> Qbo:
        clock = Clock()
        options = DemoOptions(workdir=tmp_path / f"w{len(stack)}")
        manager = qbo_world(
            options,
            CATALOG,
            clock,
            policy=policy,
            quickbooks=QboConfig(clock=clock, **config),
            seed_salesforce=False,
            limiter=lambda _realm: RealmLimiter(clock=clock.monotonic, sleep=clock.sleep),
            sweep_at=sweep_at,
        )
        world = manager.__enter__()
        stack.append(manager)
        return Qbo(world, clock)

    yield build
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


@pytest.fixture
def qbo(qbo_factory: Any) -> Qbo:
    """A world with the default (safe) policy."""
    return qbo_factory()  # type: ignore[no-any-return]
