"""A company's flow filter in sfqb's SOQL: AND-ed, in parentheses, rendered from its parse tree
(Salesforce: Condition Expression Syntax: "client applications must specify parentheses when
nesting operators")."""

from __future__ import annotations

from datetime import UTC, datetime

from sfqb.connectors.salesforce import SfAccount
from sfqb.connectors.salesforce.payloads import changes_query, records_query
from sfqb.mapping.soql import parse_condition

WHEN = datetime(2026, 3, 2, 9, 0, 30, 500_000, tzinfo=UTC)


def test_the_filter_is_anded_to_the_change_window() -> None:
    where = parse_condition("type = 'Customer' or Name like 'O\\'B%'", "Account")
    soql = changes_query(SfAccount, WHEN, (), where)
    assert soql.endswith(
        "WHERE SystemModstamp > 2026-03-02T09:00:30.500Z AND "
        "((type = 'Customer') OR (Name LIKE 'O\\'B%')) ORDER BY SystemModstamp, Id"
    )
    plain = changes_query(SfAccount, WHEN)
    assert "WHERE SystemModstamp > 2026-03-02T09:00:30.500Z ORDER BY" in plain


def test_the_filter_is_anded_to_a_read_by_id() -> None:
    where = parse_condition("Type != 'Vendor'", "Account")
    soql = records_query(SfAccount, ["001000000000001AAA"], (), "Id", where)
    assert soql.endswith("WHERE Id IN ('001000000000001AAA') AND (Type != 'Vendor') ORDER BY Id")
