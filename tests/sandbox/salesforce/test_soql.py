"""SOQL: the parser on its own, and queries run against an in-memory org."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sfqb.sandbox.salesforce import ManualClock, Org, OrgError
from sfqb.sandbox.salesforce.query import run_query
from sfqb.sandbox.salesforce.soql import (
    BoolOp,
    Comparison,
    Count,
    FieldRef,
    InList,
    Like,
    Not,
    Query,
    SoqlError,
    like_regex,
    parse,
)


def test_parses_fields_where_order_limit_offset() -> None:
    q = parse(
        "select Id, Name, Account.Name from Opportunity where Amount >= 100 and "
        "(StageName = 'Closed Won' or not IsClosed = false) order by CloseDate desc, Name "
        "limit 10 offset 5"
    )
    assert [f.path for f in q.fields if isinstance(f, FieldRef)] == [
        ("Id",),
        ("Name",),
        ("Account", "Name"),
    ]
    assert q.sobject == "Opportunity"
    assert isinstance(q.where, BoolOp) and q.where.op == "AND"
    amount, either = q.where.items
    assert isinstance(amount, Comparison) and amount.op == ">=" and amount.value.value == 100.0
    assert isinstance(either, BoolOp) and either.op == "OR"
    assert isinstance(either.items[1], Not)
    assert [(o.field.text, o.descending, o.nulls_last) for o in q.order] == [
        ("CloseDate", True, True),
        ("Name", False, False),
    ]
    assert (q.limit, q.offset) == (10, 5)


def test_parses_literals() -> None:
    q = parse(
        "SELECT Id FROM Account WHERE SystemModstamp > 2026-01-01T00:00:00Z AND "
        "CreatedDate = LAST_N_DAYS:7 AND Name IN ('a\\'b', 'c') AND Name LIKE 'Ac_e%' "
        "AND Website != null AND CloseDate <= 2026-02-01 AND x__c NOT IN (1, 2.5)"
    )
    assert isinstance(q.where, BoolOp)
    stamp, created, names, like, site, close, notin = q.where.items
    assert isinstance(stamp, Comparison)
    assert stamp.value.value == datetime(2026, 1, 1, tzinfo=UTC)
    assert isinstance(created, Comparison) and created.value.kind == "range"
    assert (created.value.value, created.value.n) == ("LAST_N_DAYS", 7)
    assert isinstance(names, InList) and [v.value for v in names.values] == ["a'b", "c"]
    assert isinstance(like, Like) and like.pattern == "Ac_e%"
    assert isinstance(site, Comparison) and site.value.kind == "null" and site.op == "!="
    assert isinstance(close, Comparison) and close.value.value == date(2026, 2, 1)
    assert isinstance(notin, InList) and notin.negated


def test_parses_subquery_and_count() -> None:
    q = parse("SELECT Id, (SELECT Id, Quantity FROM OpportunityLineItems) FROM Opportunity")
    sub = q.fields[1]
    assert isinstance(sub, Query) and sub.sobject == "OpportunityLineItems"
    assert isinstance(parse("SELECT COUNT() FROM Account").fields[0], Count)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "SELECT FROM Account",
        "SELECT Id Account",
        "SELECT Id FROM Account WHERE",
        "SELECT Id FROM Account WHERE Name = ",
        "SELECT Id FROM Account WHERE Name LIKE 5",
        "SELECT Id FROM Account LIMIT x",
        "SELECT Id FROM Account WHERE Name = 'unterminated",
        "SELECT Id FROM Account WHERE Name = 'bad \\q escape'",
        "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS",
        "SELECT Id, (SELECT Id, (SELECT Id FROM X) FROM Y) FROM Account",
        "SELECT Id FROM Account extra",
        "SELECT Id FROM Account WHERE Name = 'x' ; DROP",
        "DELETE FROM Account",
    ],
)
def test_bad_soql_is_refused(text: str) -> None:
    with pytest.raises(SoqlError):
        parse(text)


def test_like_patterns() -> None:
    assert like_regex("Ac_e%").fullmatch("acme corp")
    assert not like_regex("Ac_e%").fullmatch("ace")
    assert like_regex("%&%").fullmatch("Smith & Sons")
    assert like_regex("50.0%").fullmatch("50.0 percent")
    assert not like_regex("50.0%").fullmatch("5000")


@pytest.fixture
def org(clock: ManualClock) -> Org:
    org = Org(clock=clock)
    for name, amount_city in [("Acme", "Bristol"), ("acme labs", "Austin"), ("Beta & Co", None)]:
        org.create("Account", {"Name": name, "BillingCity": amount_city})
        clock.advance(60)
    return org


def names(org: Org, soql: str, deleted: bool = False) -> list[str]:
    return [r["Name"] for r in run_query(org, soql, deleted, "59.0").records]


def test_string_comparisons_ignore_case_and_nulls_sort_first(org: Org) -> None:
    assert names(org, "SELECT Name FROM Account WHERE Name = 'ACME'") == ["Acme"]
    assert names(org, "SELECT Name FROM Account WHERE Name LIKE 'acme%' ORDER BY Name") == [
        "Acme",
        "acme labs",
    ]
    assert names(org, "SELECT Name FROM Account ORDER BY BillingCity, Name") == [
        "Beta & Co",
        "acme labs",
        "Acme",
    ]
    assert names(org, "SELECT Name FROM Account ORDER BY BillingCity DESC") == [
        "Acme",
        "acme labs",
        "Beta & Co",
    ]
    assert names(org, "SELECT Name FROM Account WHERE BillingCity = null") == ["Beta & Co"]
    assert names(org, "SELECT Name FROM Account WHERE Name IN ('beta & co', 'ACME')") == [
        "Acme",
        "Beta & Co",
    ]
    assert names(org, "SELECT Name FROM Account WHERE NOT Name LIKE '%acme%'") == ["Beta & Co"]


def test_datetime_and_date_literals(org: Org, clock: ManualClock) -> None:
    start = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
    soql = "SELECT Name FROM Account WHERE SystemModstamp > 2026-01-15T09:00:00Z"
    assert names(org, soql) == ["acme labs", "Beta & Co"]
    soql = "SELECT Name FROM Account WHERE SystemModstamp >= 2026-01-15T10:00:00+01:00"
    assert names(org, soql) == ["Acme", "acme labs", "Beta & Co"]
    assert names(org, "SELECT Name FROM Account WHERE CreatedDate = TODAY") == [
        "Acme",
        "acme labs",
        "Beta & Co",
    ]
    assert names(org, "SELECT Name FROM Account WHERE CreatedDate = YESTERDAY") == []
    clock.set(start + timedelta(days=3))
    assert names(org, "SELECT Name FROM Account WHERE CreatedDate = LAST_N_DAYS:2") == []
    assert len(names(org, "SELECT Name FROM Account WHERE CreatedDate = LAST_N_DAYS:3")) == 3
    assert len(names(org, "SELECT Name FROM Account WHERE CreatedDate < LAST_N_DAYS:2")) == 3
    assert len(names(org, "SELECT Name FROM Account WHERE CreatedDate = THIS_MONTH")) == 3
    assert names(org, "SELECT Name FROM Account WHERE CreatedDate = 2026-01-15 LIMIT 1") == ["Acme"]


def test_limit_offset_count_and_query_all(org: Org) -> None:
    assert names(org, "SELECT Name FROM Account ORDER BY Name LIMIT 1 OFFSET 1") == ["acme labs"]
    acme = org.match("Account", "Name", "Acme")[0]
    org.delete("Account", acme)
    assert run_query(org, "SELECT COUNT() FROM Account", False, "59.0").total_size == 2
    assert names(org, "SELECT Name FROM Account WHERE IsDeleted = true", deleted=True) == ["Acme"]


def test_relationship_fields_and_ids(org: Org) -> None:
    account = org.match("Account", "Name", "Acme")[0]
    org.create("Contact", {"LastName": "Hopper", "FirstName": "Grace", "AccountId": account})
    result = run_query(
        org,
        f"SELECT Name, Account.Name FROM Contact WHERE AccountId = '{account[:15]}'",
        False,
        "59.0",
    )
    assert result.records[0]["Name"] == "Grace Hopper"
    assert result.records[0]["Account"]["Name"] == "Acme"
    assert result.records[0]["Account"]["attributes"]["type"] == "Account"


def test_id_lists_match_either_id_form_and_not_in_keeps_the_rest(org: Org) -> None:
    acme, labs = (
        org.match("Account", "Name", "Acme")[0],
        org.match("Account", "Name", "acme labs")[0],
    )
    ids = f"'{acme[:15]}', '{labs}', '001000000000000AAA'"
    soql = f"SELECT Name FROM Account WHERE Id IN ({ids}) ORDER BY Name"
    assert names(org, soql) == ["Acme", "acme labs"]
    assert names(org, f"SELECT Name FROM Account WHERE Id NOT IN ({ids})") == ["Beta & Co"]
    org.create("Contact", {"LastName": "Hopper", "AccountId": acme})
    org.create("Contact", {"LastName": "Lovelace"})
    contacts = "SELECT Name FROM Contact WHERE AccountId {} ('{}')"
    assert names(org, contacts.format("IN", acme[:15])) == ["Hopper"]
    assert names(org, contacts.format("NOT IN", acme)) == ["Lovelace"]  # no account: not in
    with pytest.raises(OrgError) as caught:
        run_query(org, "SELECT Id FROM Account WHERE Id IN ('nope')", False, "59.0")
    assert caught.value.error_code == "INVALID_QUERY_FILTER_OPERATOR"


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM Nope", "INVALID_TYPE"),
        ("SELECT Nope__c FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Nope = 1", "INVALID_FIELD"),
        ("SELECT Id FROM Account WHERE Name = 5", "MALFORMED_QUERY"),
        ("SELECT Id FROM Account WHERE Id = 'nope'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id, (SELECT Id FROM Nothings) FROM Account", "INVALID_TYPE"),
        ("SELECT Id FROM Account WHERE", "MALFORMED_QUERY"),
    ],
)
def test_query_errors(org: Org, soql: str, code: str) -> None:
    with pytest.raises(OrgError) as caught:
        run_query(org, soql, False, "59.0")
    assert caught.value.error_code == code
    assert caught.value.status == 400


def test_like_escapes_match_the_character_itself(clock: ManualClock) -> None:
    """Quoted String Escape Sequences (Salesforce): in a LIKE expression only, \\% and \\_
    match a percent sign and an underscore; 'Ter\\%%' selects names starting with 'Ter%'."""
    org = Org(clock=clock)
    for name in ("Ter%ra", "Terra", "A_B", "AxB", "back\\slash"):
        org.create("Account", {"Name": name})
    assert names(org, r"SELECT Name FROM Account WHERE Name LIKE 'Ter\%%'") == ["Ter%ra"]
    assert names(org, r"SELECT Name FROM Account WHERE Name LIKE 'Ter%'") == ["Ter%ra", "Terra"]
    assert names(org, r"SELECT Name FROM Account WHERE Name LIKE 'A\_B'") == ["A_B"]
    assert names(org, r"SELECT Name FROM Account WHERE Name LIKE 'back\\%'") == ["back\\slash"]
    with pytest.raises(OrgError, match="invalid escape"):  # outside LIKE, \% is an error
        names(org, r"SELECT Name FROM Account WHERE Name = 'Ter\%'")


def test_a_flow_filter_as_sfqb_renders_it_is_evaluated(clock: ManualClock) -> None:
    """The condition sfqb AND-s to its query (sfqb.mapping.soql.render) runs as written."""
    from sfqb.mapping.soql import parse_condition, render

    org = Org(clock=clock)
    for name, kind in (("O'Brien", "Vendor"), ("Smith", "Customer"), ("Jones", None)):
        org.create("Account", {"Name": name, "Type": kind})
    where = render(parse_condition("Type = 'Customer' OR Name = 'O\\'Brien'", "Account"))
    soql = f"SELECT Name FROM Account WHERE Name != null AND ({where}) ORDER BY Name"
    assert names(org, soql) == ["O'Brien", "Smith"]
    hostile = render(parse_condition("Name = 'x\\') OR (Name != \\'y'", "Account"))
    assert names(org, f"SELECT Name FROM Account WHERE {hostile}") == []
