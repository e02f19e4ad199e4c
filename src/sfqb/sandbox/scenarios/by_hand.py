"""The seed-codes scenario's by-hand situations: what people do in QuickBooks and Salesforce.

Each `ByHand` stages one account (and, with `deal_first`, a won deal whose invoice QuickBooks
holds before anyone acts, so the customer has QuickBooks-side history), then changes things
after the first pass bound it, and may react between later sessions to what sfqb reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sfqb.domain.entities import SfObject
from sfqb.sandbox.scenarios.office import Office

# A product the by-hand deals share; added in the first pass, before inventory is turned off.
DELIVERY = ("Delivery, Local", "DEL-LOC", 40.0)
RETIRED = ("Catalog, 2025 edition", "CAT-2025", 12.0)  # made inactive in Salesforce later


@dataclass(frozen=True, slots=True)
class ByHand:
    """One situation where people act in the systems themselves."""

    role: str  # the situation's key in the office, and its row's `role` in the data file
    account: tuple[str, str]  # the Account it stages: name, phone
    stage: Callable[[Office], None]  # after the first pass bound the account
    react: Callable[[Office], bool] = lambda _office: False  # between sessions; True if acted
    deal_first: bool = False  # a won deal in the first pass: an invoice in QuickBooks


# -- 3120 fixed by hand: QuickBooks_ID__c cleared in Salesforce ------------------------------


def _delete_with_history(office: Office) -> None:
    role = "3120-by-hand"
    (opp,) = [i for i in office.records[role] if i != office.accounts[role]]
    office.qb.delete_as_user(office.bound(role, SfObject.OPPORTUNITY, opp))
    office.qb.delete_as_user(office.bound(role))
    office.org.update("Account", office.accounts[role], {"Phone": "(512) 555-0208"})
    office.say("a QuickBooks user deleted 'Old Mill Bakery' and its March invoice; in Salesforce "
               "its phone changed")  # fmt: skip


def _clear_the_id(office: Office) -> bool:
    role = "3120-by-hand"
    if office.open_review(role, "3120") is None or not office.once(role):
        return False
    sam = office.person("Sam Rivera")
    office.org.update("Account", office.accounts[role], {"QuickBooks_ID__c": None}, by=sam)
    office.say(f"the Salesforce user Sam Rivera ({sam}) read the review item and did what the "
               "article says: cleared QuickBooks_ID__c on 'Old Mill Bakery'")  # fmt: skip
    return True


# -- a merge in QuickBooks -------------------------------------------------------------------


def _merge_into_a_duplicate(office: Office) -> None:
    role = "merge"
    kept = office.qb.add_as_user("Customer", "Fabrikam Fixtures Inc.", Phone="(512) 555-0210")
    office.customers[role] = kept.id
    office.qb.merge_as_user(office.bound(role), kept.id)
    office.org.update("Account", office.accounts[role], {"Phone": "(512) 555-0209"})
    office.say("a QuickBooks user typed in 'Fabrikam Fixtures Inc.', saw it duplicated "
               "'Fabrikam Fixtures' and merged sfqb's customer into it; in Salesforce its phone "
               "changed")  # fmt: skip


# -- inactive records --------------------------------------------------------------------------


def _made_inactive(office: Office) -> None:
    role = "inactive"
    office.qb.modify_as_user(office.bound(role), IsActive="false")
    office.deal(role, [office.entries[DELIVERY[1]]])
    office.org.update("Product2", office.products[RETIRED[1]], {"IsActive": False})
    office.say("a QuickBooks user made 'Tailspin Toys' inactive (no orders last year), then a "
               "new Closed Won deal for it arrived; in Salesforce the product 'Catalog, 2025 "
               "edition' was made inactive")  # fmt: skip


# The by-hand situations, in the order they are staged. One more is one entry here and a row
# with its role in data/seed_codes.yaml. The next one planned (the lead adds it): an Id pasted
# into the SalesforceID field in QuickBooks after a 3100 -- an account whose customer a
# QuickBooks user typed in under another phone (its 3100 goes to review), and a `react` that,
# once that item is open, has the QuickBooks user paste the Account's Id into the customer's
# SalesforceID field (office.qb.modify_as_user) and touches the Account so a session reads it.
BY_HAND: tuple[ByHand, ...] = (
    ByHand("3120-by-hand", ("Old Mill Bakery", "(512) 555-0108"), _delete_with_history,
           _clear_the_id, deal_first=True),
    ByHand("merge", ("Fabrikam Fixtures", "(512) 555-0109"), _merge_into_a_duplicate,
           deal_first=True),
    ByHand("inactive", ("Tailspin Toys", "(512) 555-0110"), _made_inactive),
)  # fmt: skip


def stage_first(office: Office) -> None:
    """Before the first session: the accounts, the shared products and the first deals."""
    for situation in BY_HAND:
        office.account(situation.role, *situation.account)
    office.product(*DELIVERY)
    office.product(*RETIRED, role="inactive")
    for situation in BY_HAND:
        if situation.deal_first:
            office.deal(situation.role, [office.entries[DELIVERY[1]]])


def stage_second(office: Office) -> None:
    """After the first pass: what people change in either system."""
    for situation in BY_HAND:
        situation.stage(office)


def react(office: Office) -> bool:
    """Between sessions: True when someone acted on what sfqb reported."""
    return any([situation.react(office) for situation in BY_HAND])
