"""A Salesforce Id pasted into the binding field in QuickBooks (the article's fix for 3100),
through the Web Connector stand-in over SOAP and the Salesforce sandbox over HTTPS."""

from __future__ import annotations

import pytest

from sfqb.domain.entities import Role, SfObject, SfRef
from sfqb.domain.sfid import to18
from sfqb.jobs.review import Evidence, ReviewDesk
from sfqb.store import QueueStatus, ReviewStatus

from . import test_binding_edits as edits
from .conftest import World
from .test_binding_edits import (
    Alerts,
    Session,
    log_lines,
    name_taken,
    synced_account,
)

pytestmark = pytest.mark.desktop_only(
    "a Salesforce Id pasted into the SalesforceID custom field (DataExt); QuickBooks Online's "
    "custom fields come only through a premium API that Intuit's sandbox companies lack"
)

FIELD = "SalesforceID"
session = edits.session  # the fixture: one Web Connector session per call


def desk(world: World) -> ReviewDesk:
    return ReviewDesk(
        world.store, world.catalog, Alerts(), clock=world.clock, profile_of=edits.desktop
    )


def after_3100(world: World, session: Session) -> tuple[SfRef, str, int]:
    """A company in use (QuickBooks' changes are read since a checkpoint), then a 3100 item."""
    synced_account(world, session, "First Co", "(512) 555-0100")
    return name_taken(world, session)


def paste_items(world: World, status: ReviewStatus | None = ReviewStatus.OPEN):
    return [
        i for i in world.store.review.items("demo", status) if i.code == "BINDING_FIELD_REFUSED"
    ]


@pytest.mark.parametrize("form", [18, 15])
def test_an_id_pasted_after_a_3100_binds_on_the_next_session(
    world: World, session: Session, form: int
) -> None:
    sf, listed, item_id = after_3100(world, session)
    target = listed
    if form == 15:  # pasted from the URL, into a record under a suffixed name
        target = world.qb.add_as_user("Customer", "Acme Tools (2)", Phone="(415) 555-0100").id
    world.qb.set_custom_field_as_user(target, FIELD, sf.id[:form])
    session()
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id == target
    closed = world.store.review.get(item_id)
    assert closed is not None and closed.status is ReviewStatus.RESOLVED
    assert "bound by the SalesforceID field set in QuickBooks" in (closed.resolution or "")
    assert desk(world).entries(["demo"]) == []
    assert any("bound by the SalesforceID field set in QuickBooks" in line
               for line in log_lines(world, sf)), log_lines(world, sf)  # fmt: skip
    assert world.sf.org.get("Account", sf.id)["QuickBooks_ID__c"] == target
    row = world.store.queue.get("demo", "account_to_customer", sf)
    assert row is not None and row.status is QueueStatus.DONE
    record = world.qb.get(target)
    assert record is not None and record.fields["Phone"] == "(512) 555-0101"  # Salesforce's
    assert world.qb.custom_field(target, FIELD) == sf.id  # the 18-character form
    name = record.fields["Name"]
    world.sf.org.update("Account", sf.id, {"Phone": "(512) 555-0102"})
    session()  # a later change flows as for any bound record: no 3200, no rename back
    assert world.store.journal.log("demo", code="3200") == []
    record = world.qb.get(target)
    assert record is not None and record.fields["Phone"] == "(512) 555-0102"
    assert record.fields["Name"] == name
    assert world.store.bindings.by_sf("demo", sf).qb.id == target  # type: ignore[union-attr]
    assert paste_items(world) == [] and desk(world).entries(["demo"]) == []


def _bad_value(world: World, session: Session, sf: SfRef, case: str) -> tuple[str, str]:
    """The value a person pastes, and what the review item must say about it."""
    if case == "malformed":
        return "001-acme-tools", "not a Salesforce Id"
    if case == "unknown":
        last = "Y" if sf.id[14] == "Z" else "Z"
        missing = to18(sf.id[:14] + last)
        return missing, f"Salesforce has no Account {missing}"
    if case == "wrong object":
        opportunity = world.sf.org.create(
            "Opportunity", {"Name": "Acme deal", "StageName": "Prospecting",
                            "CloseDate": "2026-04-30"},
        )  # fmt: skip
        return opportunity, "that is the Id of an Opportunity, not of an Account"
    other = synced_account(world, session, "Other Co", "(512) 555-0120")
    bound = world.store.bindings.by_sf("demo", other)
    assert bound is not None
    return other.id, f"Salesforce {other} is bound to QuickBooks {bound.qb}"


