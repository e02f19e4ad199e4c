"""A company's flow filter: a SOQL WHERE condition, parsed, checked and rendered again.

The text a person writes is never put in a query. `parse_condition` reads it with a grammar
of the WHERE-condition subset Salesforce documents (Condition Expression Syntax, Comparison
Operators, Date Formats and Date Literals, Quoted String Escape Sequences: developer.salesforce
.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/), checks every field against the sObject's
known fields and every value against the field's kind, and `Condition.render()` writes the
query text anew from the tree, each literal escaped by Salesforce's quoting rules.

Refused: subqueries, functions (CALENDAR_YEAR()...), INCLUDES/EXCLUDES, semicolons,
comments, double quotes, `<>`, AND mixed with OR without parentheses (Salesforce requires them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache

from lark import Lark, Token, Transformer, UnexpectedInput, v_args
from lark.exceptions import VisitError

from sfqb.mapping.sobjects import FieldKind, SObjects, UnknownField, salesforce_objects

_GRAMMAR = r"""
start: _condition
_condition: and_chain | or_chain | _unary
and_chain: _unary (_AND _unary)+
or_chain: _unary (_OR _unary)+
_unary: not_expr | "(" _condition ")" | compare | in_list | like
not_expr: _NOT _unary
compare: field OP value
in_list: field NOT_KW? _IN "(" value ("," value)* ")"
like: field _LIKE STRING
field: NAME ("." NAME)*
value: STRING | NUMBER | DATETIME | DATE | TRUE | FALSE | NULL | RANGE | nrange
nrange: N_RANGE ":" INT

