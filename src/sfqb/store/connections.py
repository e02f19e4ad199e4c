"""Connections: how sfqb reaches Salesforce, QuickBooks Desktop or Online for a company."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from sfqb.store.common import Clock, Sessions, StoreError, to_jsonable
from sfqb.store.models import Connection as ConnectionRow
from sfqb.store.secrets import SecretBox, SecretKeyMissing


class ConnectionSystem(StrEnum):
    """The systems a company connects to."""

    SALESFORCE = "salesforce"
    QBD = "qbd"
    QBO = "qbo"


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """A connection's plain settings; the secret stays encrypted (`has_secret` says if set)."""

    company: str
    system: ConnectionSystem
    settings: dict[str, Any]
    has_secret: bool
    created_at: datetime
    updated_at: datetime


def _info(row: ConnectionRow) -> ConnectionInfo:
    return ConnectionInfo(
        company=row.company,
        system=ConnectionSystem(row.system),
        settings=dict(row.settings),
        has_secret=row.secret is not None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class Connections:
    """Connection settings and their encrypted secrets; one per (company, system)."""

    def __init__(self, sessions: Sessions, clock: Clock, box: SecretBox | None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._box = box

    def _require_box(self) -> SecretBox:
        if self._box is None:
            raise SecretKeyMissing()
        return self._box

    def save(
        self,
        company: str,
        system: ConnectionSystem,
        settings: Mapping[str, Any],
        secret: Mapping[str, Any] | None = None,
        *,
        keep_secret: bool = False,
    ) -> ConnectionInfo:
        """Create or replace a connection.

        `secret` (tokens, passwords) is encrypted; None clears it unless `keep_secret`.
        SecretKeyMissing when a secret is given and the store has no key.
        """
        if not company.strip():
            raise StoreError("a connection needs a company")
        system = ConnectionSystem(system)
        token = None
        if secret is not None:
            token = self._require_box().encrypt(json.dumps(to_jsonable(secret), sort_keys=True))
        plain = to_jsonable(settings)
        now = self._clock()
        for _ in range(2):  # a concurrent first save loses the insert race once
            try:
                with self._sessions.begin() as db:
                    row = db.scalar(
                        select(ConnectionRow).where(
                            ConnectionRow.company == company, ConnectionRow.system == system.value
                        )
                    )
                    if row is None:
                        row = ConnectionRow(
                            company=company, system=system.value, created_at=now, secret=None
                        )
                        db.add(row)
                    row.settings = plain
                    if token is not None or not keep_secret:
                        row.secret = token
                    row.updated_at = now
                    db.flush()
                    return _info(row)
            except IntegrityError:
                continue
        raise StoreError(f"could not save the {system} connection of {company!r}")

    def get(self, company: str, system: ConnectionSystem) -> ConnectionInfo | None:
        """The connection's settings, or None."""
        with self._sessions() as db:
            row = db.scalar(
                select(ConnectionRow).where(
                    ConnectionRow.company == company, ConnectionRow.system == system.value
                )
            )
            return _info(row) if row else None

    def secret(self, company: str, system: ConnectionSystem) -> dict[str, Any] | None:
        """The decrypted secret of a connection (None when it has none).

        SecretKeyMissing without a key; SecretKeyMismatch when it was stored under another key.
        """
        with self._sessions() as db:
            token = db.scalar(
                select(ConnectionRow.secret).where(
                    ConnectionRow.company == company, ConnectionRow.system == system.value
                )
            )
        if token is None:
            return None
        text = self._require_box().decrypt(token, f"the {system} secret of {company!r}")
        value: dict[str, Any] = json.loads(text)
        return value

    def for_company(self, company: str) -> list[ConnectionInfo]:
        """Every connection of a company, by system."""
        with self._sessions() as db:
            rows = db.scalars(
                select(ConnectionRow)
                .where(ConnectionRow.company == company)
                .order_by(ConnectionRow.system)
            )
            return [_info(r) for r in rows]

    def delete(self, company: str, system: ConnectionSystem) -> bool:
        """Remove a connection; False when there was none."""
        with self._sessions.begin() as db:
            result = db.execute(
                delete(ConnectionRow).where(
                    ConnectionRow.company == company, ConnectionRow.system == system.value
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
