"""Salesforce record Ids in the sandbox: the forms (sfqb.domain.sfid) and minting new ones."""

from __future__ import annotations

import string

from sfqb.domain.sfid import IdError, is_id, normalize, repair_case, to15, to18

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

__all__ = [
    "BASE62",
    "IdError",
    "IdMinter",
    "base62",
    "is_id",
    "normalize",
    "repair_case",
    "to15",
    "to18",
]


def base62(number: int, width: int) -> str:
    """`number` in base 62 (0-9A-Za-z), left-padded with zeros to `width` characters."""
    if number < 0 or number >= 62**width:
        raise ValueError(f"{number} does not fit in {width} base-62 digits")
    digits = []
    for _ in range(width):
        number, rem = divmod(number, 62)
        digits.append(BASE62[rem])
    return "".join(reversed(digits))


class IdMinter:
    """Issues fresh Ids: key prefix, a two-character pod, '0', then a nine-digit counter."""

    def __init__(self, pod: str = "8d", start: int = 3_844_000) -> None:
        if len(pod) != 2:
            raise ValueError("pod must be two base-62 characters")
        self._pod = pod
        self._next: dict[str, int] = {}
        self._start = start

    def mint(self, prefix: str) -> str:
        """A new 18-character Id with the given three-character key prefix."""
        if len(prefix) != 3:
            raise ValueError(f"key prefix must be three characters: {prefix!r}")
        n = self._next.get(prefix, self._start)
        # 7919 spreads consecutive Ids over mixed-case digits, like real ones.
        self._next[prefix] = n + 7919
        return to18(prefix + self._pod + "0" + base62(n, 9))
