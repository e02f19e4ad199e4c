"""The engine as a `TargetProfile` describes the target: here, a target with no marker."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.domain.entities import QbKind
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.qbd_ids import InvalidQbId
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


def test_each_profile_checks_record_ids_in_its_own_form() -> None:
    assert QBD_PROFILE.check_id(" 8000000a-1700000000 ") == "8000000A-1700000000"
    assert QBO_PROFILE.check_id(" 42 ") == "42"
    assert QBO_PROFILE.check_id("1027") == "1027"
    with pytest.raises(InvalidQbId, match="not a QuickBooks Desktop ListID or TxnID") as desk:
        QBD_PROFILE.check_id("42")  # an Online Id on a Desktop company
    assert "80000002-1700000000" in str(desk.value)  # the form it wants, by example
    with pytest.raises(InvalidQbId, match="not a QuickBooks Online Id") as online:
        QBO_PROFILE.check_id("80000002-1700000000")  # a Desktop Id on an Online company
    assert "ListID" not in str(online.value) and "TxnID" not in str(online.value)
    assert "digits" in str(online.value) and "Desktop" in str(online.value)
    for bad in ("", "  ", "4 2", "-1", "1.5", "0x2A", "001xx000003DGb2AAG", "1" * 21):
        with pytest.raises(InvalidQbId, match="not a QuickBooks Online Id"):
            QBO_PROFILE.check_id(bad)


def test_only_a_desktop_id_looks_cut_short_by_its_stamp() -> None:
    with pytest.raises(InvalidQbId, match="10-digit creation stamp"):
        QBD_PROFILE.ids.cut_short("8000ABCD-17000", set())
    with pytest.raises(InvalidQbId, match="Did you mean 80000001-1700000000"):
        QBD_PROFILE.ids.cut_short("80000001-17000", {"80000001-1700000000"})
    QBD_PROFILE.ids.cut_short("80000001-1700000000", set())
    # An Online Id is a number: "12" beside a known "123" is another record, read before binding.
    QBO_PROFILE.ids.cut_short("12", {"123"})
