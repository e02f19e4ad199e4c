"""Which flows of a company are switched on: every flow is on until a person switches it off."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sfqb.store.common import Clock, Sessions, StoreError
from sfqb.store.models import FlowSettingRow


@dataclass(frozen=True, slots=True)
class FlowSetting:
    """A flow's stored switch: who set it and when."""

    company: str
    flow: str
    enabled: bool
    changed_by: str | None
    changed_at: datetime


class FlowSettings:
    """(company, flow) -> on or off; a flow without a row is on."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def for_company(self, company: str) -> dict[str, FlowSetting]:
        """The stored switches of a company, by flow (flows never switched are absent)."""
        with self._sessions() as db:
            rows = db.scalars(select(FlowSettingRow).where(FlowSettingRow.company == company))
            return {
                r.flow: FlowSetting(r.company, r.flow, r.enabled, r.changed_by, r.changed_at)
                for r in rows
            }

    def disabled(self, company: str, off_by_default: Collection[str] = ()) -> frozenset[str]:
        """The flows switched off for the company: a stored switch wins; a flow never switched
        is off when it is in `off_by_default` (the company's config file says so)."""
        stored = self.for_company(company)
        off = {f for f, s in stored.items() if not s.enabled}
        return frozenset(off | {f for f in off_by_default if f not in stored})

    def set(self, company: str, flow: str, enabled: bool, *, by: str | None = None) -> FlowSetting:
        """Switch a flow on or off and return the stored switch."""
        if not company or not flow:
            raise StoreError("a flow setting needs a company and a flow")
        for _ in range(2):  # a concurrent first write loses the insert race once
            try:
                with self._sessions.begin() as db:
                    row = db.get(FlowSettingRow, (company, flow), with_for_update=True)
                    now = self._clock()
                    if row is None:
                        row = FlowSettingRow(company=company, flow=flow)
                        db.add(row)
                    row.enabled, row.changed_by, row.changed_at = enabled, by, now
                    return FlowSetting(company, flow, enabled, by, now)
            except IntegrityError:
                continue
        raise StoreError(f"could not switch the flow {flow!r} of {company!r}")
