"""The record service: a record's page (binding, values, attempts, review) and finding one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sfqb.codes import Catalog
from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.domain.sfid import to18
from sfqb.domain.status import System
from sfqb.services.records import RecordNotFound, SearchError, find_records, record_page
from sfqb.store import Direction, ReviewStatus, Store

from .conftest import FLOW, T0, log_attempt, names_of

ACME = SfRef(SfObject.ACCOUNT, to18("001000000000001"))
BETA = SfRef(SfObject.ACCOUNT, to18("001000000000002"))
CUST = QbRef(QbKind.CUSTOMER, "80000001-1700000000")


def _read(db: Store, sf: SfRef, name: str) -> None:
    payload = {"attributes": {"type": "Account"}, "Name": name, "Phone": None}
    db.queue.enqueue("acme", FLOW, Direction.SF_TO_QB, sf, payload=payload, fingerprint=name,
                     now=T0)  # fmt: skip


def test_page_of_a_record_bound_by_sfqb(db: Store, catalog: Catalog) -> None:
    _read(db, ACME, "Acme Corp")
    db.bindings.bind(Binding("acme", ACME, CUST, "fp", T0, sf_values={"Name": "Acme Corp"}))
    first = log_attempt(db, catalog, "3170", minute=1, sf=ACME, qb=CUST)
    last = log_attempt(db, catalog, "0", minute=2, sf=ACME, qb=CUST)
    log_attempt(db, catalog, "0", minute=3, sf=BETA)
    page = record_page(db, names_of(db, catalog), "acme", CUST.id.lower())
    assert (page.salesforce_id, page.quickbooks_id, page.name) == (ACME.id, CUST.id, "Acme Corp")
    assert page.binding is not None and page.binding.made_by == "sfqb"
    assert page.binding.made_at == first.created_at  # the first attempt that names both sides
    assert [a.id for a in page.attempts] == [last.id, first.id]
    assert page.attempts[1].meaning == catalog.decode(System.QBXML, "3170").meaning
    sf_values, qb_values = page.salesforce_values, page.quickbooks_values
    assert sf_values is not None and sf_values.values == {"Name": "Acme Corp", "Phone": ""}
    assert "last read from Salesforce" in sf_values.source and sf_values.seen_at == T0
    assert qb_values is not None and qb_values.values == {"Name": "Acme Corp"}
    assert record_page(db, names_of(db, catalog), "acme", ACME.id[:15]).record_id == ACME.id


def test_a_binding_made_from_the_review_list_says_so(db: Store, catalog: Catalog) -> None:
    _read(db, ACME, "Acme Corp")
    candidate = {"qb_id": CUST.id, "name": "ACME Corporation", "phone": "555"}
    item = db.review.hold("acme", FLOW, "Account", ACME.id, "name in use", candidates=[candidate],
                          status=catalog.decode(System.QBXML, "3100"), now=T0)  # fmt: skip
    db.bindings.bind(Binding("acme", ACME, CUST, "", T0))
    db.review.close(item.id, f"bound Salesforce {ACME} to QuickBooks {CUST}; ...",
                    ReviewStatus.RESOLVED, now=T0 + timedelta(minutes=5))  # fmt: skip
    page = record_page(db, names_of(db, catalog), "acme", ACME.id)
    assert page.binding is not None and page.binding.made_by == "review"
    assert page.binding.made_at == T0 + timedelta(minutes=5) and page.binding.synced_at is None
    assert page.open_review == [] and [r.id for r in page.review] == [item.id]
    qb_values = page.quickbooks_values
    assert qb_values is not None and qb_values.values["name"] == "ACME Corporation"
    assert "review" in qb_values.source


def test_an_unbound_record_with_an_open_item(db: Store, catalog: Catalog) -> None:
    _read(db, BETA, "Beta Ltd")
    item = db.review.hold("acme", FLOW, "Account", BETA.id, "name in use", now=T0,
                          status=catalog.decode(System.QBXML, "3100"))  # fmt: skip
    page = record_page(db, names_of(db, catalog), "acme", BETA.id)
    assert page.binding is None and page.quickbooks_values is None
    assert [r.id for r in page.open_review] == [item.id] and page.open_review[0].code == "3100"


def test_a_record_of_another_company_is_not_found(db: Store, catalog: Catalog) -> None:
    _read(db, ACME, "Acme Corp")
    log_attempt(db, catalog, "0", minute=1, sf=BETA, company="other")
    names = names_of(db, catalog)
    for wanted in (BETA.id, "nonsense", "", "8" * 500):
        with pytest.raises(RecordNotFound):
            record_page(db, names, "acme", wanted)
    assert record_page(db, names, "other", BETA.id).salesforce_id == BETA.id  # logged only


def test_find_a_record_by_name_or_id(db: Store, catalog: Catalog) -> None:
    _read(db, ACME, "Acme Corp")
    _read(db, BETA, "Beta Ltd")
    db.bindings.bind(Binding("acme", BETA, CUST, "fp", T0, sf_values={"Name": "Beta QB"}))
    names = names_of(db, catalog)
    assert [r.sf for r in find_records(names, "acme", "acme")] == [ACME]
    assert [(r.sf, r.qb) for r in find_records(names, "acme", CUST.id)] == [(BETA, CUST)]
    assert [r.sf for r in find_records(names, "acme", BETA.id[:15])] == [BETA]
    assert find_records(names, "other", "acme") == []
    with pytest.raises(SearchError):
        find_records(names, "acme", "x" * 1000)
