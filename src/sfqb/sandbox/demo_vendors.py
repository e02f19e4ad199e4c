"""The demo's vendors: supplier Accounts, and a customer that supplies too (data/demo_vendors.yaml).

Kept apart from the Salesforce seed so other flows' demo seeds merge beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml

from sfqb.sandbox.salesforce.org import Org
from sfqb.sandbox.salesforce.seed import SeedSummary


@dataclass(frozen=True, slots=True)
class VendorSeeds:
    """The Account Ids the vendor seed created or changed."""

    vendors: list[str]  # suppliers only
    both: list[str]  # seeded customers that supply too


def seed_vendors(org: Org, seeded: SeedSummary) -> VendorSeeds:
    """Create the demo's supplier Accounts and make the first seeded customers with deals
    suppliers too (Type = 'Vendor', the default vendor rule)."""
    text = resources.files("sfqb.sandbox").joinpath("data/demo_vendors.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    vendors = [org.create("Account", {**values, "Type": "Vendor"}) for values in data["vendors"]]
    with_deals = [a for a in seeded.accounts if _has_deal(org, a, seeded.opportunities)]
    both = with_deals[: int(data["also_customers"])]
    for account in both:
        org.update("Account", account, {"Type": "Vendor"})
    return VendorSeeds(vendors, both)


def _has_deal(org: Org, account: str, opportunities: list[str]) -> bool:
    return any(org.get("Opportunity", o)["AccountId"] == account for o in opportunities)
