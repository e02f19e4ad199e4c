"""The flow filter's SOQL condition parser: what it accepts, what it refuses, and that the text
it renders says the same as what it read (never more).

Salesforce's pages the grammar follows (SOQL and SOSL Reference):
- Condition Expression Syntax (WHERE Clause): sforce_api_calls_soql_select_conditionexpression
- Comparison Operators: sforce_api_calls_soql_select_comparisonoperators
- Date Formats and Date Literals: sforce_api_calls_soql_select_dateformats
- Quoted String Escape Sequences: sforce_api_calls_soql_select_quotedstringescapes
- Reserved Characters: sforce_api_calls_soql_select_reservedcharacters
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfqb.mapping.soql import (
    Compare,
    Condition,
    DateRange,
    FilterError,
    InList,
    Like,
    Logic,
    Negation,
    Wild,
    fields_of,
    parse_condition,
    render,
)


def roundtrip(cond: Condition, sobject: str = "Opportunity") -> Condition:
    return parse_condition(render(cond), sobject)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        # Condition Expression Syntax: a field expression, AND / OR, parentheses to nest.
        ("Type = 'Vendor'", Compare("Type", "=", "Vendor")),
        (
            "Type = 'Customer' AND BillingCountry IN ('US', 'CA')",
            Logic(
                "AND", (Compare("Type", "=", "Customer"), InList("BillingCountry", ("US", "CA")))
            ),
        ),
        (
            "(Type = 'A' OR Type = 'B') AND NOT Name LIKE 'Test%'",
            Logic(
                "AND",
                (
                    Logic("OR", (Compare("Type", "=", "A"), Compare("Type", "=", "B"))),
                    Negation(Like("Name", ("Test", Wild.ANY))),
                ),
            ),
        ),
        # Comparison Operators: NOT IN, != with null, numbers compared.
        ("Industry NOT IN ('Retail')", InList("Industry", ("Retail",), negated=True)),
        ("ParentId != null", Compare("ParentId", "!=", None)),
        ("AnnualRevenue >= 1000.50", Compare("AnnualRevenue", ">=", Decimal("1000.50"))),
        # Field names are case-insensitive, so are keywords; a parent's field through its name.
        ("type = 'x' and parent.name like 'A_c'", None),
        # Date Formats and Date Literals.
        ("CreatedDate = LAST_N_DAYS:30", Compare("CreatedDate", "=", DateRange("LAST_N_DAYS", 30))),
        ("CreatedDate > TODAY", Compare("CreatedDate", ">", DateRange("TODAY"))),
        (
            "CreatedDate > 2024-01-15T10:30:00-08:00",
            Compare("CreatedDate", ">", datetime(2024, 1, 15, 18, 30, tzinfo=UTC)),
        ),
        # Quoted String Escape Sequences: \' and \\ and, in LIKE only, \% and \_.
        (r"Name = 'Bob\'s BBQ \\ grill'", Compare("Name", "=", "Bob's BBQ \\ grill")),
        (r"Name LIKE 'Ter\%%'", Like("Name", ("Ter%", Wild.ANY))),
        (r"Name = 'caf\u00e9'", Compare("Name", "=", "café")),
    ],
)
def test_accepts_the_documented_forms(text: str, tree: Condition | None) -> None:
    parsed = parse_condition(text, "Account")
    if tree is not None:
        assert parsed == tree
    assert parse_condition(render(parsed), "Account") == parsed


def test_dates_on_a_date_field() -> None:
    cond = parse_condition("CloseDate >= 2026-01-01 AND CloseDate < NEXT_MONTH", "Opportunity")
    assert cond == Logic(
        "AND",
        (
            Compare("CloseDate", ">=", date(2026, 1, 1)),
            Compare("CloseDate", "<", DateRange("NEXT_MONTH")),
        ),
    )
    assert fields_of(cond) == ["CloseDate", "CloseDate"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Name = 'x') OR (1=1", "column 11"),  # closes the condition early: not one condition
        ("Name = 'x'; DELETE FROM Account", "column 11"),
        ("Name = 'x' -- a comment", "column 12"),
        ("Name = 'x' /* c */", "column 12"),
        ("Id IN (SELECT AccountId FROM Contact)", "column 8"),  # no subqueries
        ("CALENDAR_YEAR(CreatedDate) = 2011", "column 14"),  # no functions
        ("Type = 'A' AND Type = 'B' OR Type = 'C'", "column 27"),  # Salesforce wants parentheses
        ('Name = "x"', "column 8"),  # double quotes are an error (fieldExpression)
        ("Name <> 'x'", "column 7"),
        ("Name INCLUDES ('a')", "column 6"),
        ("Name = 'x' LIMIT 1", "column 12"),
        ("Name = 'unterminated", "column 8"),
        (r"Name = 'a\qb'", r"\q is not an escape sequence"),
        (r"Name = 'a\%b'", r"\% is not an escape sequence"),  # LIKE expression only
        ("Nmae = 'x'", "Account has no field 'Nmae'"),
        ("Owner.Nmae = 'x'", "User has no field 'Nmae'"),
        ("Partner.Name = 'x'", "Account has no relationship 'Partner'"),
        ("Description = 'x'", "long text area"),
        ("Name = 5", "Name holds text: 5 does not fit"),
        ("AnnualRevenue = '5'", "AnnualRevenue holds number"),
        ("IsDeleted = 'true'", "IsDeleted holds boolean"),
        ("CreatedDate > 2024-01-01", "CreatedDate holds datetime"),  # a dateTime needs its time
        ("Name > null", "NULL only takes = or !="),
        ("IsDeleted > TRUE", "it takes = or !=, not >"),
        ("AnnualRevenue LIKE '1%'", "LIKE needs a text field"),
        ("Name IN ('a', null)", "takes values, not NULL"),
        ("CreatedDate = LAST_N_WEEKS:2", "column 15"),  # a literal the sandbox does not model
        ("CreatedDate = 2024-02-30T00:00:00Z", "is not a date and time"),
        ("   ", "the filter is empty"),
    ],
)
def test_refuses_anything_else_in_one_line(text: str, problem: str) -> None:
    with pytest.raises(FilterError) as raised:
        parse_condition(text, "Account")
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_custom_field_is_left_to_the_preflight() -> None:
    assert parse_condition("Region__c = 'EMEA'", "Account") == Compare("Region__c", "=", "EMEA")


HOSTILE = [
    "') OR (1=1",
    "x' OR Name != '",
    "\\",
    "\\'",
    "'; DELETE",
    "\n) OR (Id != null",
    "%_\\%",
    "naïve — “quoted” 日本 \U0001f600",
    "\x00\b\f\t\r",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_stays_one_literal(value: str) -> None:
    """Reserved Characters: ' and \\ are escaped, so a value never ends its literal early."""
    for cond in (Compare("Name", "=", value), InList("Name", (value, "b")), Like("Name", (value,))):
        again = roundtrip(cond, "Account")
        assert again == cond
        assert fields_of(again) == ["Name"]


