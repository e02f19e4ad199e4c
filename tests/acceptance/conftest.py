"""The engine end to end on both targets: QuickBooks Desktop through the Web Connector over
SOAP, QuickBooks Online over HTTPS, with the neutral API of `tests.jobs.worlds`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import reduce
from pathlib import Path
from typing import Any, Protocol

import pytest
from tests.jobs.worlds import TARGETS, QbdWorldApi, QbView, qbo_test_world

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import QbRef
from sfqb.domain.policy import CompanyPolicy
from sfqb.jobs.runner import CycleReport, chain
from sfqb.sandbox.demo import LOGIN, DemoOptions, DemoWorld, WorldSetup, demo_world, summarize
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.sandbox.salesforce import SalesforceSandbox
from sfqb.store import Store
from sfqb.sync.target import TargetProfile

CATALOG = load_catalog()


class RealClock:
    """Real time; `advance` is a no-op (real time passes by itself)."""

    def __call__(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        """Nothing to do on real time."""


class EndToEnd(Protocol):
    """What an end-to-end acceptance test touches, on either target."""

    target: str
    sf: SalesforceSandbox
    store: Store
    profile: TargetProfile

    def cycle(self) -> CycleReport: ...
    def round_trips(self, report: CycleReport) -> int: ...
    def summary(self) -> dict[str, Any]: ...
    def qb_record(self, ref: QbRef) -> QbView | None: ...
    def qb_count(self, kind: str) -> int: ...
    def qb_snapshot(self) -> Any: ...
    def qb_modify_as_user(self, ref: QbRef, **fields: str | bool) -> None: ...
    def qb_apply_credit(self, credit: QbRef, invoice: QbRef, amount: str) -> None: ...
    def qb_delete_as_user(self, ref: QbRef) -> None: ...
    def qb_make_top_level_as_user(self, ref: QbRef) -> None: ...


@dataclass
class DesktopEndToEnd(QbdWorldApi):
    """QuickBooks Desktop: each cycle is one Web Connector session over real SOAP."""

    demo: DemoWorld
    client: WebConnectorClient
    reports: list[CycleReport]
    profile: TargetProfile
    exchanges: dict[int, int] = field(default_factory=dict)

    @property
    def sf(self) -> SalesforceSandbox:  # type: ignore[override]
        """The Salesforce sandbox."""
        return self.demo.salesforce

    @property
    def store(self) -> Store:
        """The store."""
        return self.demo.store

    @property
    def qb(self) -> CompanyFile:  # type: ignore[override]
        """The QuickBooks Desktop company file."""
        return self.demo.quickbooks

    def cycle(self) -> CycleReport:
        """One Web Connector session; its report (the chain's, when the session ran several
        cycles of at most `max_records_per_cycle` records)."""
        before = len(self.reports)
        session = self.client.run(*LOGIN)
        assert session.outcome is Outcome.DONE
        ran = [deepcopy(r) for r in self.reports[before:]] or [self.reports[-1]]
        report = reduce(chain, ran)  # copies: `summary` counts each cycle's own report
        self.exchanges[id(report)] = len(session.exchanges)
        return report

    def round_trips(self, report: CycleReport) -> int:
        """The session's request/response exchanges."""
        return self.exchanges[id(report)]

    def summary(self) -> dict[str, Any]:
        """The demo's summary of every session so far."""
        return summarize(self.demo, self.reports)


OpenWorld = Callable[..., AbstractContextManager[EndToEnd]]


@pytest.fixture(params=TARGETS)
def open_world(request: pytest.FixtureRequest, isolated_url: str, tmp_path: Path) -> OpenWorld:
    """Opens a world seeded as the test's `DemoOptions` say, on each target."""
    target = str(request.param)

    @contextmanager
    def opened(options: DemoOptions, policy: CompanyPolicy | None = None) -> Iterator[EndToEnd]:
        """A world seeded by `options`; `policy` the company's (QuickBooks' multicurrency on
        when it has it)."""
        if target == "qbo":
            with qbo_test_world(
                isolated_url, tmp_path, RealClock(), CATALOG, options, policy=policy
            ) as online:
                yield online
            return
        options = replace(options, workdir=tmp_path, database_url=isolated_url)
        multi = SandboxSettings(multi_currency=policy is not None and policy.multicurrency)
        setup = WorldSetup(quickbooks=multi, policy=policy)
        with demo_world(options, CATALOG, RealClock(), setup) as (demo, _source, reports):
            client = WebConnectorClient(f"{demo.endpoint}?wsdl", demo.quickbooks)
            yield DesktopEndToEnd(demo, client, reports, QBD_PROFILE)

    return opened
