"""Fixtures of the QbOp <-> qbXML tests: a sandbox company on a hand-moved clock, the catalog,
and (when Intuit's files are present) a check of every composed set against the qbXML schema."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from sfqb.codes import Catalog, load_catalog
from sfqb.connectors.qbd.operations import DirectDriver
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled status-code catalog."""
    return load_catalog()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def company(clock: FakeClock) -> CompanyFile:
    return CompanyFile(SandboxSettings(), clock, random.Random(0))


@pytest.fixture
def sent() -> list[str]:
    """Every message set the driver handed to the sandbox."""
    return []


@pytest.fixture
def driver(company: CompanyFile, catalog: Catalog, sent: list[str]) -> DirectDriver:
    def process(xml: str) -> str:
        sent.append(xml)
        return company.process(xml)

    return DirectDriver(process, catalog)


@pytest.fixture(scope="session")
def schema_errors(specs: Path) -> Callable[[str], list[str]]:
    """The qbXML 12.0 schema errors of a request document ([] when valid)."""
    schema = etree.XMLSchema(etree.parse(str(specs / "qbxmlops120.xsd")))

    def errors(xml: str) -> list[str]:
        if schema.validate(etree.fromstring(xml.encode("utf-8"))):
            return []
        return [f"line {e.line}: {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]

    return errors
