"""The engine as a `TargetProfile` describes the target: here, a target with no marker."""

from __future__ import annotations

from dataclasses import replace

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import QbKind
from sfqb.domain.policy import CompanyPolicy
from sfqb.sync.cycle import Cycle
from sfqb.sync.ops import QbAction, QbOp
from sfqb.sync.target import MarkerKind

from .test_cycle import CATALOG, COMPANY, MAPPER, Harness, account, product

MARKERS = {QbAction.DEFINE_MARKER, QbAction.SET_MARKER, QbAction.READ_FIELD_DEFS,
           QbAction.READ_FIELD_SLOTS}  # fmt: skip


def test_without_a_marker_the_binding_lives_in_the_store_only() -> None:
    h = Harness(policy=CompanyPolicy(binding_field="SalesforceID"))
    profile = replace(QBD_PROFILE, marker=MarkerKind.NONE)
    changes = [h.change(account(1)), h.change(product(1))]
    cycle = Cycle(COMPANY, changes, mapper=MAPPER, catalog=CATALOG, bindings=h.bindings,
                  qb_since={}, clock=h.clock, profile=profile, policy=h.policy)  # fmt: skip
    sent: list[QbOp] = []
    while (ops := cycle.next_batch()) is not None:
        sent += ops
        cycle.take_results(h.driver.execute(ops))
    assert not [op for op in sent if op.action in MARKERS]
    assert {b.qb.kind for b in h.bindings} == {QbKind.CUSTOMER, QbKind.ITEM}
    assert all(h.qb_of(c.sf.id) for c in changes)


def test_the_profile_answers_for_the_desktop_vocabulary() -> None:
    assert QBD_PROFILE.kind_of("ItemNonInventory") is QbKind.ITEM
    assert QBD_PROFILE.read_type("ItemService") == "Item"
    assert QBD_PROFILE.read_type_of(QbKind.CUSTOMER) == "Customer"
    assert QBD_PROFILE.list_of("Invoice") is None
    assert QBD_PROFILE.change_feeds("SalesReceipt") == (
        "Customer", "Vendor", "Item", "SalesReceipt", "ReceivePayment"
    )  # fmt: skip
    assert QBD_PROFILE.list_of("Vendor") is QbKind.VENDOR
    assert not QBD_PROFILE.binds("ItemSalesTax")
