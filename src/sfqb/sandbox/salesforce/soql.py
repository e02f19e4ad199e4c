"""A parser for the SOQL SELECT subset the sandbox answers; produces a small syntax tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sfqb.sandbox.salesforce.values import parse_datetime


class SoqlError(ValueError):
    """The query text is not SOQL the sandbox understands (MALFORMED_QUERY)."""


@dataclass(frozen=True)
class FieldRef:
    """A field, possibly through parent relationships: Account.Name -> ("Account", "Name")."""

    path: tuple[str, ...]

    @property
    def text(self) -> str:
        """The path as written, dot-separated."""
        return ".".join(self.path)


@dataclass(frozen=True)
class Literal:
    """A value in a condition; kind is string, number, boolean, null, datetime, date or range."""

    kind: str
    value: Any
    n: int | None = None  # the N of LAST_N_DAYS:N and friends


@dataclass(frozen=True)
class Comparison:
    """field op value, where op is one of = != < <= > >=."""

    field: FieldRef
    op: str
    value: Literal


@dataclass(frozen=True)
class InList:
    """field [NOT] IN (values)."""

    field: FieldRef
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Like:
    """field LIKE 'pattern' with % and _ wildcards."""

    field: FieldRef
    pattern: str


@dataclass(frozen=True)
class BoolOp:
    """AND / OR of several conditions."""

    op: str
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """NOT condition."""

    item: Condition


Condition = Comparison | InList | Like | BoolOp | Not


@dataclass(frozen=True)
class OrderItem:
    """One ORDER BY key."""

    field: FieldRef
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True)
class Count:
    """COUNT() in the select list."""


@dataclass
class Query:
    """A parsed SELECT; `sobject` is a relationship name when this is a subquery."""

    fields: list[FieldRef | Query | Count]
    sobject: str
    where: Condition | None = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None


# A dateTime literal may carry a fraction of a second. Salesforce's "Date Formats and Date
# Literals in WHERE" page lists whole seconds only, but a real org ran `CreatedDate >=
# 2022-12-01T10:47:53.299852-06:00` (Illuminated Cloud issue 2283) and clients send `.000Z`; the
# sandbox takes it and compares with the fraction given (SystemModstamp carries milliseconds).
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
    | (?P<date>\d{4}-\d{2}-\d{2})(?![\d:T])
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<string>'(?:[^'\\]|\\.)*')
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>!=|<>|<=|>=|=|<|>)
    | (?P<punct>[(),.:])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}
_KEYWORDS = frozenset(
    [
        "SELECT",
        "FROM",
        "WHERE",
        "AND",
        "OR",
        "NOT",
        "IN",
        "LIKE",
        "ORDER",
        "BY",
        "ASC",
        "DESC",
        "NULLS",
        "FIRST",
        "LAST",
        "LIMIT",
        "OFFSET",
        "TRUE",
        "FALSE",
        "NULL",
    ]
)
_RANGES = frozenset(
    [
        "TODAY",
        "YESTERDAY",
        "TOMORROW",
        "LAST_WEEK",
        "THIS_WEEK",
        "NEXT_WEEK",
        "LAST_MONTH",
        "THIS_MONTH",
        "NEXT_MONTH",
        "THIS_YEAR",
        "LAST_YEAR",
        "NEXT_YEAR",
        "LAST_90_DAYS",
        "NEXT_90_DAYS",
    ]
)
_N_RANGES = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO"})


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[_Tok]:
    """Split SOQL text into tokens; raises SoqlError at the first character it cannot read."""
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.lastgroup is None:
            start = len(text) - len(text[pos:].lstrip())
            raise SoqlError(f"unexpected character at column {start + 1}: {text[start]!r}")
        kind = match.lastgroup
        tokens.append(_Tok(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


def parse(text: str) -> Query:
    """Parse one SOQL SELECT statement."""
    parser = _Parser(tokenize(text))
    query = parser.query(subquery=False)
    if not parser.done():
        raise SoqlError(f"unexpected token {parser.peek_text()!r} after the query")
    return query


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.i = 0

    def done(self) -> bool:
        return self.i >= len(self.tokens)

    def peek_text(self) -> str:
        return self.tokens[self.i].text if not self.done() else "end of query"

    def at(self, *words: str) -> bool:
        if self.done():
            return False
        tok = self.tokens[self.i]
        return tok.text.upper() in words and tok.kind in ("ident", "op", "punct")

    def take(self, *words: str) -> str:
        if not self.at(*words):
            raise SoqlError(f"expected {' or '.join(words)} but found {self.peek_text()!r}")
        self.i += 1
        return self.tokens[self.i - 1].text.upper()

    def next(self, kind: str) -> _Tok:
        if self.done() or self.tokens[self.i].kind != kind:
            raise SoqlError(f"expected {kind} but found {self.peek_text()!r}")
        self.i += 1
        return self.tokens[self.i - 1]

    def query(self, subquery: bool) -> Query:
        self.take("SELECT")
        fields: list[FieldRef | Query | Count] = [self.select_item(subquery)]
        while self.at(","):
            self.take(",")
            fields.append(self.select_item(subquery))
        self.take("FROM")
        query = Query(fields, self.object_name())
        if self.at("WHERE"):
            self.take("WHERE")
            query.where = self.or_expr()
        if self.at("ORDER"):
            self.take("ORDER")
            self.take("BY")
            query.order = [self.order_item()]
            while self.at(","):
                self.take(",")
                query.order.append(self.order_item())
        if self.at("LIMIT"):
            self.take("LIMIT")
            query.limit = int(self.next("number").text)
        if self.at("OFFSET"):
            self.take("OFFSET")
            query.offset = int(self.next("number").text)
        return query

    def select_item(self, subquery: bool) -> FieldRef | Query | Count:
        if self.at("(") and not subquery:
            self.take("(")
            inner = self.query(subquery=True)
            self.take(")")
            return inner
        if (
            self.at("COUNT")
            and self.i + 1 < len(self.tokens)
            and self.tokens[self.i + 1].text == "("
        ):
            self.take("COUNT")
            self.take("(")
            self.take(")")
            return Count()
        return self.field_ref()

    def object_name(self) -> str:
        """The object after FROM ("Order" is one too, unless BY follows: ORDER BY)."""
        ahead = self.tokens[self.i : self.i + 2]
        by_follows = len(ahead) > 1 and ahead[1].text.upper() == "BY"
        if ahead and ahead[0].text.upper() == "ORDER" and not by_follows:
            self.i += 1
            return ahead[0].text
        return self.name()

    def name(self) -> str:
        tok = self.next("ident")
        if tok.text.upper() in _KEYWORDS:
            raise SoqlError(f"unexpected keyword {tok.text!r} at column {tok.pos + 1}")
        return tok.text

    def field_ref(self) -> FieldRef:
        path = [self.name()]
        while self.at("."):
            self.take(".")
            path.append(self.name())
        return FieldRef(tuple(path))

    def order_item(self) -> OrderItem:
        ref = self.field_ref()
        descending = False
        if self.at("ASC", "DESC"):
            descending = self.take("ASC", "DESC") == "DESC"
        nulls_last = descending
        if self.at("NULLS"):
            self.take("NULLS")
            nulls_last = self.take("FIRST", "LAST") == "LAST"
        return OrderItem(ref, descending, nulls_last)

    def or_expr(self) -> Condition:
        items = [self.and_expr()]
        while self.at("OR"):
            self.take("OR")
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("OR", tuple(items))

    def and_expr(self) -> Condition:
        items = [self.not_expr()]
        while self.at("AND"):
            self.take("AND")
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("AND", tuple(items))

    def not_expr(self) -> Condition:
        if self.at("NOT"):
            self.take("NOT")
            return Not(self.not_expr())
        if self.at("("):
            self.take("(")
            inner = self.or_expr()
            self.take(")")
            return inner
        return self.predicate()

    def predicate(self) -> Condition:
        ref = self.field_ref()
        if self.at("NOT", "IN"):
            negated = self.take("NOT", "IN") == "NOT"
            if negated:
                self.take("IN")
            self.take("(")
            values = [self.literal()]
            while self.at(","):
                self.take(",")
                values.append(self.literal())
            self.take(")")
            return InList(ref, tuple(values), negated)
        if self.at("LIKE"):
            self.take("LIKE")
            if self.done() or self.tokens[self.i].kind != "string":
                raise SoqlError("LIKE needs a quoted string pattern")
            return Like(ref, _unquote(self.next("string").text, like=True))
        op = self.next("op").text
        return Comparison(ref, "!=" if op == "<>" else op, self.literal())

    def literal(self) -> Literal:
        if self.done():
            raise SoqlError("expected a value but the query ended")
        tok = self.tokens[self.i]
        self.i += 1
        if tok.kind == "string":
            return Literal("string", _unquote(tok.text))
        if tok.kind == "number":
            return Literal("number", float(tok.text))
        if tok.kind == "datetime":
            return Literal("datetime", parse_datetime(tok.text))
        if tok.kind == "date":
            try:
                return Literal("date", date.fromisoformat(tok.text))
            except ValueError:
                raise SoqlError(f"invalid date {tok.text!r}") from None
        word = tok.text.upper()
        if tok.kind == "ident" and word in ("TRUE", "FALSE"):
            return Literal("boolean", word == "TRUE")
        if tok.kind == "ident" and word == "NULL":
            return Literal("null", None)
        if tok.kind == "ident" and word in _RANGES:
            return Literal("range", word)
        if tok.kind == "ident" and word in _N_RANGES:
            self.take(":")
            return Literal("range", word, int(self.next("number").text))
        raise SoqlError(f"expected a value but found {tok.text!r} at column {tok.pos + 1}")


def _unquote(text: str, *, like: bool = False) -> str:
    """The text of a quoted string. In a LIKE pattern, \\% and \\_ (a literal percent sign and
    underscore, "LIKE expression only" in Salesforce's Quoted String Escape Sequences) and \\\\
    stay escaped for `like_regex`."""
    body = text[1:-1]
    out = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if like and nxt in "%_\\":
                out.append(char + nxt)
                i += 2
                continue
            if nxt not in _ESCAPES:
                raise SoqlError(f"invalid escape sequence \\{nxt} in {text}")
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def like_regex(pattern: str) -> re.Pattern[str]:
    """The case-insensitive regular expression for a LIKE pattern (% any run, _ one char; a
    backslash makes the next character literal: \\%, \\_, \\\\)."""
    parts, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append("." if char == "_" else ".*" if char == "%" else re.escape(char))
        i += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
