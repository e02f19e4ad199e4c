"""The seed data set: awkward names, priced products, Closed Won deals with line items."""

from __future__ import annotations

import random

import pytest

from sfqb.sandbox.salesforce import ManualClock, Org, SeedError, seed, to18


def test_small_seed_is_realistic(clock: ManualClock) -> None:
    org = Org(clock=clock)
    summary = seed(org, "small", random.Random(1))
    names = [r["Name"] for r in org.records("Account")]
    assert len(names) == 8
    assert any("&" in n for n in names) and any(":" in n for n in names)
    assert any(len(n) == 60 for n in names)
    assert any(c in "éüø" for n in names for c in n)
    assert any("'" in n or '"' in n for n in names)
    assert len(summary.contacts) == 8 and len(summary.products) == 6
    entries = org.records("PricebookEntry")
    assert {e["Pricebook2Id"] for e in entries} == {org.standard_pricebook_id}
    opps = org.records("Opportunity")
    assert len(opps) == 5 and all(o["StageName"] == "Closed Won" and o["IsWon"] for o in opps)
    for opp in opps:
        lines = [
            li for li in org.records("OpportunityLineItem") if li["OpportunityId"] == opp["Id"]
        ]
        assert lines and opp["Amount"] == round(sum(li["TotalPrice"] for li in lines), 2)


def test_seed_is_deterministic_and_sized(clock: ManualClock) -> None:
    a, b = Org(clock=clock), Org(clock=clock)
    seed(a, 30, random.Random(3))
    seed(b, 30, random.Random(3))
    assert [r["Name"] for r in a.records("Account")] == [r["Name"] for r in b.records("Account")]
    assert len(a.records("Account")) == 30
    assert len(set(r["Name"] for r in a.records("Account"))) == 30


@pytest.mark.parametrize("size", ["huge", 0, "-1"])
def test_bad_sizes(size: str | int) -> None:
    with pytest.raises(SeedError):
        seed(Org(), size, random.Random(0))


def test_ids_have_each_objects_key_prefix(clock: ManualClock) -> None:
    org = Org(clock=clock)
    summary = seed(org, "small", random.Random(2))
    expected = {
        "001": summary.accounts,
        "003": summary.contacts,
        "01t": summary.products,
        "01u": summary.pricebook_entries,
        "006": summary.opportunities,
        "00k": summary.line_items,
        "01s": [org.standard_pricebook_id],
    }
    for prefix, ids in expected.items():
        assert ids and all(i[:3] == prefix and to18(i[:15]) == i for i in ids)
