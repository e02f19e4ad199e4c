"""QuickBooks_ID__c edited by a person in Salesforce, through the Web Connector stand-in.

The article's fix for 3120 ("remove the binding ID from Salesforce to allow the integration to
re-create it"), another Id typed into the field, and edits of a healthy binding.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.jobs.bindings import BindingDesk
from sfqb.jobs.review import Evidence, ReviewDesk
from sfqb.store import QueueStatus, ReviewStatus
from sfqb.sync.target import TargetProfile

from .conftest import WebConnector, World, web_connector

Session = WebConnector


@pytest.fixture
def session(world: World) -> Iterator[WebConnector]:
    """One Web Connector session per call, against the world's QuickBooks sandbox."""
    with web_connector(world) as run:
        yield run


def desktop(_company: str) -> TargetProfile:
    """The profile of every company of these worlds (QuickBooks Desktop, Web Connector)."""
    return QBD_PROFILE


class Alerts:
    def resolve(self, company: str, kind: str, key: str | None = None) -> int:
        return 1


def open_items(world: World) -> list[tuple[str, str, str]]:
    desk = ReviewDesk(world.store, world.catalog, Alerts(), clock=world.clock, profile_of=desktop)
    return [(e.item.source_id, e.item.code or "", e.item.reason) for e in desk.entries(["demo"])]


def person(world: World, name: str = "Pat Bookkeeper") -> str:
    """A Salesforce user other than sfqb's integration user."""
    username = name.replace(" ", ".").lower() + "@example.com"
    return world.sf.org.create("User", {"Username": username, "LastName": name})


def synced_account(world: World, session: Session, name: str, phone: str) -> SfRef:
    sf = SfRef(SfObject.ACCOUNT, world.sf.org.create("Account", {"Name": name, "Phone": phone}))
    session()
    assert world.store.bindings.by_sf("demo", sf) is not None
    return sf


def held_after_deletion(
    world: World, session: Session, name: str = "Gone Ltd"
) -> tuple[SfRef, str]:
    """A customer deleted in QuickBooks; the next change is refused with 3120 and held."""
    sf = synced_account(world, session, name, "(512) 555-0103")
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None
    world.qb.delete_as_user(binding.qb.id)
    world.sf.org.update("Account", sf.id, {"Phone": "(512) 555-0104"})
    session()
    ((source, code, _reason),) = open_items(world)
    assert (source, code) == (sf.id, "3120")
    return sf, binding.qb.id


def log_lines(world: World, sf: SfRef) -> list[str]:
    return [a.action_taken for a in world.store.journal.log("demo", record=sf, limit=50)]


def test_clearing_the_id_after_a_3120_recreates_it_and_names_who_cleared_it(
    world: World, session: Session
) -> None:
    sf, gone = held_after_deletion(world, session)
    pat = person(world)
    world.sf.org.update("Account", sf.id, {"QuickBooks_ID__c": None}, by=pat)
    session()
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id != gone
    assert [c.id for c in world.qb.customers() if c.fields["Name"] == "Gone Ltd"] == [binding.qb.id]
    assert world.qb.get(binding.qb.id).fields["Phone"] == "(512) 555-0104"  # type: ignore[union-attr]
    assert open_items(world) == []
    (closed,) = [i for i in world.store.review.items("demo", None) if i.source_id == sf.id]
    assert closed.status is ReviewStatus.RESOLVED
    assert any(f"cleared in Salesforce by {pat}" in line and gone in line
               for line in log_lines(world, sf)), log_lines(world, sf)  # fmt: skip
    assert world.sf.org.get("Account", sf.id)["QuickBooks_ID__c"] == binding.qb.id
    row = world.store.queue.get("demo", "account_to_customer", sf)
    assert row is not None and row.status is QueueStatus.DONE and row.bind_request is None
    session()  # sfqb's own write of the new Id is not taken for a person's edit
    assert world.store.bindings.by_sf("demo", sf) == binding and open_items(world) == []


def test_sfqbs_own_write_back_is_never_an_edit(world: World, session: Session) -> None:
    sf = synced_account(world, session, "Echo Co", "(512) 555-0110")
    binding = world.store.bindings.by_sf("demo", sf)
    world.sf.org.update("Account", sf.id, {"Phone": "(512) 555-0111"})
    session()
    session()
    assert world.store.bindings.by_sf("demo", sf) is not None
    assert world.store.bindings.by_sf("demo", sf).qb == binding.qb  # type: ignore[union-attr]
    assert open_items(world) == []


