"""The review list's actions as the console and the CLI call them, on items the real runner
made: who and when, the outcome after the next cycle, assignment, and a corrected value that
reaches QuickBooks for that one record only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest
from lxml import etree
from tests.jobs.conftest import World
from tests.jobs.test_review import gateway

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.policy import AlertSettings, CompanyPolicy
from sfqb.jobs.alerts import AlertCenter, AlertMessage
from sfqb.jobs.review import ReviewError
from sfqb.mapping import Mapper, load_flows
from sfqb.services.review import ItemNotFound, ReviewService, ReviewTab
from sfqb.services.targets import profile_of
from sfqb.store import SFQB, QueueStatus, ReviewStatus

NAME = "Acme Tools"
BAD_PHONE = "555 0101 #44"  # the value the QuickBooks sandbox is told to refuse
GOOD_PHONE = "(512) 555-0101"


@dataclass
class Mailbox:
    """A notifier that keeps what it was asked to send."""

    sent: list[AlertMessage] = field(default_factory=list)
    name: str = "email"

    def send(self, message: AlertMessage) -> None:
        self.sent.append(message)


def service(world: World, mailbox: Mailbox | None = None) -> ReviewService:
    box = mailbox or Mailbox()
    alerts = AlertCenter(world.store, lambda s: [box] if s.email_to else [], world.clock)
    policy = CompanyPolicy()
    return ReviewService(
        world.store, world.catalog, alerts, lambda _c: policy,
        lambda _c: Mapper(load_flows(), policy), lambda _c: gateway(world), clock=world.clock,
        profile_of=profile_of(world.store),
    )  # fmt: skip


def name_taken(world: World) -> tuple[SfRef, str, int]:
    """QuickBooks has a customer of the same name, another phone: a 3100 item to review."""
    existing = world.qb.add_as_user("Customer", NAME, Phone="(415) 555-0199")
    sf = SfRef(SfObject.ACCOUNT, world.sf.org.create("Account", {"Name": NAME, "Phone": "1"}))
    world.cycle()
    (item,) = world.store.review.items("demo")
    return sf, existing.id, item.id


def refuse_phone(request: etree._Element) -> int | None:
    """QuickBooks refuses a Customer whose phone is BAD_PHONE: 3210 (Invalid field value)."""
    phones = request.xpath(".//Phone/text()")
    return 3210 if BAD_PHONE in phones else None


def test_bind_is_recorded_with_who_and_when_and_shown_under_resolved(world: World) -> None:
    sf, qb_id, item_id = name_taken(world)
    desk = service(world)
    assert [v.item.id for v in desk.listing("demo")] == [item_id]
    assert "bind" in desk.detail("demo", item_id).actions

    done = desk.bind("demo", item_id, qb_id, "ada")

    assert done.view.item.status is ReviewStatus.RESOLVED
    assert done.view.item.resolved_by == "ada"
    assert done.view.closed_by == "ada"
    (action,) = done.view.history
    assert (action.action, action.by) == ("bind", "ada")
    assert isinstance(action.at, datetime)
    assert desk.listing("demo", ReviewTab.OPEN) == []
    assert [v.item.id for v in desk.listing("demo", ReviewTab.RESOLVED)] == [item_id]
    assert done.view.outcome == "bound; waits for the next cycle"

    world.cycle()
    outcome = desk.detail("demo", item_id).outcome
    assert outcome is not None and outcome.startswith("bound; the record went through at ")
    assert world.store.bindings.by_sf("demo", sf) is not None


def test_an_item_of_another_company_is_not_found(world: World) -> None:
    _sf, qb_id, item_id = name_taken(world)
    desk = service(world)
    with pytest.raises(ItemNotFound):
        desk.detail("other", item_id)
    with pytest.raises(ItemNotFound):
        desk.bind("other", item_id, qb_id, "ada")
    assert world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_an_action_needs_a_name(world: World) -> None:
    _sf, _qb_id, item_id = name_taken(world)
    with pytest.raises(ReviewError, match="name of the person"):
        service(world).ignore("demo", item_id, "  ")
    assert world.store.review.get(item_id).status is ReviewStatus.OPEN  # type: ignore[union-attr]


def test_assign_tells_the_assignee_by_email_once(world: World) -> None:
    _sf, _qb_id, item_id = name_taken(world)
    box = Mailbox()
    desk = service(world, box)

    with pytest.raises(ReviewError, match="not a user"):
        desk.assign("demo", item_id, "mallory", "ada", people={"bob", "ada"})
    with pytest.raises(ReviewError, match="not an e-mail address"):
        desk.assign("demo", item_id, "bob", "ada", email="bob at example")
    done = desk.assign("demo", item_id, "bob", "ada", email="bob@example.com", people={"bob"})

    assert done.view.item.assigned_to == "bob"
    assert "told bob by e-mail at bob@example.com" in done.done
    (mail,) = box.sent
    assert mail.recipients == ("bob@example.com",)
    assert f"review item {item_id}" in mail.body and "ada assigned you" in mail.body
    desk.assign("demo", item_id, "bob", "ada", email="bob@example.com")
    assert len(box.sent) == 1  # the same assignment is not mailed twice
    assert [a.action for a in desk.detail("demo", item_id).history] == ["assign", "assign"]


def test_assign_without_smtp_says_the_mail_was_not_sent(world: World) -> None:
    _sf, _qb_id, item_id = name_taken(world)
    desk = service(world)
    policy = CompanyPolicy(alerts=AlertSettings())
    from sfqb.jobs.alerts import AlertChannels

    alerts = AlertCenter(world.store, AlertChannels(None), world.clock)
    desk = ReviewService(
        world.store, world.catalog, alerts, lambda _c: policy,
        lambda _c: Mapper(load_flows(), policy), lambda _c: pytest.fail("no Salesforce"),
        clock=world.clock, profile_of=profile_of(world.store),
    )  # fmt: skip
    done = desk.assign("demo", item_id, "bob", "ada", email="bob@example.com")
    assert "was not sent" in done.done and "SFQB_SMTP_HOST" in done.done


def test_retry_now_makes_the_item_s_record_due_and_sfqb_resolves_it_when_it_goes_through(
    world: World,
) -> None:
    sf, _qb_id, item_id = name_taken(world)
    desk = service(world)
    world.qb.modify_as_user(_qb_id, Name="Acme Tools (old)")  # the clash goes away

    done = desk.retry("demo", item_id, "ada")
    assert done.view.item.status is ReviewStatus.OPEN
    assert done.view.outcome == "retried; waits for the next cycle"
    row = world.store.queue.get("demo", done.view.item.flow, sf)
    assert row is not None and row.status is QueueStatus.PENDING

    world.cycle()
    view = desk.detail("demo", item_id)
    assert view.item.status is ReviewStatus.RESOLVED and view.item.resolved_by == SFQB
    assert view.closed_by == "sfqb: the record went through"
    assert view.outcome is not None and view.outcome.startswith("retried; the record went through")
    assert [v.item.id for v in desk.listing("demo", ReviewTab.RESOLVED)] == [item_id]


def test_a_retry_that_fails_again_shows_the_new_failure(world: World) -> None:
    _sf, _qb_id, item_id = name_taken(world)
    desk = service(world)
    desk.retry("demo", item_id, "ada")
    world.cycle()
    outcome = desk.detail("demo", item_id).outcome
    assert outcome is not None and outcome.startswith("retried; failed again at ")
    assert "qbxml 3100" in outcome


def refused(world: World) -> SfRef:
    """An Account QuickBooks refuses for its phone (3210): held, failed, not on the list."""
    world.qb.faults.before("CustomerAdd", refuse_phone)
    org = world.sf.org
    bad = SfRef(SfObject.ACCOUNT, org.create("Account", {"Name": NAME, "Phone": BAD_PHONE}))
    world.cycle()
    assert world.store.review.items("demo") == []
    return bad


def test_a_corrected_value_reaches_quickbooks_for_that_record_only(world: World) -> None:
    bad = refused(world)
    desk = service(world)
    (held,) = desk.held("demo")
    assert held.sf == bad and held.status is not None and held.status.code == "3210"
    assert "Phone" in held.correctable

    with pytest.raises(ReviewError, match="not a field sfqb writes"):
        desk.correct_record("demo", bad, "Shoe size", "44", "ada")
    done = desk.correct_record("demo", bad, "Phone", GOOD_PHONE, "ada")
    assert done.startswith('Phone set to "(512) 555-0101" for this record')
    held = desk.held_record("demo", bad)
    assert [(a.action, a.by) for a in held.history] == [("correct", "ada")]
    (override,) = held.overrides
    assert (override.field, override.value, override.set_by) == ("Phone", GOOD_PHONE, "ada")
    assert held.row.status is QueueStatus.PENDING

    other = SfRef(SfObject.ACCOUNT, world.sf.org.create("Account", {"Name": "Other", "Phone": "7"}))
    _report, ops = world.recorded_cycle()
    adds = {op.sf: dict(op.fields) for op in ops if op.action.value == "add" and op.sf}
    assert adds[bad]["Phone"] == GOOD_PHONE
    assert adds[other]["Phone"] == "7"
    assert world.sf.org.get("Account", bad.id)["Phone"] == BAD_PHONE  # Salesforce is not edited
    held = desk.held_record("demo", bad)
    assert held.outcome is not None and held.outcome.startswith(
        "value corrected; the record went through at "
    )
    assert desk.held("demo") == []


def test_retry_of_a_held_record_that_fails_again_shows_the_failure(world: World) -> None:
    bad = refused(world)
    desk = service(world)
    assert "tries Salesforce" in desk.retry_record("demo", bad, "ada")
    world.cycle()
    (held,) = desk.held("demo")
    assert held.outcome is not None and "failed again" in held.outcome and "3210" in held.outcome


def test_correct_refuses_an_item_that_did_not_fail_on_its_data(world: World) -> None:
    _sf, _qb_id, item_id = name_taken(world)
    with pytest.raises(ReviewError, match="did not fail on the record's data"):
        service(world).correct("demo", item_id, "Phone", "1", "ada")
    assert world.store.review_actions.of_item(item_id) == []


def test_rename_is_recorded_and_the_record_goes_through_under_the_new_name(world: World) -> None:
    sf, _qb_id, item_id = name_taken(world)
    desk = service(world)
    done = desk.rename("demo", item_id, "Acme Tools (Austin)", "ada")
    assert done.view.item.resolved_by == "ada"
    assert [(a.action, a.by) for a in done.view.history] == [("rename", "ada")]
    assert world.sf.org.get("Account", sf.id)["Name"] == "Acme Tools (Austin)"
    world.cycle()
    outcome = desk.detail("demo", item_id).outcome
    assert outcome is not None and outcome.startswith(
        "created under another name; the record went through at "
    )
