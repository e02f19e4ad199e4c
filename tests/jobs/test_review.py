"""The review desk on items the real runner made: bind, re-create, ignore, rename - on both
targets (`target_world`), with each target's codes from `CODES`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector, SalesforceError
from sfqb.domain.bindings import BindingConflict
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.domain.status import System
from sfqb.jobs.gateway import SalesforceGateway
from sfqb.jobs.review import Evidence, RenameRefused, ReviewDesk, ReviewEntry, ReviewError
from sfqb.store import QueueStatus, ReviewStatus
from sfqb.sync.records import flow_of

from .worlds import CODES, TargetWorld, won_deal

World = TargetWorld


@pytest.fixture
def world(target_world: TargetWorld) -> TargetWorld:
    """Each test on QuickBooks Desktop and QuickBooks Online."""
    return target_world


NAME = "Acme Tools"
SF_PHONE = "(512) 555-0101"


class Alerts:
    """Records which alerts the desk resolved."""

    def __init__(self) -> None:
        self.resolved: list[tuple[str, str, str | None]] = []

    def resolve(self, company: str, kind: str, key: str | None = None) -> int:
        self.resolved.append((company, str(kind), key))
        return 1


def desk(world: World, alerts: Alerts | None = None) -> ReviewDesk:
    clock = world.clock  # type: ignore[attr-defined]
    profile = world.profile
    return ReviewDesk(
        world.store, world.catalog, alerts or Alerts(), clock=clock, profile_of=lambda _c: profile
    )


def gateway(world: World) -> SalesforceGateway:
    connector = SalesforceConnector(
        ExistingSession(world.sf.instance, world.sf.session_id),
        world.sf.requests_session(),
        world.catalog,
        clock=world.clock,  # type: ignore[attr-defined]
    )
    return SalesforceGateway(connector)


def account(world: World, name: str = NAME, phone: str = SF_PHONE) -> SfRef:
    return SfRef(SfObject.ACCOUNT, world.sf.org.create("Account", {"Name": name, "Phone": phone}))


def name_taken(world: World) -> tuple[SfRef, str, ReviewEntry]:
    """QuickBooks has a customer of the same name but another phone: 3100 (6240) to review."""
    existing = world.qb_add_as_user("customer", NAME, "(415) 555-0199")
    sf = account(world)
    world.cycle()
    (entry,) = desk(world).entries(["demo"])
    assert (entry.item.source_type, entry.item.source_id) == ("Account", sf.id)
    return sf, existing.id, entry


def customers_named(world: World, name: str) -> list[str]:
    return [c.id for c in world.qb_records("customer") if c.name == name]


def test_a_taken_name_lists_the_candidates_decoded(world: World) -> None:
    sf, qb_id, entry = name_taken(world)
    codes = CODES[world.target]
    assert entry.item.code == codes.duplicate_name and entry.status is not None
    assert entry.status.title == "The name already exists"
    assert entry.name == NAME and not entry.is_company
    assert entry.evidence is Evidence.CANDIDATES
    (candidate,) = entry.item.candidates
    assert candidate["qb_id"] == qb_id and candidate["matches_rule"] is False
    assert candidate["bound_to"] is None and candidate["phone"] == "(415) 555-0199"
    shown = entry.to_json()
    assert shown["code"] == f"{codes.system}:{codes.duplicate_name}"
    assert shown["record"] == f"Account/{sf.id}"
    assert shown["fix"] and shown["evidence_kind"] == "candidates"
    row = world.store.queue.get("demo", "account_to_customer", sf)
    assert row is not None and row.status is QueueStatus.REVIEW


def test_bind_makes_the_next_cycle_modify_that_record_without_a_duplicate(world: World) -> None:
    sf, qb_id, entry = name_taken(world)
    alerts = Alerts()
    done = desk(world, alerts).bind(entry.item.id, qb_id, "demo")
    assert done.item.status is ReviewStatus.RESOLVED
    assert done.queue is not None and done.queue.status is QueueStatus.PENDING
    assert alerts.resolved == [("demo", "record_needs_person", f"review:{entry.item.id}")]
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb == QbRef(QbKind.CUSTOMER, qb_id)
    report = world.cycle()
    assert report.synced["account_to_customer"] == 1
    assert customers_named(world, NAME) == [qb_id]
    customer = world.qb_record(QbRef(QbKind.CUSTOMER, qb_id))
    assert customer is not None and customer.phone == SF_PHONE
    assert world.sf.org.get("Account", sf.id)["QuickBooks_ID__c"] == qb_id
    assert desk(world).entries(["demo"]) == []


def test_binding_a_held_account_sends_the_deal_waiting_for_it_on_the_next_cycle(
    world: World,
) -> None:
    # The deal sleeps while its account is held (it is not planned again every cycle); the
    # person's binding, made outside any cycle, wakes it at the next cycle's start.
    sf, qb_id, entry = name_taken(world)
    deal = SfRef(SfObject.OPPORTUNITY, won_deal(world.sf.org, sf.id))
    world.cycle()
    row = world.store.queue.get("demo", flow_of(deal), deal)
    assert row is not None and row.status is QueueStatus.WAITING
    assert row.waits_for == sf
    desk(world).bind(entry.item.id, qb_id, "demo")
    world.cycle()
    bound = world.store.bindings.by_sf("demo", deal)
    assert bound is not None and world.qb_record(bound.qb) is not None


def test_bind_to_a_record_bound_elsewhere_is_a_conflict_naming_both(world: World) -> None:
    _sf, _qb, entry = name_taken(world)
    other = account(world, "Other Co", "(512) 555-0102")
    world.cycle()
    taken = world.store.bindings.by_sf("demo", other)
    assert taken is not None
    with pytest.raises(BindingConflict) as caught:
        desk(world).bind(entry.item.id, taken.qb.id, "demo")
    assert other.id in str(caught.value) and taken.qb.id in str(caught.value)
    still = world.store.review.get(entry.item.id)
    assert still is not None and still.status is ReviewStatus.OPEN


def test_recreate_after_a_deletion_adds_the_record_again(world: World) -> None:
    sf = account(world, "Gone Ltd", "(512) 555-0103")
    world.cycle()
    first = world.store.bindings.by_sf("demo", sf)
    assert first is not None
    world.qb_remove_as_user(first.qb)
    world.sf.org.update("Account", sf.id, {"Phone": "(512) 555-0104"})
    world.cycle()  # the default policy holds a deleted record for review
    (entry,) = desk(world).entries(["demo"])
    assert entry.item.code == CODES[world.target].record_gone
    assert entry.evidence is Evidence.DELETION
    done = desk(world).recreate(entry.item.id)
    assert "unbound it" in done.done and world.store.bindings.by_sf("demo", sf) is None
    report = world.cycle()
    assert report.synced["account_to_customer"] == 1
    again = world.store.bindings.by_sf("demo", sf)
    assert again is not None and again.qb.id != first.qb.id
    assert customers_named(world, "Gone Ltd") == [again.qb.id]


def test_ignore_stops_trying_until_salesforce_changes(world: World) -> None:
    sf, qb_id, entry = name_taken(world)
    done = desk(world).ignore(entry.item.id, "demo")
    assert done.item.status is ReviewStatus.IGNORED
    assert done.queue is not None and done.queue.status is QueueStatus.DONE
    report = world.cycle()
    assert not report.synced and desk(world).entries(["demo"]) == []
    assert customers_named(world, NAME) == [qb_id]
    world.sf.org.update("Account", sf.id, {"Phone": "(415) 555-0199"})  # now the rule holds
    report = world.cycle()
    assert report.synced["account_to_customer"] == 1
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id == qb_id


def test_rename_in_salesforce_resolves_the_item_and_adds_under_the_new_name(
    world: World,
) -> None:
    sf, qb_id, entry = name_taken(world)
    alerts = Alerts()
    closed, row = desk(world, alerts).rename("demo", sf, "Acme Tools (Austin)", gateway(world))
    assert [c.item.id for c in closed] == [entry.item.id]
    assert alerts.resolved == [("demo", "record_needs_person", f"review:{entry.item.id}")]
    assert world.sf.org.get("Account", sf.id)["Name"] == "Acme Tools (Austin)"
    assert row is not None and row.status is QueueStatus.PENDING
    report = world.cycle()
    assert report.synced["account_to_customer"] == 1
    binding = world.store.bindings.by_sf("demo", sf)
    assert binding is not None and binding.qb.id != qb_id
    assert customers_named(world, "Acme Tools (Austin)") == [binding.qb.id]
    assert customers_named(world, NAME) == [qb_id]


def test_rename_refused_by_salesforce_changes_nothing(world: World) -> None:
    sf, _qb, entry = name_taken(world)
    world.sf.org.delete("Account", sf.id)
    with pytest.raises((RenameRefused, SalesforceError)) as caught:
        desk(world).rename("demo", sf, "Acme Tools (Austin)", gateway(world))
    refused = caught.value
    assert isinstance(refused, RenameRefused | SalesforceError)
    status = refused.status
    assert status.system is System.SALESFORCE and status.known
    still = world.store.review.get(entry.item.id)
    assert still is not None and still.status is ReviewStatus.OPEN


def test_user_mistakes_are_review_errors(world: World) -> None:
    _sf, qb_id, entry = name_taken(world)
    block = world.store.review.hold(
        "demo", "company", "company", "ItemInventory:add", "Inventory is off",
        status=world.catalog.decode(System.QBXML, "3250", "Inventory is off"),
    )  # fmt: skip
    d = desk(world)
    opportunity = SfRef(SfObject.OPPORTUNITY, "006" + "0" * 15)
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: d.bind(999, qb_id), "no review item 999"),
        (lambda: d.bind(entry.item.id, qb_id, "acme"), "belongs to company 'demo'"),
        (lambda: d.bind(entry.item.id, "  "), "needs a QuickBooks"),
        (lambda: d.bind(block.id, qb_id), "company message"),
        (lambda: d.recreate(block.id), "only --ignore"),
        (lambda: d.rename("demo", opportunity, "x", gateway(world)), "only Accounts and Products"),
        (lambda: d.rename("demo", _sf, "  ", gateway(world)), "empty"),
    ]  # fmt: skip
    for call, text in cases:
        with pytest.raises(ReviewError, match=text):
            call()
    (company,) = [e for e in d.entries(["demo"]) if e.is_company]
    assert company.item.id == block.id and company.status is not None
    d.ignore(block.id)
    with pytest.raises(ReviewError, match="already ignored"):
        d.ignore(block.id)
