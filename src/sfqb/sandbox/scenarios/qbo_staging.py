"""The seed-codes scenario on QuickBooks Online: the QuickBooks Online counterpart of each of the
seed article's situations, staged in the Salesforce and QuickBooks Online sandboxes.

The first pass is staged before any cycle (the accounts, the names a QuickBooks Online user had
already typed in, QuickBooks Online out of reach); the second after sfqb bound the accounts
(deletions, which QuickBooks Online makes inactivations, a merge, people saving records while
sfqb writes them, an inventory product while the company tracks no inventory, the connection
revoked). Between cycles the people react (`react`).
"""

from __future__ import annotations

from collections.abc import Callable

from sfqb.domain.entities import SfObject
from sfqb.sandbox.demo import COMPANY
from sfqb.sandbox.scenarios.office import Office
from sfqb.store import ReviewStatus

# role: the accounts it stages (name, phone); the roles name the rows of seed_codes_qbo.yaml.
ACCOUNTS: dict[str, tuple[tuple[str, str], ...]] = {
    "6240": (("Harbor Lights Cafe", "(512) 555-0101"), ("Northwind Traders", "(512) 555-0102")),
    "inactive": (("Delete Me Deli", "(512) 555-0103"),),
    "2500": (("Gone Parent Garage", "(512) 555-0104"),),
    "in-use": (("Locked Ledger LLC", "(512) 555-0105"),),
    "5010": (("Stale Sequence Supply", "(512) 555-0106"),),
    "plain": (("Contoso Outfitters", "(512) 555-0107"),),
}
WIDGET = ("Widget, Standard", "WID-STD", 25.0)
RETIRED = ("Catalog, 2025 edition", "CAT-2025", 12.0)  # deleted (made inactive) in QuickBooks
# A product of the Family "Inventory": an Item of Type Inventory on QuickBooks Online, which
# needs "Track inventory quantity on hand" (off in the sandbox company, as in a new one).
STOCKED = ("Bolt Kit, 100 pieces", "BOLT-100", 9.5)


def stage_first_pass(office: Office) -> None:
    """Before the first cycle: the accounts, what QuickBooks Online already has, an outage."""
    books, say = office.qbo.api.books, office.say
    for role, accounts in ACCOUNTS.items():
        for name, phone in accounts:
            office.account(role, name, phone)
    typed = (("Harbor Lights Cafe", "(512) 555-0101"), ("Northwind Traders", "(737) 555-0199"))
    for name, phone in typed:
        record = books.create("Customer", {"DisplayName": name,
                                           "PrimaryPhone": {"FreeFormNumber": phone}})  # fmt: skip
        office.customers[name] = str(record["Id"])
    say("a QuickBooks Online user had already typed in 'Harbor Lights Cafe' (same phone) and "
        "'Northwind Traders' (another phone)")  # fmt: skip
    office.product(*WIDGET)
    office.product(*RETIRED, role="inactive")
    say("in Salesforce: seven accounts and two products")
    office.qbo.go_offline()
    say("QuickBooks Online cannot be reached (connections refused)")


def stage_second_pass(office: Office) -> None:
    """After the first pass bound the accounts: what people change in either system."""
    org, qbo, say = office.org, office.qbo, office.say
    books = qbo.api.books
    books.deactivate("Customer", office.bound("inactive"))
    item = office.bound("inactive", SfObject.PRODUCT2, office.products[RETIRED[1]])
    books.deactivate("Item", item)
    say("a QuickBooks Online user deleted the customer 'Delete Me Deli' and the product "
        "'Catalog, 2025 edition' (QuickBooks Online makes them inactive)")  # fmt: skip
    kept = books.create("Customer", {"DisplayName": "Gone Parent Garage Inc."})
    office.customers["Gone Parent Garage Inc."] = str(kept["Id"])
    qbo.merge_customers(office.bound("2500"), str(kept["Id"]))
    say("a QuickBooks Online user merged 'Gone Parent Garage' into 'Gone Parent Garage Inc.', "
        "typed in by hand")  # fmt: skip
    for role, phone, note in (
        ("in-use", "(512) 555-0205", "Asked for a new delivery address"),
        ("5010", "(512) 555-0206", "Called about the March order"),
    ):
        org.update("Account", office.accounts[role], {"Phone": phone})
        qbo.edit_before_next_update(
            "Customer", office.bound(role), {"Notes": note}, _saved(office, ACCOUNTS[role][0][0])
        )
    entries = [office.entries[WIDGET[1]], office.entries[RETIRED[1]]]
    for role in ("inactive", "2500", "plain"):
        office.deal(role, entries)
    say("in Salesforce: two accounts' phones changed; three Closed Won deals added (for 'Delete "
        "Me Deli', 'Gone Parent Garage' and 'Contoso Outfitters')")  # fmt: skip
    office.product(*STOCKED, role="inventory", family="Inventory")
    say("in Salesforce: an inventory product 'Bolt Kit, 100 pieces' added; QuickBooks Online "
        "does not track inventory quantity on hand in this company")  # fmt: skip
    qbo.tokens.expire_access_tokens()
    qbo.tokens.revoke_refresh_tokens()
    say("in QuickBooks Online, the user who connected sfqb lost admin rights: Intuit revoked "
        "sfqb's connection")  # fmt: skip


def _saved(office: Office, name: str) -> Callable[[], None]:
    def say() -> None:
        office.say(f"a QuickBooks Online user saved '{name}' just before sfqb's update arrived")

    return say


def react(office: Office, reconnect: Callable[[], None]) -> bool:
    """Between cycles: QuickBooks Online back online, an admin reconnecting or turning on what
    sfqb's company message names; True if acted."""
    acted = False
    blocks = {
        item.code
        for item in office.world.store.review.items(COMPANY, ReviewStatus.OPEN)
        if item.source_type == "company"
    }
    if "FEATURE_OFF" in blocks and office.once("FEATURE_OFF"):
        office.qbo.track_inventory(True)
        office.say("a QuickBooks Online admin read sfqb's message and turned on Track inventory "
                   "quantity on hand")  # fmt: skip
        acted = True
    if office.once("online"):
        office.qbo.come_back()
        office.say("QuickBooks Online answers again")
        acted = True
    found = office.world.store.qbo_tokens.get(COMPANY)
    if found is not None and found.lost_at is not None and office.once("reconnect"):
        reconnect()
        office.say("a QuickBooks Online admin read sfqb's alert and reconnected sfqb")
        acted = True
    return acted
