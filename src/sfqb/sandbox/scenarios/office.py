"""The office a scenario stages: the records it made, by role, and the people who act on them.

A role names the situation a record stages ("3120", "merge", ...). The QuickBooks user works
through `CompanyFile`'s `*_as_user` methods, the Salesforce user through `Org.update(by=...)`
(so LastModifiedById names them); `say` narrates what they did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, cast

from sfqb.domain.entities import SfObject, SfRef
from sfqb.sandbox.demo import COMPANY
from sfqb.sandbox.qbd import CompanyFile
from sfqb.sandbox.qbo import QboSandbox
from sfqb.sandbox.salesforce import SalesforceSandbox
from sfqb.sandbox.salesforce.org import Org
from sfqb.store import ReviewStatus, Store
from sfqb.store.review import ReviewItem


class ScenarioWorld(Protocol):
    """What an office needs of a demo world (QuickBooks Desktop's or QuickBooks Online's)."""

    @property
    def salesforce(self) -> SalesforceSandbox: ...

    @property
    def store(self) -> Store: ...

    @property
    def quickbooks(self) -> object: ...


@dataclass(slots=True)
class Office:
    """The staged records by role, and what the people there have done so far."""

    world: ScenarioWorld
    say: Callable[[str], None]
    accounts: dict[str, str] = field(default_factory=dict)  # role -> Salesforce Account Id
    customers: dict[str, str] = field(default_factory=dict)  # role -> QuickBooks ListID
    records: dict[str, set[str]] = field(default_factory=dict)  # role -> Salesforce Ids staged
    products: dict[str, str] = field(default_factory=dict)  # product code -> Product2 Id
    entries: dict[str, str] = field(default_factory=dict)  # product code -> PricebookEntry Id
    people: dict[str, str] = field(default_factory=dict)  # name -> Salesforce User Id
    acted: set[str] = field(default_factory=set)  # the reactions already done (once each)
    since: datetime | None = None  # when the second pass began: people changing things

    @property
    def org(self) -> Org:
        """The Salesforce sandbox's org."""
        return self.world.salesforce.org

    @property
    def qb(self) -> CompanyFile:
        """The QuickBooks Desktop sandbox's company file."""
        return cast(CompanyFile, self.world.quickbooks)

    @property
    def qbo(self) -> QboSandbox:
        """The QuickBooks Online sandbox."""
        return cast(QboSandbox, self.world.quickbooks)

    def note(self, role: str, sf_id: str) -> str:
        """Remember `sf_id` as one of the records of `role` (the summary reads them)."""
        self.records.setdefault(role, set()).add(sf_id)
        return sf_id

    def bound(self, role: str, sobject: SfObject = SfObject.ACCOUNT, sf_id: str = "") -> str:
        """The QuickBooks Id sfqb bound the role's account (or `sf_id`) to."""
        ref = SfRef(sobject, sf_id or self.accounts[role])
        binding = self.world.store.bindings.by_sf(COMPANY, ref)
        if binding is None:
            raise RuntimeError(f"the first pass did not bind the {role} {sobject.value}")
        return binding.qb.id

    def person(self, name: str) -> str:
        """A Salesforce user other than sfqb's integration user (made on first use)."""
        if name not in self.people:
            username = name.replace(" ", ".").lower() + "@example.com"
            last = name.rsplit(maxsplit=1)[-1]
            self.people[name] = self.org.create("User", {"Username": username, "LastName": last})
        return self.people[name]

    def open_review(self, role: str, code: str) -> ReviewItem | None:
        """The open review item with `code` of one of the role's records, if any."""
        mine = self.records.get(role, set())
        items = self.world.store.review.items(COMPANY, ReviewStatus.OPEN)
        return next((i for i in items if i.source_id in mine and i.code == code), None)

    def once(self, key: str) -> bool:
        """True the first time `key` is asked for: each reaction happens once."""
        if key in self.acted:
            return False
        self.acted.add(key)
        return True

    def account(self, role: str, name: str, phone: str) -> str:
        """A Salesforce Account for `role`."""
        self.accounts[role] = self.note(
            role,
            self.org.create("Account", {"Name": name, "Phone": phone, "BillingCity": "Austin"}),
        )
        return self.accounts[role]

    def product(
        self, name: str, code: str, price: float, role: str = "", family: str = "Hardware"
    ) -> str:
        """A Salesforce product with its standard price book entry; returns the entry's Id."""
        product = self.org.create(
            "Product2", {"Name": name, "ProductCode": code, "Family": family, "IsActive": True}
        )
        self.products[code] = self.note(role, product) if role else product
        self.entries[code] = self.org.create(
            "PricebookEntry",
            {"Pricebook2Id": self.org.standard_pricebook_id, "Product2Id": product,
             "UnitPrice": price, "IsActive": True},
        )  # fmt: skip
        return self.entries[code]

    def deal(self, role: str, entries: Iterable[str]) -> str:
        """A Closed Won opportunity for the role's account, one line per price book entry."""
        org, account = self.org, self.accounts[role]
        name = org.get("Account", account)["Name"]
        opp = org.create(
            "Opportunity",
            {"Name": f"{name} - March order", "AccountId": account, "StageName": "Closed Won",
             "CloseDate": org.now().date().isoformat(), "Pricebook2Id": org.standard_pricebook_id},
        )  # fmt: skip
        for n, entry in enumerate(entries, 1):
            org.create(
                "OpportunityLineItem",
                {"OpportunityId": opp, "PricebookEntryId": entry, "Quantity": float(n)},
            )
        return self.note(role, opp)
