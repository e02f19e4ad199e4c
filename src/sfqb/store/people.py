"""Console users, their company grants and API tokens (revision 0010).

The store keeps what it is given: password hashes are made (and checked) by
`sfqb.services.people`, and of an API token only its SHA-256 is stored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sfqb.store.common import Clock, Sessions, StoreError
from sfqb.store.models import Company, Connection
from sfqb.store.people_models import ConsoleKeyRow, GrantRow, TokenRow, UserRow

SESSION_SECRET = "session_secret"  # noqa: S105 - the key's name, not the key


class UserTaken(StoreError):
    """A user of that name exists already."""


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A stored user; `companies` is None when the user sees every company."""

    id: int
    name: str
    password_hash: str
    role: str
    companies: frozenset[str] | None
    disabled: bool
    created_at: datetime
    sessions_since: datetime | None = None  # sessions signed in before this are over


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A stored API token (without the token)."""

    id: int
    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _grants(db: Session, row: UserRow) -> frozenset[str] | None:
    if row.all_companies:
        return None
    found = db.scalars(select(GrantRow.company).where(GrantRow.user_id == row.id))
    return frozenset(found)


def _user(db: Session, row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id,
        name=row.name,
        password_hash=row.password_hash,
        role=row.role,
        companies=_grants(db, row),
        disabled=row.disabled,
        created_at=row.created_at,
        sessions_since=row.sessions_since,
    )


def _token(row: TokenRow, user: str) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        user=user,
        label=row.label,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class People:
    """The console's users, grants, tokens and keys; one transaction per call."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def _row(self, db: Session, name: str) -> UserRow:
        row = db.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise StoreError(f"no user named {name!r}")
        return row

    # -- users -------------------------------------------------------------------------------

    def add(
        self,
        name: str,
        password_hash: str,
        role: str,
        companies: frozenset[str] | None = frozenset(),
    ) -> UserRecord:
        """A new user; `companies` None grants every company. UserTaken when the name is."""
        row = UserRow(
            name=name,
            password_hash=password_hash,
            role=role,
            all_companies=companies is None,
            disabled=False,
            created_at=self._clock(),
        )
        try:
            with self._sessions.begin() as db:
                db.add(row)
                db.flush()
                for company in sorted(companies or ()):
                    db.add(GrantRow(user_id=row.id, company=company))
                db.flush()
                return _user(db, row)
        except IntegrityError:
            raise UserTaken(f"a user named {name!r} exists already") from None

    def get(self, name: str) -> UserRecord | None:
        """The user called `name`, or None."""
        with self._sessions() as db:
            row = db.scalar(select(UserRow).where(UserRow.name == name))
            return _user(db, row) if row else None

    def all(self) -> list[UserRecord]:
        """Every user, by name."""
        with self._sessions() as db:
            return [_user(db, r) for r in db.scalars(select(UserRow).order_by(UserRow.name))]

    def set_password_hash(self, name: str, password_hash: str, *, end_sessions: bool) -> None:
        """Replace the user's password hash; with `end_sessions`, their sessions signed in
        until now are over."""
        with self._sessions.begin() as db:
            row = self._row(db, name)
            row.password_hash = password_hash
            if end_sessions:
                row.sessions_since = self._clock()

    def set_role(self, name: str, role: str) -> None:
        """Change the user's role."""
        with self._sessions.begin() as db:
            self._row(db, name).role = role

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Disable (or enable again) the user: a disabled user cannot sign in or use a token."""
        with self._sessions.begin() as db:
            self._row(db, name).disabled = disabled

    def remove(self, name: str) -> None:
        """Delete the user with their grants and tokens."""
        with self._sessions.begin() as db:
            row = self._row(db, name)
            db.execute(delete(GrantRow).where(GrantRow.user_id == row.id))
            db.execute(delete(TokenRow).where(TokenRow.user_id == row.id))
            db.delete(row)

    # -- grants ------------------------------------------------------------------------------

    def grant(self, name: str, company: str) -> bool:
        """Let the user see `company`; False when they already did."""
        with self._sessions.begin() as db:
            row = self._row(db, name)
            if row.all_companies or db.get(GrantRow, (row.id, company)) is not None:
                return False
            db.add(GrantRow(user_id=row.id, company=company))
            return True

    def revoke(self, name: str, company: str) -> bool:
        """Take `company` away from the user; False when it was not granted."""
        with self._sessions.begin() as db:
            row = self._row(db, name)
            done = db.execute(
                delete(GrantRow).where(GrantRow.user_id == row.id, GrantRow.company == company)
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def set_all_companies(self, name: str, every: bool) -> None:
        """Grant every company (True), or only the companies granted one by one (False)."""
        with self._sessions.begin() as db:
            self._row(db, name).all_companies = every

    def companies(self) -> list[str]:
        """The names of every company the store knows (Web Connector companies and companies
        with a connection), sorted ignoring case."""
        query = union(select(Company.name), select(Connection.company))
        with self._sessions() as db:
            return sorted(set(db.scalars(query)), key=str.casefold)

    # -- API tokens --------------------------------------------------------------------------

    def add_token(self, name: str, label: str, token_hash: str) -> TokenRecord:
        """Store a new token's hash for the user."""
        with self._sessions.begin() as db:
            user = self._row(db, name)
            row = TokenRow(
                user_id=user.id, label=label, token_hash=token_hash, created_at=self._clock()
            )
            db.add(row)
            db.flush()
            return _token(row, user.name)

    def token_user(self, token_hash: str) -> UserRecord | None:
        """The user of the live (not revoked) token with this hash, noting its use; or None."""
        with self._sessions.begin() as db:
            row = db.scalar(
                select(TokenRow).where(
                    TokenRow.token_hash == token_hash, TokenRow.revoked_at.is_(None)
                )
            )
            if row is None:
                return None
            row.last_used_at = self._clock()
            user = db.get(UserRow, row.user_id)
            return _user(db, user) if user else None

    def tokens(self, name: str | None = None) -> list[TokenRecord]:
        """Every token (of user `name` when given), newest first."""
        query = select(TokenRow, UserRow.name).join(UserRow, UserRow.id == TokenRow.user_id)
        if name is not None:
            query = query.where(UserRow.name == name)
        with self._sessions() as db:
            rows = db.execute(query.order_by(TokenRow.id.desc()))
            return [_token(token, user) for token, user in rows]

    def revoke_token(self, token_id: int) -> TokenRecord | None:
        """Revoke the token (a revoked one stays revoked at its first time); None if unknown."""
        with self._sessions.begin() as db:
            row = db.get(TokenRow, token_id)
            if row is None:
                return None
            if row.revoked_at is None:
                db.execute(
                    update(TokenRow).where(TokenRow.id == token_id).values(revoked_at=self._clock())
                )
                db.refresh(row)
            user = db.get(UserRow, row.user_id)
            return _token(row, user.name if user else "")

    # -- the console's own keys --------------------------------------------------------------

    def session_secret(self) -> str:
        """The console's stored session secret, made (random) on first use."""
        with self._sessions() as db:
            found = db.get(ConsoleKeyRow, SESSION_SECRET)
            if found is not None:
                return found.value
        value = secrets.token_urlsafe(48)
        try:
            with self._sessions.begin() as db:
                db.add(ConsoleKeyRow(name=SESSION_SECRET, value=value, created_at=self._clock()))
        except IntegrityError:  # another process made it first: use theirs
            pass
        with self._sessions() as db:
            row = db.get(ConsoleKeyRow, SESSION_SECRET)
            assert row is not None
            return row.value
