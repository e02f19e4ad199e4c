"""Who closed a review item and who it is assigned to, the actions taken on items and held
records, and the per-record values a person set (revision 0011)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect
from sqlalchemy import text as sql

from sfqb.domain.entities import SfObject, SfRef
from sfqb.store import SFQB, ReviewStatus, Store, StoreError

from .conftest import T0

SF = SfRef(SfObject.ACCOUNT, "001000000000001AAA")
OTHER = SfRef(SfObject.ACCOUNT, "001000000000002AAA")
FLOW = "account_to_customer"


def test_close_keeps_who_and_sfqb_closes_as_sfqb(db: Store) -> None:
    first = db.review.hold("acme", FLOW, "Account", SF.id, "name taken", now=T0)
    closed = db.review.close(first.id, "bound", now=T0, by="ada")
    assert (closed.resolved_by, closed.status) == ("ada", ReviewStatus.RESOLVED)
    second = db.review.hold("acme", FLOW, "Account", SF.id, "name taken again", now=T0)
    assert db.review.resolve_record("acme", FLOW, SF) == 1
    assert db.review.get(second.id).resolved_by == SFQB  # type: ignore[union-attr]


def test_assign_and_unassign(db: Store) -> None:
    item = db.review.hold("acme", FLOW, "Account", SF.id, "name taken", now=T0)
    assert db.review.assign(item.id, "bob").assigned_to == "bob"
    assert db.review.get(item.id).assigned_to == "bob"  # type: ignore[union-attr]
    assert db.review.assign(item.id, None).assigned_to is None
    with pytest.raises(StoreError):
        db.review.assign(9999, "bob")


def test_actions_by_item_and_by_record(db: Store) -> None:
    item = db.review.hold("acme", FLOW, "Account", SF.id, "name taken", now=T0)
    actions = db.review_actions
    actions.record(item.id, "acme", FLOW, ("Account", SF.id), "assign", "ada", "to bob", now=T0)
    later = T0 + timedelta(minutes=1)
    actions.record(None, "acme", FLOW, ("Account", SF.id), "retry", " bob ", "due", now=later)
    actions.record(None, "acme", FLOW, ("Account", OTHER.id), "retry", "bob", "due", now=later)
    assert [(a.action, a.by) for a in actions.of_item(item.id)] == [("assign", "ada")]
    mine = actions.of_record("acme", "Account", SF.id)
    assert [(a.action, a.by, a.at) for a in mine] == [
        ("assign", "ada", T0),
        ("retry", "bob", later),
    ]
    with pytest.raises(StoreError, match="name of who"):
        actions.record(item.id, "acme", FLOW, ("Account", SF.id), "ignore", "  ", "x")


def test_overrides_are_per_record_and_field(db: Store) -> None:
    overrides = db.overrides
    overrides.set("acme", FLOW, SF, "Phone", "1", "ada", now=T0)
    overrides.set("acme", FLOW, SF, "Phone", "(512) 555-0101", "bob", now=T0)
    overrides.set("acme", FLOW, SF, "Name", "Acme Ltd", "bob", now=T0)
    overrides.set("other", FLOW, SF, "Phone", "9", "bob", now=T0)
    mine = overrides.of_record("acme", FLOW, SF)
    assert [(o.field, o.value, o.set_by) for o in mine] == [
        ("Name", "Acme Ltd", "bob"), ("Phone", "(512) 555-0101", "bob"),
    ]  # fmt: skip
    assert overrides.of_company("acme") == {
        (FLOW, SF): {"Name": "Acme Ltd", "Phone": "(512) 555-0101"}
    }
    assert overrides.of_record("acme", FLOW, OTHER) == []
    assert overrides.clear("acme", FLOW, SF, "Name") == 1
    assert list(overrides.of_company("acme")[(FLOW, SF)]) == ["Phone"]


def test_0011_names_sfqb_on_the_items_it_closed_and_downgrades(isolated_url: str) -> None:
    store = Store.from_url(isolated_url)
    try:
        store.migrate("0010_people")
        insert = (
            "INSERT INTO review_items (company, flow, source_type, source_id, reason, candidates,"
            " status, resolution, created_at, resolved_at) VALUES ('acme', :flow, 'Account', :id,"
            " 'r', '[]', 'resolved', :resolution, :at, :at)"
        )
        with store.engine.begin() as connection:
            for sf_id, resolution in (("1", "synced by sfqb"), ("2", "bound to 80000001-1")):
                connection.execute(
                    sql(insert), {"flow": FLOW, "id": sf_id, "resolution": resolution, "at": T0}
                )
        store.migrate()
        closed = {i.source_id: i.resolved_by for i in store.review.items("acme", None)}
        assert closed == {"1": SFQB, "2": None}
        store.downgrade("0010_people")
        columns = {c["name"] for c in inspect(store.engine).get_columns("review_items")}
        assert not {"resolved_by", "assigned_to"} & columns
        assert not {"review_actions", "record_overrides"} & set(
            inspect(store.engine).get_table_names()
        )
    finally:
        store.engine.dispose()
