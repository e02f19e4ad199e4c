"""Whether one more custom field fits a target's slots: the rule, with the numbers as data.

`limits` has `per_list` (list -> how many fields it may carry) and `groups` (lists sharing a
total: {"lists": [...], "total": n}). A field on several lists takes a slot on each of them and
one of every group it touches. The QuickBooks Desktop numbers are in the codec's
data/custom_fields.yaml; the sandbox enforces the same rule with this function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def full_list(
    defined: Iterable[Sequence[str]], limits: Mapping[str, Any], lists: Sequence[str]
) -> str | None:
    """None when a new field on `lists` fits beside the `defined` ones, else what is full."""
    taken = [set(d) for d in defined]
    for name in lists:
        cap = limits.get("per_list", {}).get(name)
        if cap is None or sum(1 for d in taken if name in d) >= cap:
            return name
    for group in limits.get("groups", ()):
        members = set(group["lists"])
        if set(lists) & members and sum(1 for d in taken if d & members) >= group["total"]:
            return "/".join(group["lists"])
    return None