def review_entry(world: World, sf: SfRef) -> tuple[str, Evidence, list[dict[str, object]]]:
    desk = ReviewDesk(world.store, world.catalog, Alerts(), clock=world.clock, profile_of=desktop)
    (entry,) = [e for e in desk.entries(["demo"]) if e.item.source_id == sf.id]
    return entry.item.reason, entry.evidence, list(entry.item.candidates)


def test_a_different_id_typed_after_a_3120_rebinds_once_quickbooks_confirms_it(
    world: World, session: Session
) -> None:
    sf, _gone = held_after_deletion(world, session)
    survivor = world.qb.add_as_user("Customer", "Gone Ltd (kept)", Phone="(512) 555-0100")
    pat = person(world)
    world.sf.org.update("Account", sf.id, {"QuickBooks_ID__c": survivor.id}, by=pat)
    session()
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id == survivor.id
    record = world.qb.get(survivor.id)
    assert record is not None and record.fields["Phone"] == "(512) 555-0104"  # values sent (Mod)
    named = [c.id for c in world.qb.customers() if c.fields["Name"] == "Gone Ltd"]
    assert named == [survivor.id]  # Salesforce's values went to it; nothing was re-created
    assert open_items(world) == []
    assert any(f"set to {survivor.id} in Salesforce by {pat}" in line and "bound to" in line
               for line in log_lines(world, sf)), log_lines(world, sf)  # fmt: skip


@pytest.mark.parametrize("case", ["gone", "bound elsewhere", "wrong kind", "cut short"])
def test_a_typed_id_that_cannot_be_bound_goes_to_review_saying_which(
    world: World, session: Session, case: str
) -> None:
    sf, gone = held_after_deletion(world, session)
    if case == "gone":
        deleted = world.qb.add_as_user("Customer", "Deleted Too")
        world.qb.delete_as_user(deleted.id)
        typed, expected = deleted.id, f"QuickBooks has no Customer {deleted.id}"
    elif case == "bound elsewhere":
        other = synced_account(world, session, "Other Co", "(512) 555-0120")
        taken = world.store.bindings.by_sf("demo", other)
        assert taken is not None
        world.store.bindings.unbind("demo", other)  # bound only in sfqb, as `sfqb bind` leaves it
        world.store.bindings.bind(taken)
        world.sf.org.update("Account", other.id, {"QuickBooks_ID__c": None})
        typed, expected = taken.qb.id, f"is bound to Salesforce Account {other.id}"
    elif case == "wrong kind":
        item = world.qb.add_as_user("ItemService", "Consulting")
        typed, expected = item.id, f"{item.id} is a QuickBooks ItemService, not a Customer"
    else:
        typed, expected = gone.split("-")[0], "was it cut short?"
    world.sf.org.update("Account", sf.id, {"QuickBooks_ID__c": typed}, by=person(world))
    session()
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id == gone  # nothing changed
    reason, evidence, rows = review_entry(world, sf)
    assert expected in reason and f"set to {typed}".upper() in reason.upper(), reason
    assert evidence is Evidence.BINDING
    assert rows[0]["side"] == "Salesforce" and rows[0]["qb_id"] == typed
    if case != "cut short":
        assert {r["side"]: r["state"] for r in rows[1:]} == {
            "bound now": "not found",
            "asked for": "not found" if case == "gone" else "in QuickBooks",
        }
    row = world.store.queue.get("demo", "account_to_customer", sf)
    assert row is not None and row.status is QueueStatus.REVIEW and row.bind_request is None


@pytest.mark.parametrize("typed", ["", "other"])
def test_an_edit_of_a_healthy_binding_goes_to_review_and_keeps_it(
    world: World, session: Session, typed: str
) -> None:
    sf = synced_account(world, session, "Healthy Co", "(512) 555-0130")
    before = world.store.bindings.by_sf("demo", sf)
    assert before is not None
    value = world.qb.add_as_user("Customer", "Someone Else").id if typed else None
    world.sf.org.update("Account", sf.id, {"QuickBooks_ID__c": value}, by=person(world))
    session()
    assert world.store.bindings.by_sf("demo", sf) == before
    reason, evidence, rows = review_entry(world, sf)
    assert f"{before.qb}, bound now, is still in QuickBooks" in reason, reason
    assert ("cleared" in reason) == (not typed) and evidence is Evidence.BINDING
    assert rows[1] == {
        "side": "bound now", "qb_id": before.qb.id, "type": "Customer", "name": "Healthy Co",
        "bound_to": sf.id, "state": "in QuickBooks",
    }  # fmt: skip
    assert world.sf.org.get("Account", sf.id)["QuickBooks_Sync_Status__c"] == "Needs Review"


# -- review resolve --bind and sfqb bind: one service -------------------------------------------


