"""Fixtures for the QuickBooks Desktop sandbox tests: a fake clock and qbXML helpers."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from lxml.builder import E

from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.sandbox.qbd.schema import Schema, load_schema


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: datetime = field(default_factory=lambda: datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def message_set(
    *requests: etree._Element, on_error: str = "continueOnError", version: str = "13.0"
) -> str:
    """A qbXML request document as the Web Connector hands it to QuickBooks."""
    root = E.QBXML(E.QBXMLMsgsRq(*requests, onError=on_error))
    body = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="{version}"?>\n{body}'


def responses(xml: str) -> list[etree._Element]:
    """The *Rs elements of a response document."""
    root = etree.fromstring(xml.encode())
    assert root.tag == "QBXML"
    msgs = root.find("QBXMLMsgsRs")
    assert msgs is not None
    return list(msgs)


@dataclass
class Harness:
    """A company plus shortcuts: send requests, get the *Rs elements back."""

    company: CompanyFile
    clock: FakeClock

    def send(
        self, *requests: etree._Element, on_error: str = "continueOnError"
    ) -> list[etree._Element]:
        return responses(self.company.process(message_set(*requests, on_error=on_error)))

    def one(self, request: etree._Element) -> etree._Element:
        (rs,) = self.send(request)
        return rs

    def ok(self, request: etree._Element) -> etree._Element:
        rs = self.one(request)
        assert rs.get("statusCode") == "0", rs.get("statusMessage")
        ret = next(iter(rs), None)
        assert ret is not None
        return ret

    @staticmethod
    def status(rs: etree._Element) -> tuple[int, str, str]:
        return status(rs)

    @staticmethod
    def message_set(
        *requests: etree._Element, on_error: str = "continueOnError", version: str = "13.0"
    ) -> str:
        return message_set(*requests, on_error=on_error, version=version)

    @staticmethod
    def responses(xml: str) -> list[etree._Element]:
        return responses(xml)

    def add_customer(self, name: str, **extra: str) -> etree._Element:
        children = [E.Name(name)] + [getattr(E, k)(v) for k, v in extra.items()]
        return self.ok(E.CustomerAddRq(E.CustomerAdd(*children), requestID="add"))

    def add_service(self, name: str, price: str = "100.00") -> etree._Element:
        return self.ok(
            E.ItemServiceAddRq(
                E.ItemServiceAdd(E.Name(name), E.SalesOrPurchase(E.Desc(name), E.Price(price)))
            )
        )


def status(rs: etree._Element) -> tuple[int, str, str]:
    """statusCode, statusSeverity and statusMessage of one *Rs."""
    return (
        int(rs.get("statusCode", "-1")),
        rs.get("statusSeverity", ""),
        rs.get("statusMessage", ""),
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def qbd_schema() -> Schema:
    return load_schema()


@pytest.fixture
def make_company(clock: FakeClock, qbd_schema: Schema) -> Callable[..., Harness]:
    def make(**settings: object) -> Harness:
        company = CompanyFile(
            SandboxSettings.from_dict(settings), clock, random.Random(7), schema=qbd_schema
        )
        return Harness(company, clock)

    return make


@pytest.fixture
def qb(make_company: Callable[..., Harness]) -> Harness:
    return make_company()
