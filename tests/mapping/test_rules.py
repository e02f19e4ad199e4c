"""Name rules, rounding and fingerprints, including properties over any input."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sfqb.mapping import Mapper, NameRule, apply_name_rule, fingerprint, load_flows
from sfqb.mapping.rules import quantize

MAPPER = Mapper(load_flows())


@given(
    name=st.one_of(st.none(), st.text(max_size=80), st.text(alphabet=" :\t\n", max_size=10)),
    taken=st.sets(st.text(alphabet="ab: (23)", max_size=41), max_size=20),
    limit=st.sampled_from([31, 41]),
)
def test_any_name_is_valid_and_unique(name: str | None, taken: set[str], limit: int) -> None:
    rule = NameRule(limit=limit)
    sent, changes = apply_name_rule(rule, name, taken)
    assert sent
    assert sent == sent.strip()
    assert len(sent) <= limit
    assert ":" not in sent
    assert sent.casefold() not in {t.casefold() for t in taken}
    if sent != (name or ""):
        assert changes
        assert changes[-1].sent == sent


@given(taken_count=st.integers(min_value=0, max_value=15))
def test_unique_suffix_stays_within_limit(taken_count: int) -> None:
    base = "X" * 41
    taken = {base} | {f"{'X' * (41 - len(f' ({n})'))} ({n})" for n in range(2, taken_count + 2)}
    sent, _ = apply_name_rule(NameRule(), base, taken)
    assert len(sent) == 41
    assert sent.endswith(f" ({taken_count + 2})") if taken_count else sent.endswith(" (2)")


def test_empty_name_gets_placeholder() -> None:
    sent, changes = apply_name_rule(NameRule(colon_replacement=""), " : ", {"Unnamed"})
    assert sent == "Unnamed (2)"
    assert [c.rule for c in changes] == ["name_trim", "name_no_colon", "name_empty", "name_unique"]


def test_rounding_half_up() -> None:
    assert quantize(Decimal("2.345"), 2, at_most=False) == Decimal("2.35")
    assert quantize(Decimal("-2.345"), 2, at_most=False) == Decimal("-2.35")
    assert quantize(Decimal("2.5"), 2, at_most=False) == Decimal("2.50")
    assert quantize(Decimal("1.123456"), 5, at_most=True) == Decimal("1.12346")
    assert quantize(Decimal("1.1"), 5, at_most=True) == Decimal("1.1")


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_mapped_amounts_have_two_places(amount: Decimal) -> None:
    mapped = MAPPER.map("payment_to_opportunity", {"BalanceRemaining": str(amount)})
    sent = mapped.fields["QuickBooks_Balance__c"]
    assert isinstance(sent, Decimal)
    assert sent.as_tuple().exponent == -2
    assert abs(sent - amount) <= Decimal("0.005")
    assert bool(mapped.changes) == (sent != amount)


def test_fingerprint_stable_under_key_order() -> None:
    one = {"Name": "A", "BillAddress": {"City": "X", "Addr1": "1"}, "Rate": Decimal("1.50")}
    two = {"Rate": Decimal("1.50"), "BillAddress": {"Addr1": "1", "City": "X"}, "Name": "A"}
    assert fingerprint("Customer", one) == fingerprint("Customer", two)
    assert fingerprint("Customer", one) != fingerprint("Customer", {**one, "Name": "B"})
    assert fingerprint("Customer", one) != fingerprint("Customer", {**one, "Rate": Decimal("1.51")})
    assert fingerprint("Customer", one) != fingerprint("Vendor", one)


@given(
    st.dictionaries(
        st.sampled_from(["Name", "Phone", "BillingCity", "Fax"]), st.text(min_size=1, max_size=20)
    )
)
def test_mapped_fingerprint_independent_of_record_order(record: dict[str, str]) -> None:
    forward = MAPPER.map("account_to_customer", {"Id": "1", **record})
    backward = MAPPER.map(
        "account_to_customer", {"Id": "1", **dict(reversed(list(record.items())))}
    )
    assert forward.fingerprint == backward.fingerprint
    assert len(forward.fingerprint) == 64


def test_mapped_fingerprint_changes_with_value() -> None:
    a = MAPPER.map("account_to_customer", {"Id": "1", "Name": "Acme", "Phone": "555"})
    b = MAPPER.map("account_to_customer", {"Id": "1", "Name": "Acme", "Phone": "556"})
    assert a.fingerprint != b.fingerprint