@pytest.mark.parametrize("case", ["malformed", "unknown", "wrong object", "bound elsewhere"])
def test_a_bad_pasted_id_binds_nothing_and_says_which(
    world: World, session: Session, case: str
) -> None:
    sf, listed, item_id = after_3100(world, session)
    value, expected = _bad_value(world, session, sf, case)
    before = {(b.sf, b.qb) for b in world.store.bindings}
    world.qb.set_custom_field_as_user(listed, FIELD, value)
    session()
    assert world.store.bindings.by_sf("demo", sf) is None
    assert {(b.sf, b.qb) for b in world.store.bindings} == before  # nothing bound
    (item,) = paste_items(world)
    assert (item.source_type, item.source_id) == ("Customer", listed)
    assert expected in item.reason and f"SalesforceID set to {value}" in item.reason, item.reason
    (entry,) = [e for e in desk(world).entries(["demo"]) if e.item.id == item.id]
    assert entry.evidence is Evidence.BINDING and entry.name == "Acme Tools"
    rows = {r["side"]: r for r in item.candidates}
    assert rows["QuickBooks"]["qb_id"] == listed and rows["QuickBooks"]["value"] == value
    assert rows["QuickBooks"]["name"] == "Acme Tools"
    if case in ("wrong object", "bound elsewhere"):  # the Salesforce record's values too
        assert rows["Salesforce"]["state"] == "in Salesforce" and rows["Salesforce"]["name"]
    else:
        assert rows["Salesforce"]["state"] == "not found"
    three_one_hundred = world.store.review.get(item_id)
    assert three_one_hundred is not None and three_one_hundred.status is ReviewStatus.OPEN
    session()  # read again (QuickBooks' overlap): not raised again
    assert [i.id for i in paste_items(world, None)] == [item.id]
    desk(world).ignore(item.id, "demo")
    session()
    assert paste_items(world) == [] and len(paste_items(world, None)) == 1


def test_a_bad_paste_is_resolved_when_the_field_is_corrected(
    world: World, session: Session
) -> None:
    sf, listed, _item = after_3100(world, session)
    world.qb.set_custom_field_as_user(listed, FIELD, "not-an-id")
    session()
    (item,) = paste_items(world)
    world.qb.set_custom_field_as_user(listed, FIELD, "")
    session()
    closed = world.store.review.get(item.id)
    assert closed is not None and closed.status is ReviewStatus.RESOLVED
    assert world.store.bindings.by_sf("demo", sf) is None
    world.qb.set_custom_field_as_user(listed, FIELD, sf.id)  # corrected: binds and resolves
    session()
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id == listed
    assert paste_items(world) == [] and desk(world).entries(["demo"]) == []


def test_a_paste_on_a_bound_record_binds_nothing(world: World, session: Session) -> None:
    synced_account(world, session, "First Co", "(512) 555-0100")
    bound_sf = synced_account(world, session, "Bound Co", "(512) 555-0140")
    bound = world.store.bindings.by_sf("demo", bound_sf)
    assert bound is not None
    free = SfRef(SfObject.ACCOUNT, world.sf.org.create("Account", {"Name": "Free Co"}))
    session()
    free_binding = world.store.bindings.by_sf("demo", free)
    assert free_binding is not None
    world.qb.set_custom_field_as_user(bound.qb.id, FIELD, free.id)
    session()
    after = world.store.bindings.by_sf("demo", bound_sf)
    assert after is not None and after.qb == bound.qb
    assert world.store.bindings.by_sf("demo", free) == free_binding
    (item,) = paste_items(world)
    assert f"QuickBooks {bound.qb} is bound to Salesforce {bound_sf}" in item.reason


def test_sfqbs_own_markers_are_never_a_paste(world: World, session: Session) -> None:
    sf = synced_account(world, session, "Marked Co", "(512) 555-0150")
    world.sf.org.update("Account", sf.id, {"Phone": "(512) 555-0151"})
    session()
    session()
    assert paste_items(world, None) == []
    assert not any("field set in QuickBooks" in line for line in log_lines(world, sf))


def test_a_vendor_shows_its_accounts_id_and_an_id_pasted_on_a_vendor_binds_its_vendor_role(
    world: World, session: Session
) -> None:
    supplier = world.sf.org.create("Account", {"Name": "Harbor Freight Supply", "Type": "Vendor"})
    session()
    vendor = world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, supplier, Role.VENDOR))
    assert vendor is not None
    # The vendor's QuickBooks record shows the Id people can see, as a customer's does.
    assert world.qb.custom_field(vendor.qb.id, FIELD) == supplier
    # A supplier a bookkeeper had typed in as a vendor (a 3100 for sfqb), fixed as the article
    # says: its Account's Id pasted into the vendor's SalesforceID field.
    typed = world.qb.add_as_user("Vendor", "Cedar Lumber", Phone="(512) 555-0199").id
    other = world.sf.org.create("Account", {"Name": "Cedar Lumber", "Type": "Vendor"})
    session()
    as_vendor = SfRef(SfObject.ACCOUNT, other, Role.VENDOR)
    assert world.store.bindings.by_sf("demo", as_vendor) is None  # held: 3100, not a duplicate
    world.qb.set_custom_field_as_user(typed, FIELD, other[:15])
    session()
    binding = world.store.bindings.by_sf("demo", as_vendor)
    assert binding is not None and binding.qb.id == typed
    assert world.store.bindings.by_sf("demo", SfRef(SfObject.ACCOUNT, other)) is None
    assert world.sf.org.get("Account", other)["QuickBooks_Vendor_ID__c"] == typed
    assert world.qb.custom_field(typed, FIELD) == other  # the 18-character form
    assert len(world.qb.vendors()) == 2
