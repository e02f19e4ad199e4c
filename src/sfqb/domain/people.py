"""The people who use the console: their role and the companies they may see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a person may do; each role includes the ones below it (admin ⊃ operator ⊃ viewer)."""

    VIEWER = "viewer"  # reads
    OPERATOR = "operator"  # acts on records
    ADMIN = "admin"  # users, connections, settings, policies

    @property
    def rank(self) -> int:
        """0 for viewer, 1 for operator, 2 for admin."""
        return _RANKS[self]


_RANKS = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Person:
    """A signed-in user: name, role, and the companies granted (None: every company)."""

    name: str
    role: Role
    companies: frozenset[str] | None

    def may(self, role: Role) -> bool:
        """True when the person's role includes `role`."""
        return self.role.rank >= role.rank

    def sees(self, company: str) -> bool:
        """True when the person was granted `company` (or every company)."""
        return self.companies is None or company in self.companies