def name_taken(world: World, session: Session) -> tuple[SfRef, str, int]:
    """QuickBooks has a customer of the same name but another phone: 3100 to review."""
    existing = world.qb.add_as_user("Customer", "Acme Tools", Phone="(415) 555-0199")
    values = {"Name": "Acme Tools", "Phone": "(512) 555-0101"}
    sf = SfRef(SfObject.ACCOUNT, world.sf.org.create("Account", values))
    session()
    desk = ReviewDesk(world.store, world.catalog, Alerts(), clock=world.clock, profile_of=desktop)
    (entry,) = desk.entries(["demo"])
    assert entry.item.code == "3100"
    return sf, existing.id, entry.item.id


def test_review_bind_of_an_unlisted_id_binds_after_quickbooks_confirms_it(
    world: World, session: Session
) -> None:
    sf, listed, item_id = name_taken(world, session)
    other = world.qb.add_as_user("Customer", "Acme Tools Inc", Phone="(512) 555-0101")
    desk = ReviewDesk(world.store, world.catalog, Alerts(), clock=world.clock, profile_of=desktop)
    done = desk.bind(item_id, other.id.lower(), "demo")  # typed by hand, any case
    assert done.item.status is ReviewStatus.OPEN and "next Web Connector session" in done.done
    assert world.store.bindings.by_sf("demo", sf) is None  # nothing bound before the read
    (entry,) = desk.entries(["demo"])
    assert entry.pending is not None and other.id in entry.pending
    assert entry.to_json()["pending"] == entry.pending
    world.qb.modify_as_user(listed, Name="Acme Tools Old")  # its name may now go to `other`
    session()
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id == other.id and listed != other.id
    assert world.qb.get(other.id).fields["Name"] == "Acme Tools"  # type: ignore[union-attr]
    assert desk.entries(["demo"]) == []
    closed = world.store.review.get(item_id)
    assert closed is not None and closed.status is ReviewStatus.RESOLVED
    assert world.sf.org.get("Account", sf.id)["QuickBooks_ID__c"] == other.id


@pytest.mark.parametrize("case", ["deleted", "an item"])
def test_review_bind_of_an_unlisted_id_quickbooks_refuses_leaves_the_item_open(
    world: World, session: Session, case: str
) -> None:
    sf, _listed, item_id = name_taken(world, session)
    if case == "deleted":
        record = world.qb.add_as_user("Customer", "Acme Old")
        world.qb.delete_as_user(record.id)
        expected = f"QuickBooks has no Customer {record.id}"
    else:
        record = world.qb.add_as_user("ItemService", "Acme Service")
        expected = f"{record.id} is a QuickBooks ItemService, not a Customer"
    desk = ReviewDesk(world.store, world.catalog, Alerts(), clock=world.clock, profile_of=desktop)
    desk.bind(item_id, record.id, "demo")
    session()
    assert world.store.bindings.by_sf("demo", sf) is None
    (entry,) = desk.entries(["demo"])
    assert entry.item.id == item_id and entry.item.status is ReviewStatus.OPEN
    assert f"bind to {record.id} asked on the review list, but {expected}" in entry.item.reason
    assert entry.pending is None and entry.evidence is Evidence.BINDING


def test_sfqb_bind_uses_the_review_rule_resolves_the_item_and_requeues(
    world: World, session: Session
) -> None:
    sf, listed, item_id = name_taken(world, session)
    desks = BindingDesk(world.store, world.catalog, Alerts(), clock=world.clock, profile_of=desktop)
    bound = desks.bind("demo", sf, QbRef(QbKind.CUSTOMER, listed))
    assert [r.item.id for r in bound.resolved] == [item_id]
    assert bound.queue is not None and bound.queue.status is QueueStatus.PENDING
    session()
    record = world.qb.get(listed)
    assert record is not None and record.fields["Phone"] == "(512) 555-0101"
    assert world.sf.org.get("Account", sf.id)["QuickBooks_ID__c"] == listed


def test_sfqb_bind_after_a_3120_rebinds_the_gone_record(world: World, session: Session) -> None:
    sf, gone = held_after_deletion(world, session)
    survivor = world.qb.add_as_user("Customer", "Survivor")
    desks = BindingDesk(world.store, world.catalog, Alerts(), clock=world.clock, profile_of=desktop)
    bound = desks.bind("demo", sf, QbRef(QbKind.CUSTOMER, survivor.id))
    assert bound.binding.qb.id == survivor.id != gone and len(bound.resolved) == 1
    session()
    assert open_items(world) == [] and any(
        line.startswith("updated") for line in log_lines(world, sf)
    )
    assert world.store.bindings.by_sf("demo", sf) is not None
    assert world.sf.org.get("Account", sf.id)["QuickBooks_ID__c"] == survivor.id
