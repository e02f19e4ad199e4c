"""The query language subset sfqb uses (Intuit's "Data queries" page):

    SELECT * | COUNT(*) FROM Entity [WHERE cond [AND cond]...] [ORDERBY field [ASC|DESC]]
    [STARTPOSITION n] [MAXRESULTS m]

with conditions `field op value`, op one of = < > <= >= IN (...) LIKE 'x%'. OR, joins,
field lists and anything else answer 4000 QueryParserError. Name lists answer active records
only unless the query says Active (Intuit's page). Strings compare case-insensitively.
MAXRESULTS above 1000 is refused with 4001 (QuickBooks Online caps it silently; the stricter
choice). STARTPOSITION is 1-based; MAXRESULTS defaults to 100.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfqb.sandbox.qbo import errors
from sfqb.sandbox.qbo.company import BY_LOWER, NAME_LISTS, Company, Record

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op><=|>=|!=|[=<>(),*])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
# The properties a WHERE may name ("filterable" on Intuit's entity pages); any other answers
# 4001 "property 'X' is not queryable" (the Fault quoted in ruckus/quickbooks-ruby #403).
# Custom fields are never filterable (consolibyte/quickbooks-php #182, mcohen01/node-quickbooks
# #188 citing Intuit's developer forum: fetch the records and filter them in the app).
QUERYABLE = {
    "id": "Id",
    "displayname": "DisplayName",
    "name": "Name",
    "docnumber": "DocNumber",
    "active": "Active",
    "type": "Type",
    "metadata.lastupdatedtime": "MetaData.LastUpdatedTime",
    "metadata.createtime": "MetaData.CreateTime",
    "txndate": "TxnDate",
    "customerref": "CustomerRef.value",
    "givenname": "GivenName",
    "familyname": "FamilyName",
    "companyname": "CompanyName",
    "accounttype": "AccountType",
    "fullyqualifiedname": "FullyQualifiedName",
}
_NAMED = ("Customer", "Vendor", "Employee", "Item", "Account", "TaxCode")


@dataclass
class Query:
    """A parsed query."""

    entity: str
    count: bool = False
    where: list[tuple[str, str, Any]] = field(default_factory=list)
    order: tuple[str, bool] | None = None
    start: int = 1
    max_results: int = 100


def parse(text: str, max_results: int = 1000) -> Query:  # noqa: PLR0915
    """Parse a query; QboError 4000 (parser) or 4001 (validation) when it is not the subset."""
    tokens = _tokens(text)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(expected: str | None = None) -> tuple[str, str]:
        nonlocal pos
        token = peek()
        if token is None:
            raise errors.query_parser(f'Encountered "<EOF>". Was expecting: {expected or "more"}')
        if expected is not None and token[1].lower() != expected:
            raise errors.query_parser(f'Encountered "{token[1]}". Was expecting: "{expected}"')
        pos += 1
        return token

    if not tokens:
        raise errors.query_parser("The query provided was empty")
    take("select")
    count = False
    if peek() and peek()[1].lower() == "count":  # type: ignore[index]
        take("count"), take("("), take("*"), take(")")
        count = True
    else:
        take("*")
    take("from")
    kind, name = take()
    entity = BY_LOWER.get(name.lower())
    if kind != "word" or entity is None:
        raise errors.query_parser(f'Encountered "{name}": not an entity this sandbox knows')
    query = Query(entity, count=count)
    if peek() and peek()[1].lower() == "where":  # type: ignore[index]
        take("where")
        while True:
            query.where.append(_condition(take, peek))
            nxt = peek()
            if nxt and nxt[1].lower() == "and":
                take("and")
                continue
            if nxt and nxt[1].lower() == "or":
                raise errors.query_parser('Encountered "OR": OR is not supported')
            break
    if peek() and peek()[1].lower() in ("orderby", "order"):  # type: ignore[index]
        if take()[1].lower() == "order":
            take("by")
        column = _column(take()[1])
        descending = False
        if peek() and peek()[1].lower() in ("asc", "desc"):  # type: ignore[index]
            descending = take()[1].lower() == "desc"
        query.order = (column, descending)
    for keyword in ("startposition", "maxresults"):
        if peek() and peek()[1].lower() == keyword:  # type: ignore[index]
            take(keyword)
            kind, value = take()
            if kind != "num" or "." in value or int(value) < 1:
                raise errors.query_parser(f'Encountered "{value}" after {keyword.upper()}')
            if keyword == "startposition":
                query.start = int(value)
            else:
                query.max_results = int(value)
    if peek() is not None:
        raise errors.query_parser(f'Encountered "{peek()[1]}". Was expecting: <EOF>')  # type: ignore[index]
    if query.max_results > max_results:
        raise errors.QboError(
            "4001",
            "Invalid query",
            f"QueryValidationError: MAXRESULTS {query.max_results} is over {max_results}",
        )
    return query


def run(company: Company, query: Query) -> dict[str, Any]:
    """The QueryResponse object for a parsed query."""
    rows = company.all(query.entity)
    conditions = list(query.where)
    if query.entity in (*NAME_LISTS, "Item", "Account") and not any(
        c[0] == "Active" for c in conditions
    ):
        conditions.append(("Active", "=", True))
    rows = [r for r in rows if all(_matches(r, c) for c in conditions)]
    if query.count:
        return {"totalCount": len(rows)}
    if query.order is not None:
        column, descending = query.order
        rows.sort(key=lambda r: _sort_key(_value(r, column)), reverse=descending)
    page = rows[query.start - 1 : query.start - 1 + query.max_results]
    if not page:
        return {}
    return {query.entity: page, "startPosition": query.start, "maxResults": len(page)}


# -- internals ------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            column = pos + 1
            raise errors.query_parser(
                f"Invalid content. Lexical error at line 1, column {column}. "
                f'Encountered: "{text[pos]}"'
            )
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        pos = match.end()
    return found


def _column(name: str) -> str:
    column = QUERYABLE.get(name.lower())
    if column is None:
        raise errors.QboError(
            "4001", "Invalid query", f"QueryValidationError: property '{name}' is not queryable"
        )
    return column


def _literal(token: tuple[str, str]) -> Any:
    kind, text = token
    if kind == "str":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    if kind == "num":
        return text
    if kind == "word" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise errors.query_parser(f'Encountered "{text}". Was expecting a value')


def _condition(take: Any, peek: Any) -> tuple[str, str, Any]:
    column = _column(take()[1])
    _, op = take()
    op = op.lower()
    if op == "in":
        take("(")
        values = [_literal(take())]
        while peek() and peek()[1] == ",":
            take(",")
            values.append(_literal(take()))
        take(")")
        return column, "in", values
    if op == "like":
        value = _literal(take())
        if not isinstance(value, str) or "%" in value.strip("%"):
            raise errors.query_parser("LIKE takes a string with % only at its start or end")
        return column, "like", value
    if op not in ("=", "<", ">", "<=", ">="):
        raise errors.query_parser(f'Encountered "{op}". Was expecting an operator')
    return column, op, _literal(take())


def _value(record: Record, column: str) -> Any:
    value: Any = record
    for part in column.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str) and value.isdigit():
        return (1, int(value))
    if isinstance(value, str):
        return (2, value.casefold())
    return (3, value)


def _norm(value: Any, column: str) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if column.startswith("MetaData."):
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            raise errors.query_parser(f"'{value}' is not a date-time") from None
        return when if when.tzinfo else when.astimezone()
    text = str(value)
    return (1, int(text)) if text.isdigit() else (2, text.casefold())


def _matches(record: Record, condition: tuple[str, str, Any]) -> bool:
    column, op, wanted = condition
    actual = _value(record, column)
    if actual is None:
        return False
    if column == "Active":
        actual = bool(actual)
    if op == "like":
        text, pattern = str(actual).casefold(), wanted.casefold()
        core = pattern.strip("%")
        if pattern.startswith("%") and pattern.endswith("%") and len(pattern) > 1:
            return bool(core in text)
        if pattern.endswith("%"):
            return bool(text.startswith(core))
        if pattern.startswith("%"):
            return bool(text.endswith(core))
        return bool(text == core)
    left = _norm(actual, column)
    if op == "in":
        return any(left == _norm(v, column) for v in wanted)
    right = _norm(wanted, column)
    try:
        outcome: dict[str, bool] = {
            "=": left == right,
            "<": left < right,
            ">": left > right,
            "<=": left <= right,
            ">=": left >= right,
        }
    except TypeError:
        return False
    return outcome[op]
