"""The seed-codes scenario's staging: the seed article's situations, then the by-hand ones.

The first pass is staged before any session (the accounts, what a QuickBooks user had already
typed in, the connector down); the second after sfqb bound the accounts (deletions, an open
window, preferences off, Salesforce changes). Between later sessions the people at the company
react to what sfqb told them (`user_reacts`), as they would in an office.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from sfqb.sandbox.demo import COMPANY
from sfqb.sandbox.qbd import CompanyFile
from sfqb.sandbox.scenarios import by_hand
from sfqb.sandbox.scenarios.office import Office
from sfqb.store import ReviewStatus

# role: (account name, phone); the roles name the situation each account stages.
ACCOUNTS: dict[str, tuple[str, str]] = {
    "3100-same": ("Harbor Lights Cafe", "(512) 555-0101"),
    "3120": ("Delete Me Deli", "(512) 555-0103"),
    "3140": ("Gone Parent Garage", "(512) 555-0104"),
    "3170": ("Locked Ledger LLC", "(512) 555-0105"),
    "3200": ("Stale Sequence Supply", "(512) 555-0106"),
    "plain": ("Contoso Outfitters", "(512) 555-0107"),
}
PRODUCTS = (("Widget, Standard", "WID-STD", 25.0), ("Installation: On-site", "SVC-INST", 150.0))


def stage_first_pass(office: Office) -> None:
    """Before the first session: the accounts, and the names QuickBooks already has."""
    qb, say = office.qb, office.say
    for role, (name, phone) in ACCOUNTS.items():
        office.account(role, name, phone)
    same = qb.add_as_user("Customer", ACCOUNTS["3100-same"][0], Phone=ACCOUNTS["3100-same"][1])
    office.customers["3100-same"] = same.id
    say("a QuickBooks user had already typed in 'Harbor Lights Cafe' (same phone)")
    by_hand.stage_first(office)
    say("in Salesforce: four more accounts, two with a Closed Won deal, and two products")
    qb.faults.connector_down_next(1)
    say("QuickBooks cannot be started for the next Web Connector session (0x80040408)")


def stage_second_pass(office: Office) -> None:
    """After the first pass bound the accounts: what changes in either system."""
    org, qb, say = office.org, office.qb, office.say
    for role in ("3120", "3140", "3170", "3200"):
        office.customers[role] = office.bound(role)
    for role in ("3120", "3140"):
        qb.delete_as_user(office.customers[role])
    say("a QuickBooks user deleted 'Delete Me Deli' and 'Gone Parent Garage'")
    qb.open_record_by_user(office.customers["3170"])
    say("a QuickBooks user opened 'Locked Ledger LLC' for editing and left the window open")
    qb.faults.before("CustomerMod", _edits_between(qb, office.customers["3200"], say))
    for role, phone in (("3120", "(512) 555-0203"), ("3170", "(512) 555-0205"),
                        ("3200", "(512) 555-0206")):  # fmt: skip
        org.update("Account", office.accounts[role], {"Phone": phone})
    entries = [office.product(*spec) for spec in PRODUCTS]
    for role in ("3140", "plain", "3100-same"):
        office.deal(role, entries)
    say("in Salesforce: three accounts' phones changed; two products and three Closed Won "
        "deals added (one for 'Gone Parent Garage')")  # fmt: skip
    by_hand.stage_second(office)
    qb.configure(inventory=False, denied={"Invoice": ["Add"]})
    qb.faults.before("ItemServiceAdd", _needs_inventory(qb))
    say("inventory is off in QuickBooks, and the integration user may not add invoices")


def _edits_between(
    qb: CompanyFile, list_id: str, say: Callable[[str], None]
) -> Callable[[etree._Element], int | None]:
    """A QuickBooks user saves the customer just before sfqb's update of it arrives (once)."""

    def hook(request: etree._Element) -> int | None:
        if request.findtext("CustomerMod/ListID") == list_id:
            qb.faults.remove_hook("CustomerMod", hook)
            qb.modify_as_user(list_id, Notes="Called about the March order")
            say("a QuickBooks user saved a note on 'Stale Sequence Supply' just before sfqb's "
                "update arrived")  # fmt: skip
        return None

    return hook


def _needs_inventory(qb: CompanyFile) -> Callable[[etree._Element], int | None]:
    """Products mapped to inventory items need the inventory preference (see the data file)."""
    return lambda _request: None if qb.settings.inventory else 3250


def user_reacts(office: Office) -> bool:
    """What the people at the company do after reading sfqb's messages; True when they acted."""
    qb, store, say = office.qb, office.world.store, office.say
    acted = False
    if store.journal.log(COMPANY, code="3170", limit=1) and office.once("3170"):
        qb.close_record_by_user(office.customers["3170"])
        say("the QuickBooks user closed 'Locked Ledger LLC'")
        acted = True
    blocks = {
        item.code
        for item in store.review.items(COMPANY, ReviewStatus.OPEN)
        if item.source_type == "company"
    }
    if "3250" in blocks and office.once("3250"):
        qb.configure(inventory=True)
        say("the QuickBooks Admin read sfqb's message and turned inventory on")
        acted = True
    if "3260" in blocks and office.once("3260"):
        qb.configure(denied={})
        say("the QuickBooks Admin gave the integration user the right to add invoices")
        acted = True
    return by_hand.react(office) or acted