_AND.3: /AND\b/i
_OR.3: /OR\b/i
_NOT.3: /NOT\b/i
NOT_KW.3: /NOT\b/i
_IN.3: /IN\b/i
_LIKE.3: /LIKE\b/i
TRUE.3: /TRUE\b/i
FALSE.3: /FALSE\b/i
NULL.3: /NULL\b/i
RANGE.3: /(TODAY|YESTERDAY|TOMORROW|(LAST|THIS|NEXT)_(WEEK|MONTH|YEAR)|(LAST|NEXT)_90_DAYS)\b/i
N_RANGE.3: /(LAST_N_DAYS|NEXT_N_DAYS|N_DAYS_AGO)\b/i
OP: "!=" | "<=" | ">=" | "=" | "<" | ">"
NAME: /[A-Za-z][A-Za-z0-9_]*/
STRING: /'(?:[^'\\]|\\.)*'/s
DATETIME.2: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})/
DATE.2: /\d{4}-\d{2}-\d{2}/
NUMBER: /-?\d+(\.\d+)?/
INT: /\d{1,4}/
%ignore /[ \t\r\n]+/
"""

# Quoted String Escape Sequences (Salesforce): \n \r \t \b \f in either case, \" \' \\,
# \uXXXX, and in a LIKE pattern only \_ and \%; a backslash anywhere else is an error.
_UNESCAPE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'"}
_UNESCAPE |= {k.upper(): v for k, v in _UNESCAPE.items() if k.isalpha()} | {"\\": "\\"}
_ESCAPE = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
           "\b": "\\b", "\f": "\\f"}  # fmt: skip
_LONGEST = 4000  # Salesforce: strings in WHERE clauses cannot exceed 4,000 characters


class FilterError(ValueError):
    """A filter that is not a SOQL condition sfqb accepts; one line saying why."""


class Wild(StrEnum):
    """A LIKE wildcard: % any run of characters, _ one character."""

    ANY = "%"
    ONE = "_"


@dataclass(frozen=True, slots=True)
class DateRange:
    """A date literal (TODAY, LAST_N_DAYS:30...); `n` is None for those without a number."""

    name: str
    n: int | None = None


Value = str | Decimal | bool | None | date | datetime | DateRange


@dataclass(frozen=True, slots=True)
class Compare:
    """field op value."""

    field: str
    op: str
    value: Value


@dataclass(frozen=True, slots=True)
class InList:
    """field [NOT] IN (values)."""

    field: str
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Like:
    """field LIKE pattern; the pattern is literal text and wildcards."""

    field: str
    pattern: tuple[str | Wild, ...]


@dataclass(frozen=True, slots=True)
class Logic:
    """AND or OR of two or more conditions."""

    op: str
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Negation:
    """NOT condition."""

    item: Condition


Condition = Compare | InList | Like | Logic | Negation


def render(cond: Condition) -> str:
    """The condition as SOQL text: every literal re-escaped, nested logic parenthesised."""
    match cond:
        case Compare(field, op, value):
            return f"{field} {op} {_literal(value)}"
        case InList(field, values, negated):
            listed = ", ".join(_literal(v) for v in values)
            return f"{field} {'NOT IN' if negated else 'IN'} ({listed})"
        case Like(field, pattern):
            return f"{field} LIKE '{''.join(_like_part(p) for p in pattern)}'"
        case Negation(item):
            return f"NOT ({render(item)})"
        case Logic(op, items):
            return f" {op} ".join(f"({render(i)})" for i in items)


def fields_of(cond: Condition) -> list[str]:
    """Every field path the condition names, in order."""
    match cond:
        case Compare() | InList() | Like():
            return [cond.field]
        case Negation(item):
            return fields_of(item)
        case Logic(_, items):
            return [f for i in items for f in fields_of(i)]


def _escape(text: str) -> str:
    return "".join(_ESCAPE.get(c, c) for c in text)


def _like_part(part: str | Wild) -> str:
    if isinstance(part, Wild):
        return part.value
    return _escape(part).replace("%", "\\%").replace("_", "\\_")


def _literal(value: Value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, DateRange):
        return value.name if value.n is None else f"{value.name}:{value.n}"
    return f"'{_escape(value)}'"


def _unquote(token: str, *, like: bool) -> list[str | Wild]:
    """The characters of a quoted string; in a LIKE pattern, bare % and _ are wildcards."""
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1]
            if nxt in _UNESCAPE:
                out.append(_UNESCAPE[nxt])
            elif like and nxt in "%_":
                out.append(nxt)
            elif nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 4
            else:
                raise FilterError(f"\\{nxt} is not an escape sequence SOQL accepts")
            i += 2
            continue
        out.append(Wild(char) if like and char in "%_" else char)
        i += 1
    if sum(len(p) for p in out if not isinstance(p, Wild)) > _LONGEST:
        raise FilterError(f"a quoted string is longer than {_LONGEST} characters")
    return out


def _joined(parts: list[str | Wild]) -> tuple[str | Wild, ...]:
    """Runs of literal characters joined, so equal patterns have equal parts."""
    joined: list[str | Wild] = []
    for part in parts:
        if isinstance(part, Wild) or not joined or isinstance(joined[-1], Wild):
            joined.append(part)
        else:
            joined[-1] = joined[-1] + part
    return tuple(joined)


@v_args(inline=True)
class _Build(Transformer[Token, Condition]):
    def start(self, cond: Condition) -> Condition:
        return cond

    def and_chain(self, *items: Condition) -> Condition:
        return Logic("AND", items)

    def or_chain(self, *items: Condition) -> Condition:
        return Logic("OR", items)

    def not_expr(self, item: Condition) -> Condition:
        return Negation(item)

    def field(self, *names: Token) -> str:
        return ".".join(str(n) for n in names)

    def compare(self, field: str, op: Token, value: Value) -> Condition:
        return Compare(field, str(op), value)

    def in_list(self, field: str, *rest: Token | Value) -> Condition:
        negated = bool(rest) and isinstance(rest[0], Token) and rest[0].type == "NOT_KW"
        return InList(field, tuple(rest[1:] if negated else rest), negated)

    def like(self, field: str, pattern: Token) -> Condition:
        return Like(field, _joined(_unquote(str(pattern), like=True)))

    def nrange(self, name: Token, n: Token) -> DateRange:
        return DateRange(str(name).upper(), int(n))

    def value(self, token: Token | DateRange) -> Value:
        if isinstance(token, DateRange):
            return token
        text = str(token)
        match token.type:
            case "STRING":
                return "".join(str(p) for p in _unquote(text, like=False))
            case "NUMBER":
                return Decimal(text)
            case "TRUE" | "FALSE":
                return token.type == "TRUE"
            case "NULL":
                return None
            case "RANGE":
                return DateRange(text.upper())
            case "DATE":
                return _date(text)
            case _:
                return _datetime(text)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{text} is not a date") from None


def _datetime(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(f"{text} is not a date and time") from None


@cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


def parse_text(text: str) -> Condition:
    """The tree of a condition, its fields unchecked; FilterError naming the column."""
    if not isinstance(text, str) or not text.strip():
        raise FilterError("the filter is empty")
    try:
        tree = _parser().parse(text)
        return _Build().transform(tree)
    except UnexpectedInput as exc:
        column = getattr(exc, "column", "?")
        shown = text[exc.pos_in_stream : exc.pos_in_stream + 12] if exc.pos_in_stream else ""
        near = f" near {shown!r}" if shown else ""
        raise FilterError(f"not a condition sfqb accepts at column {column}{near}") from None
    except VisitError as exc:
        if isinstance(exc.orig_exc, FilterError):
            raise exc.orig_exc from None
        raise


_TEXTUAL = frozenset({FieldKind.TEXT, FieldKind.ID})
_ORDERED = frozenset({FieldKind.TEXT, FieldKind.NUMBER, FieldKind.DATE, FieldKind.DATETIME})


def _fits(kind: FieldKind, value: Value) -> bool:
    """True when `value` is a literal of the field's kind (Comparison Operators: the value's
    type must match the field's)."""
    if value is None or kind is FieldKind.CUSTOM:
        return True
    if kind in _TEXTUAL:
        return isinstance(value, str)
    if kind is FieldKind.NUMBER:
        return isinstance(value, Decimal)
    if kind is FieldKind.BOOLEAN:
        return isinstance(value, bool)
    if kind is FieldKind.DATE:
        return isinstance(value, DateRange) or (
            isinstance(value, date) and not isinstance(value, datetime)
        )
    return isinstance(value, datetime | DateRange)  # DATETIME