# -- property: render(parse(x)) parses to the same tree ------------------------------------

_TEXT = st.text(max_size=12)
_MILLIS = st.integers(0, 999).map(lambda ms: ms * 1000)
_DATETIMES = st.builds(
    lambda d, us: d.replace(microsecond=us),
    st.datetimes(  # hypothesis takes naive bounds and adds the zone
        min_value=datetime(1900, 1, 1),  # noqa: DTZ001
        max_value=datetime(2999, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    _MILLIS,
)
_DECIMALS = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
_RANGES = st.one_of(
    st.sampled_from(
        ["TODAY", "YESTERDAY", "LAST_WEEK", "THIS_MONTH", "NEXT_YEAR", "LAST_90_DAYS"]
    ).map(DateRange),
    st.builds(
        DateRange,
        st.sampled_from(["LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"]),
        st.integers(0, 999),
    ),
)
# Opportunity fields by kind, and values that fit each.
_FIELDS = {
    ("Name", "Type", "Account.Name", "StageName"): _TEXT,
    ("Amount", "Probability"): _DECIMALS,
    ("IsWon", "IsClosed"): st.booleans(),
    ("CloseDate",): st.one_of(st.dates(min_value=date(1900, 1, 1)), _RANGES),
    ("CreatedDate", "SystemModstamp"): st.one_of(_DATETIMES, _RANGES),
}
_OPS = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])


def _predicates() -> st.SearchStrategy[Condition]:
    options: list[st.SearchStrategy[Condition]] = []
    for names, values in _FIELDS.items():
        field = st.sampled_from(names)
        ordered = names[0] != "IsWon"
        op = _OPS if ordered else st.sampled_from(["=", "!="])
        options.append(st.builds(Compare, field, op, values))
        options.append(st.builds(Compare, field, st.sampled_from(["=", "!="]), st.none()))
        plain = (
            values
            if names[0] not in ("CloseDate", "CreatedDate")
            else (st.dates(min_value=date(1900, 1, 1)) if names[0] == "CloseDate" else _DATETIMES)
        )
        options.append(
            st.builds(
                InList, field, st.lists(plain, min_size=1, max_size=3).map(tuple), st.booleans()
            )
        )
    parts = st.lists(
        st.one_of(st.text(min_size=1, max_size=5), st.sampled_from(list(Wild))), max_size=5
    )
    options.append(st.builds(Like, st.sampled_from(["Name", "Account.Name"]), parts.map(_join)))
    return st.one_of(options)


def _join(parts: list[str | Wild]) -> tuple[str | Wild, ...]:
    out: list[str | Wild] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        else:
            out.append(part)
    return tuple(out)


CONDITIONS = st.recursive(
    _predicates(),
    lambda inner: st.one_of(
        st.builds(Negation, inner),
        st.builds(
            Logic,
            st.sampled_from(["AND", "OR"]),
            st.lists(inner, min_size=2, max_size=3).map(tuple),
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(CONDITIONS)
def test_render_then_parse_gives_the_same_tree(cond: Condition) -> None:
    text = render(cond)
    again = parse_condition(text, "Opportunity")
    assert again == cond
    assert render(again) == text
    assert sorted(fields_of(again)) == sorted(fields_of(cond))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_as_a_value_is_one_literal(value: str) -> None:
    cond = Logic("AND", (Compare("Name", "=", value), Compare("IsWon", "=", True)))
    assert roundtrip(cond) == cond
