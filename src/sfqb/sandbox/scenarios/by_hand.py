"""The seed-codes scenario's by-hand situations: what people do in QuickBooks and Salesforce.

Each `ByHand` stages one account (with what QuickBooks already had, `before`, and, with
`deal_first`, a won deal whose invoice QuickBooks holds before anyone acts, so the customer has
QuickBooks-side history), then changes things after the first pass bound it (`stage`), and may
react between later sessions to what sfqb reported (`react`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sfqb.domain.entities import Role, SfObject, SfRef
from sfqb.sandbox.demo import COMPANY
from sfqb.sandbox.scenarios.office import Office

# A product the by-hand deals share; added in the first pass, before inventory is turned off.
DELIVERY = ("Delivery, Local", "DEL-LOC", 40.0)
RETIRED = ("Catalog, 2025 edition", "CAT-2025", 12.0)  # made inactive in Salesforce later


def _nothing(_office: Office) -> None:
    return None


@dataclass(frozen=True, slots=True)
class ByHand:
    """One situation where people act in the systems themselves."""

    role: str  # the situation's key in the office, and its row's `role` in the data file
    account: tuple[str, str]  # the Account it stages: name, phone
    stage: Callable[[Office], None] = _nothing  # after the first pass bound the account
    react: Callable[[Office], bool] = lambda _office: False  # between sessions; True if acted
    before: Callable[[Office], None] = _nothing  # before any session: what QuickBooks had
    deal_first: bool = False  # a won deal in the first pass: an invoice in QuickBooks


# -- 3100 fixed by hand: the Salesforce Id pasted into the SalesforceID field in QuickBooks --


def _typed_in_with_another_phone(office: Office) -> None:
    role = "3100-by-hand"
    name = office.org.get("Account", office.accounts[role])["Name"]
    typed = office.qb.add_as_user(
        "Customer", name, Phone="(737) 555-0199", Email="ap@northwind.example"
    )
    office.customers[role] = typed.id
    office.say(f"a QuickBooks user had already typed in '{name}' (another phone and e-mail)")


def _paste_the_id(office: Office) -> bool:
    role = "3100-by-hand"
    if office.open_review(role, "3100") is None or not office.once(role):
        return False
    # Copied from the Account's URL in Salesforce: the 15-character, case-sensitive form.
    pasted = office.accounts[role][:15]
    name = office.org.get("Account", office.accounts[role])["Name"]
    office.qb.set_custom_field_as_user(office.customers[role], "SalesforceID", pasted)
    office.say(f"the bookkeeper read the review item and did what the article says: opened "
               f"'{name}' in QuickBooks and pasted the Account's Id, as copied from its "
               f"Salesforce URL ({pasted}), into the SalesforceID field")  # fmt: skip
    return True


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


def _typed_in_under_another_name(office: Office) -> None:
    kept = office.qb.add_as_user("Customer", "Fabrikam Fixtures Inc.", Phone="(512) 555-0210")
    office.customers["merge"] = kept.id
    office.say("a QuickBooks user had typed in 'Fabrikam Fixtures Inc.' for a walk-in order")


def _merge_into_a_duplicate(office: Office) -> None:
    role = "merge"
    office.qb.merge_as_user(office.bound(role), office.customers[role])
    office.org.update("Account", office.accounts[role], {"Phone": "(512) 555-0209"})
    office.say("a QuickBooks user saw that sfqb's 'Fabrikam Fixtures' duplicated their "
               "'Fabrikam Fixtures Inc.' and merged sfqb's customer into it; in Salesforce its "
               "phone changed")  # fmt: skip


# -- inactive records --------------------------------------------------------------------------


def _made_inactive(office: Office) -> None:
    role = "inactive"
    office.qb.modify_as_user(office.bound(role), IsActive="false")
    office.deal(role, [office.entries[DELIVERY[1]]])
    office.org.update("Product2", office.products[RETIRED[1]], {"IsActive": False})
    office.say("a QuickBooks user made 'Tailspin Toys' inactive (no orders last year), then a "
               "new Closed Won deal for it arrived; in Salesforce the product 'Catalog, 2025 "
               "edition' was made inactive")  # fmt: skip


# -- a supplier that later buys from us: the shared name space (3100) ------------------------


def _a_supplier(office: Office) -> None:
    role = "customer-and-vendor"
    office.org.update("Account", office.accounts[role], {"Type": "Vendor"})
    office.say("in Salesforce 'Contoso Supply' is a supplier (Type = Vendor): the first pass "
               "makes it a QuickBooks vendor under its own name")  # fmt: skip


def _buys_from_us(office: Office) -> None:
    role = "customer-and-vendor"
    office.deal(role, [office.entries[DELIVERY[1]]])
    office.say("a Closed Won deal for 'Contoso Supply' arrived: the supplier is a customer now, "
               "and QuickBooks keeps customers and vendors in one list of names")  # fmt: skip


def _rename_the_vendor(office: Office) -> bool:
    role = "customer-and-vendor"
    item = office.open_review(role, "3100")
    if item is None or not office.once(role):
        return False
    store, account = office.world.store, office.accounts[role]
    vendor = store.bindings.by_sf(COMPANY, SfRef(SfObject.ACCOUNT, account, Role.VENDOR))
    if vendor is None:
        raise RuntimeError("the first pass did not bind Contoso Supply as a vendor")
    # As bookkeepers do (Intuit's "Duplicate name" help: the name "must be listed
    # differently"): the vendor takes the second name, then the customer goes through.
    office.qb.modify_as_user(vendor.qb.id, Name="Contoso Supply (V)")
    row = store.queue.get(COMPANY, item.flow, SfRef(SfObject.ACCOUNT, account))
    if row is not None:
        store.queue.retry(COMPANY, office.org.now(), [row.id])
        store.review_actions.record(
            item.id, COMPANY, item.flow, ("Account", account), "retry", "bookkeeper",
            "renamed the vendor in QuickBooks; the next cycle tries the customer again",
            now=office.org.now(),
        )  # fmt: skip
    office.say("the bookkeeper read the review item and renamed the vendor 'Contoso Supply (V)' "
               "in QuickBooks, then pressed Retry")  # fmt: skip
    return True


# The by-hand situations, in the order they are staged. One more is one entry here and a row
# with its role in data/seed_codes.yaml.
BY_HAND: tuple[ByHand, ...] = (
    ByHand("3100-by-hand", ("Northwind Traders", "(512) 555-0102"),
           before=_typed_in_with_another_phone, react=_paste_the_id),
    ByHand("3120-by-hand", ("Old Mill Bakery", "(512) 555-0108"), stage=_delete_with_history,
           react=_clear_the_id, deal_first=True),
    ByHand("merge", ("Fabrikam Fixtures", "(512) 555-0109"), stage=_merge_into_a_duplicate,
           before=_typed_in_under_another_name, deal_first=True),
    ByHand("inactive", ("Tailspin Toys", "(512) 555-0110"), stage=_made_inactive),
    ByHand("customer-and-vendor", ("Contoso Supply", "(512) 555-0111"), before=_a_supplier,
           stage=_buys_from_us, react=_rename_the_vendor),
)  # fmt: skip


def stage_first(office: Office) -> None:
    """Before the first session: the accounts, the shared products and the first deals."""
    for situation in BY_HAND:
        office.account(situation.role, *situation.account)
        situation.before(office)
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