def _check(cond: Condition, sobject: str, objects: SObjects) -> None:
    match cond:
        case Logic(_, items):
            for item in items:
                _check(item, sobject, objects)
            return
        case Negation(item):
            _check(item, sobject, objects)
            return
    try:
        kind = objects.resolve(sobject, cond.field)
    except UnknownField as exc:
        raise FilterError(str(exc)) from None
    if kind is FieldKind.LONGTEXT:
        raise FilterError(f"{cond.field} is a long text area: SOQL cannot filter on it")
    match cond:
        case Like():
            if kind not in (FieldKind.TEXT, FieldKind.CUSTOM):
                raise FilterError(f"LIKE needs a text field; {cond.field} holds {kind.value}")
        case InList(field, values):
            if any(v is None or isinstance(v, DateRange) for v in values):
                raise FilterError(f"{field} IN (...) takes values, not NULL or date literals")
            for v in values:
                if not _fits(kind, v):
                    raise FilterError(f"{field} holds {kind.value}: {_literal(v)} does not fit")
        case Compare(field, op, value):
            if value is None and op not in ("=", "!="):
                raise FilterError(f"{field} {op} NULL: NULL only takes = or !=")
            if op not in ("=", "!=") and kind not in _ORDERED | {FieldKind.CUSTOM}:
                raise FilterError(f"{field} holds {kind.value}: it takes = or !=, not {op}")
            if not _fits(kind, value):
                raise FilterError(f"{field} holds {kind.value}: {_literal(value)} does not fit")


def parse_condition(text: str, sobject: str, objects: SObjects | None = None) -> Condition:
    """A checked condition on `sobject`: the grammar, then its fields and values.

    FilterError in one line when the text is not a condition sfqb accepts, names a field the
    sObject does not have, or compares a field with a value of another kind.
    """
    cond = parse_text(text)
    _check(cond, sobject, objects or salesforce_objects())
    return cond
