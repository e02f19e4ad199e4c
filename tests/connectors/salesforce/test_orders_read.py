"""Orders read over real HTTPS from the Salesforce sandbox: an Order comes with its products,
and a changed reduction order stands for the order it reduces (read again, its products'
AvailableQuantity lowered), never for a document of its own."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sfqb.codes import load_catalog
from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.sandbox.salesforce import ManualClock, SalesforceSandbox, SandboxConfig, seed
from sfqb.sandbox.salesforce.seed_orders import reduce_order, seed_orders

START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[SalesforceSandbox, SalesforceGateway, ManualClock]]:
    clock = ManualClock(START)
    with SalesforceSandbox(SandboxConfig(tls_dir=tmp_path / "tls", clock=clock)) as sandbox:
        connector = SalesforceConnector(
            ExistingSession(sandbox.instance, sandbox.session_id),
            sandbox.requests_session(),
            load_catalog(),
            clock=clock,
        )
        yield sandbox, SalesforceGateway(connector), clock


def test_orders_come_with_their_products_and_reductions_stand_for_the_original(
    world: tuple[SalesforceSandbox, SalesforceGateway, ManualClock],
) -> None:
    sandbox, gateway, clock = world
    org = sandbox.org
    seed(org, 2, random.Random(1), products=3, opportunities=1)
    seeded = seed_orders(org, 2, random.Random(1), reduce_first=False)
    payloads, highs = gateway.read("Order", {"Order": START - timedelta(days=1)})
    assert sorted(p["Id"] for p in payloads) == sorted(seeded.orders)
    first = next(p for p in payloads if p["Id"] == seeded.orders[0])
    assert first["IsReductionOrder"] is False and first["StatusCode"] == "Activated"
    assert first["OrderItems"] and all(
        i["AvailableQuantity"] == i["Quantity"] for i in first["OrderItems"]
    )
    assert isinstance(first["OrderItems"][0]["AvailableQuantity"], Decimal)
    assert first["OrderNumber"] == org.get("Order", seeded.orders[0])["OrderNumber"]

    clock.advance(60)
    item = first["OrderItems"][0]
    reduction = reduce_order(org, seeded.orders[0], 1.0, item["Id"])
    again, _ = gateway.read("Order", {"Order": highs["Order"]})
    # The read overlaps the checkpoint (records at its edge come again, queued once by their
    # fingerprint): the original is there, the reduction order is not.
    ids = [p["Id"] for p in again]
    assert seeded.orders[0] in ids and reduction not in ids
    original = next(p for p in again if p["Id"] == seeded.orders[0])
    reduced = next(i for i in original["OrderItems"] if i["Id"] == item["Id"])
    assert reduced["AvailableQuantity"] == item["Quantity"] - 1
    assert gateway.read_ids("Order", [reduction])[0]["Id"] == seeded.orders[0]
