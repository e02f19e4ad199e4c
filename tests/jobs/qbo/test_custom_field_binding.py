"""The Salesforce Id in a QuickBooks Online custom field (the policy's binding_definition_id),
end to end against the QuickBooks Online sandbox.

Intuit, "Get started with the Custom Fields API" (developer.intuit.com/app/developer/qbo/docs/
workflows/create-custom-fields/get-started): a premium API, "currently not available in
sandbox"; values at include=enhancedAllCustomFields. "Develop using the Custom Fields API"
(.../develop-custom-fields): customers and vendors take CustomField[].DefinitionId.
"""

from __future__ import annotations

from typing import Any

from sfqb.domain.entities import SfObject
from sfqb.domain.policy import CompanyPolicy, MatchRule
from sfqb.sandbox.qbo import Answer
from sfqb.store import ReviewStatus

from .conftest import Qbo

DEFINITIONS = (("5", "Salesforce Id"),)


def _value(customer: dict[str, Any]) -> str | None:
    for field in customer.get("CustomField") or ():
        if field["DefinitionId"] == "5":
            return str(field["StringValue"])
    return None


def _company_holds(qbo: Qbo) -> list[Any]:
    items = qbo.world.store.review.items("demo", status=ReviewStatus.OPEN)
    return [i for i in items if i.source_type == "company"]


def test_with_the_premium_api_the_salesforce_id_is_in_the_custom_field(qbo_factory: Any) -> None:
    qbo: Qbo = qbo_factory(
        CompanyPolicy(binding_definition_id="5"),
        custom_fields_api=True,
        custom_field_definitions=DEFINITIONS,
    )
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    qbo.cycle()
    [customer] = qbo.sandbox.records("Customer")
    assert qbo.qb_id(SfObject.ACCOUNT, account) == customer["Id"]
    assert _value(customer) == account
    assert qbo.org.get("Account", account)["QuickBooks_ID__c"] == customer["Id"]
    # Every call asked for the custom field values.
    assert all(c.params.get("include") == "enhancedAllCustomFields" for c in qbo.sandbox.calls)

    qbo.org.update("Account", account, {"Phone": "(512) 555-0199"})
    qbo.cycle()
    [customer] = qbo.sandbox.records("Customer")
    assert customer["PrimaryPhone"]["FreeFormNumber"] == "(512) 555-0199"
    assert _value(customer) == account  # the update kept it
    assert not _company_holds(qbo)


def test_a_lost_create_is_confirmed_by_the_custom_field_not_added_again(qbo_factory: Any) -> None:
    # Match rule "never": a DisplayName look-up's candidate is bound only because it carries
    # this record's Salesforce Id (without the custom field it would wait on the review list).
    qbo: Qbo = qbo_factory(
        CompanyPolicy(binding_definition_id="5", match_rule=MatchRule.NEVER),
        custom_fields_api=True,
        custom_field_definitions=DEFINITIONS,
    )
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    api, lost = qbo.sandbox.api, []
    handle = api.handle

    def writes_lost(method: str, *args: Any) -> Any:
        answer = handle(method, *args)
        if method != "POST":
            return answer
        lost.append(True)  # QuickBooks created it; no reply to this write ever arrives
        return Answer(answer.status, answer.body, answer.content_type, lost=True)

    api.handle = writes_lost
    qbo.cycle()
    api.handle = handle
    qbo.sandbox.faults.clear()
    assert lost and len(qbo.sandbox.records("Customer")) == 1
    assert qbo.qb_id(SfObject.ACCOUNT, account) is None
    qbo.org.update("Account", account, {"Phone": "(512) 555-0199"})  # a new body, requestid
    for _ in range(3):
        qbo.cycle(wait=3600)
    [customer] = qbo.sandbox.records("Customer")
    assert qbo.qb_id(SfObject.ACCOUNT, account) == customer["Id"]
    assert _value(customer) == account
    assert [e for e in qbo.log() if e.action_taken == "bound the record an unanswered add created"]
    assert not qbo.reviews()


def test_on_without_the_premium_api_is_one_clear_message_and_nothing_is_lost(
    qbo_factory: Any,
) -> None:
    # As in Intuit's sandbox companies: no Custom Fields API.
    qbo: Qbo = qbo_factory(CompanyPolicy(binding_definition_id="5"))
    first = qbo.account("Acme Tools", Phone="(512) 555-0101")
    second = qbo.account("Bolt Supply", Phone="(512) 555-0102")
    qbo.cycle()
    assert qbo.sandbox.records("Customer") == []
    (hold,) = _company_holds(qbo)
    assert hold.code == "2010" and hold.source_id == "Customer:add"
    assert "Custom Fields API not available to this company" in hold.reason
    assert 'binding_definition_id to ""' in hold.reason
    assert not [r for r in qbo.reviews() if r.source_type != "company"]  # no per-record item
    lines = [e for e in qbo.log() if e.action_taken.startswith("reported once for the company")]
    assert len(lines) == 1 and lines[0].title == "Custom Fields API not available to this company"

    qbo.cycle()  # still refused: the probe is held again, reported no second time
    assert qbo.sandbox.records("Customer") == []
    assert len([e for e in qbo.log() if e.action_taken.startswith("reported once")]) == 1

    # The admin does what the message says: the option off; the held customers go.
    qbo.world.policy = CompanyPolicy()
    qbo.cycle()
    qbo.cycle()
    assert qbo.qb_id(SfObject.ACCOUNT, first) is not None
    assert qbo.qb_id(SfObject.ACCOUNT, second) is not None
    assert all("CustomField" not in c for c in qbo.sandbox.records("Customer"))
    assert not _company_holds(qbo)


def test_on_with_a_definition_the_company_lacks_names_that_and_waits_for_the_fix(
    qbo_factory: Any,
) -> None:
    qbo: Qbo = qbo_factory(
        CompanyPolicy(binding_definition_id="7"),
        custom_fields_api=True,
        custom_field_definitions=DEFINITIONS,
    )
    account = qbo.account("Acme Tools", Phone="(512) 555-0101")
    qbo.cycle()
    (hold,) = _company_holds(qbo)
    assert "No such QuickBooks Online custom field" in hold.reason
    assert qbo.sandbox.records("Customer") == []
    qbo.sandbox.custom_fields_api(True, {"5": "Salesforce Id", "7": "SF Account"})
    qbo.cycle()
    qbo.cycle()
    [customer] = qbo.sandbox.records("Customer")
    assert qbo.qb_id(SfObject.ACCOUNT, account) == customer["Id"]
    assert customer["CustomField"][0]["DefinitionId"] == "7"
