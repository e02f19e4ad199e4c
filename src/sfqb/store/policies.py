"""Company policies saved from the console (revision 0014): they override the config file's.

One row per company holds the `policy:` settings an admin saved, in the config file's shape;
the service layer (sfqb.services.policy) checks them before they are stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from sfqb.store.common import Sessions, StoreError
from sfqb.store.models import COMPANY, Base, UTCDateTime


class CompanyPolicyRow(Base):
    """A company's own policy settings, saved by an admin."""

    __tablename__ = "company_policies"

    company: Mapped[str] = mapped_column(COMPANY, primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True)
class SavedPolicy:
    """The settings saved for a company, by whom and when."""

    company: str
    settings: dict[str, Any]
    updated_by: str
    updated_at: datetime


class Policies:
    """The stored policy of each company (at most one)."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def get(self, company: str) -> SavedPolicy | None:
        """The company's saved policy, or None when it has none."""
        with self._sessions() as db:
            row = db.get(CompanyPolicyRow, company)
            if row is None:
                return None
            return SavedPolicy(row.company, dict(row.settings), row.updated_by, row.updated_at)

    def save(self, company: str, settings: Mapping[str, Any], *, by: str, at: datetime) -> None:
        """Create or replace the company's saved policy (the caller has checked it)."""
        if not company.strip():
            raise StoreError("a policy needs a company")
        with self._sessions.begin() as db:
            row = db.get(CompanyPolicyRow, company)
            if row is None:
                db.add(CompanyPolicyRow(
                    company=company, settings=dict(settings), updated_by=by, updated_at=at
                ))  # fmt: skip
            else:
                row.settings, row.updated_by, row.updated_at = dict(settings), by, at

    def delete(self, company: str) -> bool:
        """Forget the company's saved policy; whether there was one."""
        with self._sessions.begin() as db:
            gone = db.execute(delete(CompanyPolicyRow).where(CompanyPolicyRow.company == company))
            return bool(getattr(gone, "rowcount", 0))

    def companies(self) -> list[str]:
        """The companies with a saved policy."""
        with self._sessions() as db:
            return list(db.scalars(select(CompanyPolicyRow.company).order_by("company")))
