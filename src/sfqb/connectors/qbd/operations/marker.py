"""The `[sf:ID]` marker sfqb writes at the end of a transaction's Memo.

A transaction is created before its SalesforceID custom field can be set (DataExtAdd needs the
TxnID). If the reply to the Add is lost, the marker in the Memo still tells which Salesforce
record the transaction belongs to, so sfqb finds it instead of creating a duplicate.
"""

from __future__ import annotations

import re

from sfqb.connectors.qbd.qbxml import DEFAULT_RULES, FieldRules, TextChange, sanitize

_MARKER = re.compile(r"\s*\[sf:([^\[\]\s]+)\]\s*\Z")


def marker_text(sf_id: str) -> str:
    """The marker for one Salesforce id."""
    return f"[sf:{sf_id}]"


def split_marker(memo: str | None) -> tuple[str | None, str | None]:
    """(the memo without its trailing marker, the Salesforce id of the marker or None)."""
    if memo is None:
        return None, None
    found = _MARKER.search(memo)
    if found is None:
        return memo, None
    return memo[: found.start()], found.group(1)


def with_marker(
    memo: str | None, sf_id: str, path: str, rules: FieldRules = DEFAULT_RULES
) -> tuple[str, TextChange | None]:
    """The Memo to send: `memo` (any old marker removed) + " [sf:ID]", within the field's limit.

    The memo is put through the codec's text rule first, so its length is the length sent; if
    it is too long to leave room for the marker it is cut, and the cut is reported. `path` is
    the Memo's element path (e.g. "InvoiceAdd/Memo").
    """
    marker = marker_text(sf_id)
    base, _ = split_marker(memo)
    original = base or ""
    sent, change = sanitize(original, path, rules.text)
    reasons = [change.reason] if change is not None else []
    limit = rules.limit_for(path)
    if limit is not None and sent:
        room = limit - len(marker) - 1
        if len(sent) > room:
            sent = sent[: max(room, 0)].rstrip()
            reasons.append(f"cut to {len(sent)} characters to leave room for the marker {marker}")
    text = f"{sent} {marker}" if sent else marker
    if not reasons:
        return text, None
    return text, TextChange(field=path, original=original, sent=sent, reason="; ".join(reasons))
