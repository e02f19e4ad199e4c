"""Seeds an account family: a parent account, two child accounts (QuickBooks jobs), their
contacts with a primary contact role, and a won deal on one child (an invoice on the job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sfqb.sandbox.salesforce.org import Org

PARENT = "Harbor Logistics Group"
CHILDREN = ("North Yard", "South Yard")


@dataclass(frozen=True)
class FamilySeed:
    """Ids of what `seed_family` created."""

    parent: str
    children: tuple[str, ...]
    contacts: tuple[str, ...]
    roles: tuple[str, ...]
    opportunities: tuple[str, ...]


def seed_family(org: Org, parent_name: str = PARENT) -> FamilySeed:
    """A parent account with two child accounts, each with contacts; the parent's primary
    contact is named by an AccountContactRole (IsPrimary), a child's by being its newest
    contact. A Closed Won deal on the first child, when the org has a priced product."""
    parent = org.create(
        "Account",
        {"Name": parent_name, "Type": "Customer - Direct", "BillingCity": "Rotterdam"},
    )
    children = tuple(
        org.create("Account", {"Name": name, "ParentId": parent, "BillingCity": "Rotterdam"})
        for name in CHILDREN
    )
    people = (
        (parent, "Ines", "Vermeer", "ines.vermeer@harbor.example", "+31 10 555 0101"),
        (parent, "Joost", "de Wit", "joost.dewit@harbor.example", "+31 10 555 0102"),
        (children[0], "Noor", "Bakker", "noor.bakker@harbor.example", "+31 10 555 0201"),
        (children[1], "Sem", "Jansen", "sem.jansen@harbor.example", "+31 10 555 0301"),
    )
    contacts = tuple(
        org.create(
            "Contact",
            {"AccountId": a, "FirstName": f, "LastName": last, "Email": e, "Phone": p},
        )
        for a, f, last, e, p in people
    )
    roles = (
        org.create(
            "AccountContactRole",
            {"AccountId": parent, "ContactId": contacts[0], "Role": "Decision Maker"},
        ),
        org.create(
            "AccountContactRole",
            {
                "AccountId": parent,
                "ContactId": contacts[1],
                "Role": "Business User",
                "IsPrimary": True,
            },
        ),
    )
    return FamilySeed(parent, children, contacts, roles, _deal(org, children[0]))


def _deal(org: Org, account: str) -> tuple[str, ...]:
    """A Closed Won deal with one line on `account`, priced from the standard price book."""
    entry = next(
        (
            e
            for e in org.records("PricebookEntry")
            if e["Pricebook2Id"] == org.standard_pricebook_id and e["IsActive"]
        ),
        None,
    )
    if entry is None:
        return ()
    opportunity = org.create(
        "Opportunity",
        {
            "Name": f"{CHILDREN[0]} - Crane hire",
            "AccountId": account,
            "StageName": "Closed Won",
            "CloseDate": (org.now().date() - timedelta(days=3)).isoformat(),
            "Pricebook2Id": org.standard_pricebook_id,
        },
    )
    org.create(
        "OpportunityLineItem",
        {"OpportunityId": opportunity, "PricebookEntryId": entry["Id"], "Quantity": 2.0},
    )
    return (opportunity,)
