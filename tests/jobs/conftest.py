"""A whole sfqb world for runner tests: Salesforce and QuickBooks sandboxes, a store, a runner."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.jobs.worlds import (
    TARGETS,
    QbdWorldApi,
    Recording,
    TargetWorld,
    mark_gap,
    qbo_test_world,
)

from sfqb.codes import Catalog, load_catalog
from sfqb.connectors.qbd.operations import DirectDriver
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbd.webconnector import SoapEndpoint, WebConnectorService, load_settings
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.jobs.qbwc import CycleWorkSource
from sfqb.jobs.runner import CycleReport, Driver, SyncRunner
from sfqb.mapping import Mapper, load_flows
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.adapter import direct_processor
from sfqb.sandbox.qbd.webconnector_client import Outcome, WebConnectorClient
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig
from sfqb.store import Store
from sfqb.sync.ops import QbOp
from sfqb.sync.target import TargetProfile
from sfqb.web import WebServices, create_app
from sfqb.web.server import running_server

CATALOG = load_catalog()
# The Web Connector's calls wait for the cycle beside them: these tests count cycles and rounds.
IN_STEP = load_settings(answer_within=600)


class Clock:
    """A clock every part of the world shares; each reading moves it on a little."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=250)
        return self.now

    def advance(self, seconds: float) -> None:
        """Let time pass between cycles."""
        self.now += timedelta(seconds=seconds)


@dataclass
class World(QbdWorldApi):
    """Everything a cycle touches (QuickBooks Desktop; also a `TargetWorld`)."""

    sf: SalesforceSandbox
    qb: CompanyFile
    store: Store
    runner: SyncRunner
    driver: DirectDriver
    clock: Clock
    catalog: Catalog

    @property
    def profile(self) -> TargetProfile:
        """The engine's view of QuickBooks Desktop."""
        return self.runner.profile

    def advance(self, seconds: float) -> None:
        """Let time pass."""
        self.clock.advance(seconds)

    def run_with(self, wrap: Callable[[Driver], Driver], company: str = "demo") -> CycleReport:
        """One cycle a few seconds later, through `wrap(driver)`."""
        self.clock.advance(5)
        return self.runner.run_direct(company, wrap(self.driver))

    def cycle(self, company: str = "demo") -> CycleReport:
        """One cycle, pushed directly to the QuickBooks sandbox."""
        return self.run_with(lambda driver: driver, company)

    def recorded_cycle(self, company: str = "demo") -> tuple[CycleReport, list[QbOp]]:
        """One cycle, with every QuickBooks op it sent."""
        driver = Recording(self.driver)
        return self.run_with(lambda _: driver, company), driver.ops


@pytest.fixture
def world(db: Store, tmp_path: Path) -> Iterator[World]:
    """An empty QuickBooks Desktop world on each store backend."""
    yield from _qbd_world(db, tmp_path, Clock())


@pytest.fixture(params=TARGETS)
def target_world(
    request: pytest.FixtureRequest, db: Store, isolated_url: str, tmp_path: Path
) -> Iterator[TargetWorld]:
    """An empty world on each store backend, for QuickBooks Desktop and QuickBooks Online:
    engine tests written against `TargetWorld` run on both targets (a known gap of one target,
    listed in `worlds.GAPS`, runs as xfail(strict=True))."""
    mark_gap(request, request.param)
    if request.param == "qbo":
        with qbo_test_world(isolated_url, tmp_path, Clock(), CATALOG) as online:
            yield online
        return
    yield from _qbd_world(db, tmp_path, Clock())


def _qbd_world(db: Store, tmp_path: Path, clock: Clock) -> Iterator[World]:
    config = SandboxConfig(tls_dir=tmp_path / "tls", clock=clock)
    with SalesforceSandbox(config) as sf:
        qb = CompanyFile(SandboxSettings(), clock, random.Random(7))
        connector = SalesforceConnector(
            ExistingSession(sf.instance, sf.session_id), sf.requests_session(), CATALOG, clock=clock
        )
        runner = SyncRunner(
            db,
            SalesforceGateway(connector),
            Mapper(load_flows()),
            CATALOG,
            clock=clock,
            rng=random.Random(3),
            profile=QBD_PROFILE,
        )
        driver = DirectDriver(direct_processor(qb, CATALOG), CATALOG)
        yield World(sf, qb, db, runner, driver, clock, CATALOG)


@dataclass
class WebConnector:
    """The Web Connector stand-in calling sfqb's SOAP endpoint; each call is one session."""

    client: WebConnectorClient
    reports: list[CycleReport]
    world: World

    def __call__(self) -> CycleReport:
        """One session (one cycle) a few seconds later; its report."""
        self.world.clock.advance(5)
        assert self.client.run("demo", "demo").outcome is Outcome.DONE
        return self.reports[-1]


@contextmanager
def web_connector(world: World) -> Iterator[WebConnector]:
    """Company "demo" served over real SOAP and HTTP to the world's QuickBooks sandbox."""
    world.store.create_company("demo", "demo", "demo")
    reports: list[CycleReport] = []
    source = CycleWorkSource(lambda company: world.runner, world.catalog, on_report=reports.append)
    service = WebConnectorService(world.store, source, world.catalog, world.clock, IN_STEP)
    with running_server(create_app(WebServices(SoapEndpoint(service)))) as base:
        yield WebConnector(WebConnectorClient(f"{base}/qbwc?wsdl", world.qb), reports, world)
