"""The demo's money records: a credit to a customer and a discounted sale.

Seeded beside the plain data set (`seed`), so its counts stay as they are: an Opportunity of
the credit type (DEMO_CREDIT_TYPE, which the demo's policy names in credit_memos) becomes a
QuickBooks credit memo; an Opportunity with a 10% line discount reaches QuickBooks at the net
price (the default discounts.mode), with QuickBooks' total equal to Salesforce's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sfqb.sandbox.salesforce.org import Org

DEMO_CREDIT_TYPE = "Credit"


@dataclass(frozen=True)
class MoneySeed:
    """Ids of what `seed_money` created."""

    credit_memos: list[str]
    discounted_lines: list[str]

    def counts(self) -> dict[str, int]:
        """How many of each, for the demo's summary."""
        return {
            "credit_memos": len(self.credit_memos),
            "discounted_lines": len(self.discounted_lines),
        }


def seed_money(org: Org) -> MoneySeed:
    """A credit memo and a discounted line for the org's first account and price book entries;
    nothing when the org has no account or no priced product."""
    accounts = sorted(org.records("Account"), key=lambda a: str(a["Id"]))
    entries = sorted(org.records("PricebookEntry"), key=lambda e: str(e["Id"]))
    if not accounts or not entries:
        return MoneySeed([], [])
    account, entry = accounts[0], entries[0]
    day = (org.now() - timedelta(days=1)).date().isoformat()

    def deal(name: str, kind: str | None) -> str:
        fields = {"Name": f"{account['Name']} - {name}"[:120], "AccountId": account["Id"],
                  "StageName": "Closed Won", "CloseDate": day,
                  "Pricebook2Id": org.standard_pricebook_id}  # fmt: skip
        if kind is not None:
            fields["Type"] = kind
        return org.create("Opportunity", fields)

    credit = deal("Credit for a returned order", DEMO_CREDIT_TYPE)
    org.create("OpportunityLineItem", {"OpportunityId": credit, "PricebookEntryId": entry["Id"],
                                       "Quantity": 1.0})  # fmt: skip
    sale = deal("Order at a 10% discount", None)
    line = org.create("OpportunityLineItem", {"OpportunityId": sale, "Quantity": 3.0,
                                              "PricebookEntryId": entry["Id"],
                                              "Discount": 10.0})  # fmt: skip
    return MoneySeed([credit], [line])
