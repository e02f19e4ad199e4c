"""The account reads carry the primary contact: contact and role changes re-read their account
in bounded queries, by the company's rule, against the Salesforce sandbox over HTTPS."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote_plus

from tests.jobs.conftest import CATALOG, World

from sfqb.connectors.salesforce import ExistingSession, SalesforceConnector, SfContact
from sfqb.connectors.salesforce.payloads import changes_query
from sfqb.domain.contacts import PrimaryContactRule
from sfqb.jobs.gateway import PRIMARY_CONTACT, SalesforceGateway

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _gateway(world: World, rule: str) -> SalesforceGateway:
    contacts = PrimaryContactRule.parse(rule)
    connector = SalesforceConnector(
        ExistingSession(world.sf.instance, world.sf.session_id),
        world.sf.requests_session(),
        CATALOG,
        clock=world.clock,
        extra_fields={"Contact": contacts.contact_fields},
    )
    return SalesforceGateway(connector, contacts)


def test_a_contact_changed_alone_re_reads_its_account_with_the_new_primary(world: World) -> None:
    org = world.sf.org
    other = org.create("Account", {"Name": "Quiet Co"})
    world.clock.advance(60)  # out of the next read's overlap window
    account = org.create("Account", {"Name": "Harbor Group"})
    ann = org.create("Contact", {"AccountId": account, "FirstName": "Ann", "LastName": "Lee"})
    org.create("Contact", {"AccountId": account, "FirstName": "Bob", "LastName": "Ray"})
    org.create("AccountContactRole", {"AccountId": account, "ContactId": ann, "IsPrimary": True})
    gateway = _gateway(world, "role")
    assert gateway.streams("Account") == ("Account", "Contact", "AccountContactRole")
    since = dict.fromkeys(gateway.streams("Account"), EPOCH)
    payloads, highs = gateway.read("Account", since)
    first = {p["Id"]: p[PRIMARY_CONTACT] for p in payloads}
    assert first[account] is not None and first[account]["FirstName"] == "Ann"
    assert first[other] is None

    world.clock.advance(5)
    org.update("Contact", ann, {"Email": "ann@harbor.example"})
    world.sf.clear_calls()
    payloads, later = gateway.read("Account", highs)
    assert [p["Id"] for p in payloads] == [account]  # only the account whose contact changed
    assert payloads[0][PRIMARY_CONTACT]["Email"] == "ann@harbor.example"
    assert later["Contact"] > highs["Contact"] and later["Account"] == highs["Account"]
    queries = [unquote_plus(c.query) for c in world.sf.calls if "/query" in c.path]
    # Every query is bounded: changes since a checkpoint, or records by Id.
    assert len(queries) == 5
    assert all(" WHERE SystemModstamp > " in q or " IN ('" in q for q in queries), queries


def test_a_checkbox_rule_and_the_latest_rule(world: World) -> None:
    org = world.sf.org
    account = org.create("Account", {"Name": "Harbor Group"})
    org.create("Contact", {"AccountId": account, "LastName": "Lee", "Primary__c": True})
    world.clock.advance(5)
    org.create("Contact", {"AccountId": account, "LastName": "Ray"})
    since = {s: EPOCH for s in ("Account", "Contact", "AccountContactRole")}
    (ticked,), _ = _gateway(world, "checkbox:Primary__c").read("Account", since)
    assert ticked[PRIMARY_CONTACT]["LastName"] == "Lee"
    (latest,) = _gateway(world, "latest").read_ids("Account", [account])
    assert latest[PRIMARY_CONTACT]["LastName"] == "Ray"


def test_a_read_from_a_checkpoint_brings_back_none_of_its_seconds_earlier_records(
    world: World,
) -> None:
    # A bulk load saves many contacts within one second; the checkpoint is the last one's
    # SystemModstamp, to the millisecond. The change query's literal keeps the milliseconds, so
    # Salesforce sends none of that second's records again (to the second, every quiet cycle
    # paged through the whole burst: 4 query pages at 16x in the benchmark).
    org, account = world.sf.org, world.sf.org.create("Account", {"Name": "Harbor Group"})
    for number in range(3):  # 250 ms apart on the world's clock: one second
        org.create("Contact", {"AccountId": account, "LastName": f"Lee {number}"})
    last = max(r["SystemModstamp"] for r in org.records("Contact"))
    assert last.microsecond  # within its second
    found = world.sf.client().query(changes_query(SfContact, last))
    assert found["totalSize"] == 0
    earlier = world.sf.client().query(changes_query(SfContact, last.replace(microsecond=0)))
    assert earlier["totalSize"] == 3
