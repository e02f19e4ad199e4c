"""Turning what a person types or a log holds into a (system, code) key."""

from __future__ import annotations

import re

from sfqb.domain.status import System


class UnknownCodeFormat(ValueError):
    """The text is not a status code of any system sfqb knows."""


_HEX = re.compile(r"^0x[0-9a-f]{1,8}$", re.IGNORECASE)
_QBWC = re.compile(r"^qbwc\s*-?(\d{1,5})$", re.IGNORECASE)
_HTTP = re.compile(r"^http[\s_-]?(\d{3})$", re.IGNORECASE)
_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^[A-Z]{3,}$")
_NUMBER = re.compile(r"^-?\d{1,10}$")


def _hresult(value: int) -> str:
    return f"0x{value & 0xFFFFFFFF:08X}"


def normalize_code(system: System, text: str) -> str:
    """The catalog key for `text` in `system`; raises UnknownCodeFormat if it cannot be one."""
    raw = text.strip()
    if not raw:
        raise UnknownCodeFormat("an empty status code")
    if system is System.HRESULT:
        if _HEX.match(raw):
            return _hresult(int(raw, 16))
        if _NUMBER.match(raw):
            return _hresult(int(raw))
        raise UnknownCodeFormat(f"{raw!r} is not an HRESULT (expected 0x80040408 or a number)")
    if system is System.QBWC:
        found = _QBWC.match(raw) or re.match(r"^(\d{1,5})$", raw)
        if not found:
            raise UnknownCodeFormat(f"{raw!r} is not a Web Connector code (expected QBWC1039)")
        return f"QBWC{int(found.group(1))}"
    http = _HTTP.match(raw)
    if http:
        return f"http-{http.group(1)}"
    if system in (System.QBXML, System.QBO):
        if _NUMBER.match(raw):
            return str(int(raw))
        if system is System.QBO and raw.isdigit():
            return str(int(raw))
        raise UnknownCodeFormat(f"{raw!r} is not a {system.value} status code (expected a number)")
    if system is System.SALESFORCE:
        if re.match(r"^[A-Za-z][A-Za-z0-9_]*$", raw):
            return raw.upper()
        raise UnknownCodeFormat(f"{raw!r} is not a Salesforce errorCode (expected DUPLICATE_VALUE)")
    # transport: sfqb's own names, or the seed article's numbers
    if re.match(r"^[A-Za-z0-9_]+$", raw):
        return raw.upper()
    raise UnknownCodeFormat(f"{raw!r} is not a transport status code")


def systems_for(text: str) -> tuple[System, ...]:
    """The systems a bare code (no --system given) is looked up in, most specific first."""
    raw = text.strip()
    if _HEX.match(raw):
        return (System.HRESULT,)
    if _QBWC.match(raw):
        return (System.QBWC,)
    if _HTTP.match(raw):
        return (System.QBO, System.SALESFORCE, System.TRANSPORT)
    if _NUMBER.match(raw):
        if raw.startswith("-"):
            return (System.HRESULT,)
        return (System.QBXML, System.TRANSPORT, System.QBO)
    if _SNAKE.match(raw):
        return (System.SALESFORCE, System.TRANSPORT)
    raise UnknownCodeFormat(
        f"{raw!r} is not a status code: expected a number (3100), an HRESULT (0x80040408), "
        "a Web Connector code (QBWC1039), an HTTP status (HTTP 429) "
        "or an errorCode (DUPLICATE_VALUE)"
    )
