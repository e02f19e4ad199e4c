import pytest

from sfqb.domain.entities import (
    QB_PARENTS,
    SF_TARGETS,
    InvalidRef,
    QbKind,
    QbRef,
    SfObject,
    SfRef,
    default_qb_kind,
    kind_rank,
)


def test_parent_graph_puts_customers_and_items_first() -> None:
    assert kind_rank(QbKind.CUSTOMER) == 0
    assert kind_rank(QbKind.ITEM) == 0
    for kind in (QbKind.INVOICE, QbKind.SALES_RECEIPT, QbKind.ESTIMATE):
        assert QB_PARENTS[kind] == {QbKind.CUSTOMER, QbKind.ITEM}
        assert kind_rank(kind) == 1


def test_every_sf_object_has_a_default_target() -> None:
    assert default_qb_kind(SfObject.ACCOUNT) is QbKind.CUSTOMER
    assert default_qb_kind(SfObject.PRODUCT2) is QbKind.ITEM
    assert default_qb_kind(SfObject.OPPORTUNITY) is QbKind.INVOICE
    assert set(SF_TARGETS) == set(SfObject)


def test_refs_reject_blank_ids_and_print_readably() -> None:
    with pytest.raises(InvalidRef, match="non-empty id"):
        SfRef(SfObject.ACCOUNT, " ")
    with pytest.raises(InvalidRef):
        QbRef(QbKind.CUSTOMER, "")
    assert str(SfRef(SfObject.ACCOUNT, "001A")) == "Account 001A"
    assert str(QbRef(QbKind.INVOICE, "12-34")) == "Invoice 12-34"
