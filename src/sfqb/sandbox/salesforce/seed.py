"""Fills an org with a realistic data set: awkward account names, priced products, won deals."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import Any

import yaml

from sfqb.sandbox.salesforce.org import Org


@dataclass(frozen=True)
class SeedSummary:
    """Ids of what `seed` created, per sObject."""

    accounts: list[str]
    contacts: list[str]
    products: list[str]
    pricebook_entries: list[str]
    opportunities: list[str]
    line_items: list[str]


class SeedError(ValueError):
    """An unknown seed size."""


def seed(
    org: Org,
    size: str | int,
    rng: random.Random,
    *,
    products: int | None = None,
    opportunities: int | None = None,
) -> SeedSummary:
    """Create accounts, contacts, products with standard prices and Closed Won opportunities.

    `size` is "small", "demo" or a number of accounts (products and deals scale with it);
    `products` and `opportunities` set those counts explicitly.
    """
    data = _load()
    counts = _counts(data, size)
    for key, value in (("products", products), ("opportunities", opportunities)):
        if value is not None:
            if value < 1:
                raise SeedError(f"{key} must be at least 1, not {value}")
            counts[key] = value
    accounts = _accounts(org, data, counts["accounts"], rng)
    contacts = [_contact(org, data, account, rng) for account in accounts]
    product_ids, entries = _products(org, data, counts["products"])
    opportunity_ids: list[str] = []
    lines: list[str] = []
    today = org.now().date()
    for n in range(counts["opportunities"]):
        account = accounts[n % len(accounts)]
        name = org.get("Account", account)["Name"]
        opp = org.create(
            "Opportunity",
            {
                "Name": f"{name} - Order {n + 1:03d}"[:120],
                "AccountId": account,
                "StageName": "Closed Won",
                "CloseDate": (today - timedelta(days=rng.randint(0, 60))).isoformat(),
                "Pricebook2Id": org.standard_pricebook_id,
                "Type": rng.choice(["New Customer", "Existing Customer - Upgrade"]),
            },
        )
        opportunity_ids.append(opp)
        for entry in rng.sample(entries, k=min(len(entries), rng.randint(1, 4))):
            lines.append(
                org.create(
                    "OpportunityLineItem",
                    {
                        "OpportunityId": opp,
                        "PricebookEntryId": entry,
                        "Quantity": float(rng.randint(1, 12)),
                    },
                )
            )
    return SeedSummary(accounts, contacts, product_ids, entries, opportunity_ids, lines)


def _load() -> dict[str, Any]:
    text = resources.files("sfqb.sandbox.salesforce").joinpath("data/seed.yaml")
    loaded: dict[str, Any] = yaml.safe_load(text.read_text(encoding="utf-8"))
    return loaded


def _counts(data: dict[str, Any], size: str | int) -> dict[str, int]:
    if isinstance(size, int) or (isinstance(size, str) and size.isdigit()):
        n = int(size)
        if n < 1:
            raise SeedError(f"seed size must be at least 1, not {n}")
        return {
            "accounts": n,
            "products": min(10, max(3, n // 3)),
            "opportunities": max(1, n * 3 // 4),
        }
    sizes: dict[str, dict[str, int]] = data["sizes"]
    if size not in sizes:
        raise SeedError(f"unknown seed size {size!r}: use {', '.join(sizes)} or a number")
    return sizes[size]


def _accounts(org: Org, data: dict[str, Any], count: int, rng: random.Random) -> list[str]:
    names: list[str] = list(data["awkward_accounts"])[:count]
    words = data["account_words"]
    combos = [f"{a} {b}" for a in words["first"] for b in words["second"]]
    rng.shuffle(combos)
    names += combos[: max(0, count - len(names))]
    for n in range(len(names), count):
        names.append(f"Customer {n + 1:05d}")
    ids = []
    for n, name in enumerate(names):
        city, state, country, postcode = data["cities"][n % len(data["cities"])]
        ids.append(
            org.create(
                "Account",
                {
                    "Name": name,
                    "Type": "Customer - Direct",
                    "Phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    "BillingStreet": f"{rng.randint(1, 999)} Market Street\nSuite {n + 1}",
                    "BillingCity": city,
                    "BillingState": state,
                    "BillingPostalCode": postcode,
                    "BillingCountry": country,
                },
            )
        )
    return ids


def _contact(org: Org, data: dict[str, Any], account: str, rng: random.Random) -> str:
    first, last = rng.choice(data["first_names"]), rng.choice(data["last_names"])
    slug = "".join(
        c for c in f"{first}.{last}".lower() if c.isascii() and (c.isalnum() or c == ".")
    )
    return org.create(
        "Contact",
        {
            "FirstName": first,
            "LastName": last,
            "AccountId": account,
            "Email": f"{slug}{rng.randint(1, 999)}@example.com",
        },
    )


def _products(org: Org, data: dict[str, Any], count: int) -> tuple[list[str], list[str]]:
    products, entries = [], []
    catalog = data["products"]
    for n in range(count):
        spec = catalog[n % len(catalog)]
        series = n // len(catalog)
        # Past the catalog, the same products again as numbered series (distinct names).
        suffix = f" S{series + 1}" if series else ""
        product = org.create(
            "Product2",
            {
                "Name": spec["name"] + suffix,
                "ProductCode": spec["code"] + suffix.replace(" ", "-"),
                "Family": spec["family"],
                "IsActive": True,
            },
        )
        products.append(product)
        entries.append(
            org.create(
                "PricebookEntry",
                {
                    "Pricebook2Id": org.standard_pricebook_id,
                    "Product2Id": product,
                    "UnitPrice": spec["price"],
                    "IsActive": True,
                },
            )
        )
    return products, entries
