"""QuickBooks_ID__c edited in Salesforce, on both targets: the Id typed is checked in the form of
the company's own QuickBooks (its target profile), then read from QuickBooks before binding."""

from __future__ import annotations

from dataclasses import replace

from sfqb.domain.entities import SfObject, SfRef
from sfqb.sync.ops import QbAction
from sfqb.sync.records import BindOrigin, BindRequest, ItemState

from .harness import Harness
from .test_cycle import account

# An Id of the other target's form, and the words that refuse it on this target.
OTHER_FORM = {"qbd": "42", "qbo": "80000002-1700000000"}
REFUSED = {"qbd": "not a QuickBooks Desktop ListID or TxnID", "qbo": "not a QuickBooks Online Id"}
EDITOR = "005000000000001AAA"


def edited(h: Harness, payload: dict[str, object], qb_id: str) -> object:
    """The record's change as the runner hands it in after a person typed `qb_id`."""
    request = BindRequest(qb_id, BindOrigin.SALESFORCE, by=EDITOR)
    return replace(h.change(payload), bind_request=request)


def test_an_id_typed_into_quickbooks_id_binds_the_record_it_names(h: Harness) -> None:
    existing = h.books.add_as_user("customer", "Typed Co", phone="(512) 555-0100")
    acct = account(1, name="Typed Co")
    cycle = h.run([edited(h, acct, f" {existing.id} ")])  # type: ignore[list-item]
    sf = SfRef(SfObject.ACCOUNT, acct["Id"])
    assert h.bound(acct["Id"]).id == existing.id
    assert h.sent_ops(QbAction.ADD) == []
    assert [c.id for c in h.books.records("customer")] == [existing.id]
    assert cycle.outcomes[sf].state in (ItemState.DONE, ItemState.SKIPPED)
    bind = next(a for a in cycle.attempts if a.sf == sf and a.operation == "bind")
    assert "after QuickBooks confirmed it" in bind.action


def test_an_id_of_the_other_target_s_form_is_refused_in_the_company_s_own_words(
    h: Harness,
) -> None:
    acct = account(1)
    cycle = h.run([edited(h, acct, OTHER_FORM[h.target.name])])  # type: ignore[list-item]
    sf = SfRef(SfObject.ACCOUNT, acct["Id"])
    outcome = cycle.outcomes[sf]
    assert outcome.state is ItemState.REVIEW
    assert REFUSED[h.target.name] in outcome.reason
    assert f"set to {OTHER_FORM[h.target.name]} in Salesforce by {EDITOR}" in outcome.reason
    if h.target.name == "qbo":
        assert "ListID" not in outcome.reason and "TxnID" not in outcome.reason
    assert h.sent_ops(QbAction.READ) == [] and h.sent_ops(QbAction.ADD) == []
    assert not list(h.bindings)
