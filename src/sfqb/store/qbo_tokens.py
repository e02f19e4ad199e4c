"""QuickBooks Online tokens per company, encrypted, refreshed under a per-company lock.

Intuit rotates refresh tokens: the refresh that uses the old token and the write of the new one
happen in one transaction that holds the company's row locked (PostgreSQL: SELECT ... FOR
UPDATE; SQLite: BEGIN IMMEDIATE, the database's write lock). The row is read again inside the
lock, so of two workers refreshing at once the second finds the first's new access token and
uses it instead of spending a refresh token that no longer exists.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sfqb.connectors.qbo.api import Environment, QboAuthLost
from sfqb.connectors.qbo.oauth import REFRESH_TOKEN_MAX_LIFETIME, OAuthApp, QboOAuth, Tokens
from sfqb.store.common import Clock, Sessions, StoreError
from sfqb.store.qbo_models import QboAuthorizationRow, QboTokenRow
from sfqb.store.secrets import SecretBox, SecretKeyMissing

REFRESH_MARGIN = timedelta(minutes=5)
AUTHORIZATION_TTL = timedelta(minutes=30)
NOT_CONNECTED = "not_connected"

OAuthFactory = Callable[[OAuthApp], QboOAuth]


@dataclass(frozen=True, slots=True)
class QboConnection:
    """A company's QuickBooks Online connection, without its secrets."""

    company: str
    realm_id: str
    environment: Environment
    connected_at: datetime
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    refresh_max_at: datetime
    refreshed_at: datetime | None
    lost_at: datetime | None
    lost_reason: str | None

    @property
    def reconnect_by(self) -> datetime:
        """When the refresh token stops working at the latest (rolling or maximum lifetime)."""
        if self.refresh_expires_at is None:
            return self.refresh_max_at
        return min(self.refresh_expires_at, self.refresh_max_at)


@dataclass(frozen=True, slots=True)
class PendingAuthorization:
    """An authorization URL handed out for a company and not yet completed."""

    state: str
    company: str
    environment: Environment
    created_at: datetime


def _connection(row: QboTokenRow) -> QboConnection:
    return QboConnection(
        company=row.company, realm_id=row.realm_id, environment=Environment(row.environment),
        connected_at=row.connected_at, access_expires_at=row.access_expires_at,
        refresh_expires_at=row.refresh_expires_at, refresh_max_at=row.refresh_max_at,
        refreshed_at=row.refreshed_at, lost_at=row.lost_at, lost_reason=row.lost_reason,
    )  # fmt: skip


class QboTokens:
    """The qbo_tokens and qbo_authorizations tables."""

    def __init__(
        self,
        sessions: Sessions,
        clock: Clock,
        box: SecretBox | None,
        oauth: OAuthFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._box = box
        self._oauth = oauth or (lambda app: QboOAuth(app, clock))

    def _require_box(self) -> SecretBox:
        if self._box is None:
            raise SecretKeyMissing()
        return self._box

    def _decrypt(self, token: str, what: str, company: str) -> str:
        return self._require_box().decrypt(token, f"the QuickBooks Online {what} of {company!r}")

    # -- authorizations ------------------------------------------------------------------

    def begin(self, company: str, environment: Environment) -> PendingAuthorization:
        """A new state for an authorization URL of `company` (expired ones are dropped)."""
        if not company.strip():
            raise StoreError("a QuickBooks Online connection needs a company")
        now = self._clock()
        row = QboAuthorizationRow(
            state=secrets.token_urlsafe(24), company=company,
            environment=Environment(environment).value, created_at=now,
        )  # fmt: skip
        with self._sessions.begin() as db:
            db.execute(
                delete(QboAuthorizationRow).where(
                    QboAuthorizationRow.created_at < now - AUTHORIZATION_TTL
                )
            )
            db.add(row)
        return PendingAuthorization(row.state, company, Environment(row.environment), now)

    def pending(self, state: str) -> PendingAuthorization | None:
        """The authorization begun with `state`, unless unknown or older than the TTL."""
        with self._sessions() as db:
            row = db.get(QboAuthorizationRow, state)
        if row is None or row.created_at < self._clock() - AUTHORIZATION_TTL:
            return None
        return PendingAuthorization(
            row.state, row.company, Environment(row.environment), row.created_at
        )

    # -- connections -----------------------------------------------------------------------

    def connect(
        self,
        pending: PendingAuthorization,
        realm_id: str,
        app: OAuthApp,
        tokens: Tokens,
        webhook_verifier: str | None = None,
    ) -> QboConnection:
        """Store the company's new tokens (replacing any earlier connection) and use up the
        authorization's state, in one transaction. StoreError when the realm is connected
        as another company."""
        box = self._require_box()
        now = self._clock()
        company = pending.company
        with self._sessions.begin() as db:
            other = db.scalar(
                select(QboTokenRow.company).where(
                    QboTokenRow.realm_id == realm_id, QboTokenRow.company != company
                )
            )
            if other is not None:
                raise StoreError(
                    f"QuickBooks Online company {realm_id} is already connected as {other!r}; "
                    f"connect it under that name (or remove {other!r} first)"
                )
            used = db.execute(
                delete(QboAuthorizationRow).where(QboAuthorizationRow.state == pending.state)
            )
            if not used.rowcount:  # type: ignore[attr-defined]
                raise StoreError("this authorization was completed already; start a new one")
            row = db.get(QboTokenRow, company)
            if row is None:
                row = QboTokenRow(company=company)
                db.add(row)
            row.realm_id = realm_id
            row.environment = pending.environment.value
            row.client_id = app.client_id
            row.client_secret = box.encrypt(app.client_secret)
            row.redirect_uri = app.redirect_uri
            row.token_url = app.token_url
            row.ca_file = app.verify if isinstance(app.verify, str) else None
            row.access_token = box.encrypt(tokens.access_token)
            row.access_expires_at = tokens.expires_at
            row.refresh_token = box.encrypt(tokens.refresh_token)
            row.refresh_expires_at = tokens.refresh_expires_at
            row.refresh_max_at = now + REFRESH_TOKEN_MAX_LIFETIME
            if webhook_verifier is not None:
                row.webhook_verifier = box.encrypt(webhook_verifier)
            row.connected_at = now
            row.refreshed_at = None
            row.lost_at = None
            row.lost_reason = None
            row.updated_at = now
            db.flush()
            return _connection(row)

    def get(self, company: str) -> QboConnection | None:
        """The company's connection, or None when it never connected."""
        with self._sessions() as db:
            row = db.get(QboTokenRow, company)
            return _connection(row) if row else None

    def all(self) -> list[QboConnection]:
        """Every QuickBooks Online connection, by company."""
        with self._sessions() as db:
            rows = db.scalars(select(QboTokenRow).order_by(QboTokenRow.company))
            return [_connection(r) for r in rows]

    def company_of_realm(self, realm_id: str) -> str | None:
        """The company connected to QuickBooks Online company `realm_id`, or None."""
        with self._sessions() as db:
            return db.scalar(select(QboTokenRow.company).where(QboTokenRow.realm_id == realm_id))

    def webhook_verifier(self, company: str) -> str | None:
        """The company's own webhook verifier token (None: the app-wide one applies)."""
        with self._sessions() as db:
            token = db.scalar(
                select(QboTokenRow.webhook_verifier).where(QboTokenRow.company == company)
            )
        return self._decrypt(token, "webhook verifier", company) if token else None

    def current(self, company: str) -> tuple[str, datetime]:
        """The stored access token and its expiry; QboAuthLost when there is none usable."""
        with self._sessions() as db:
            row = db.get(QboTokenRow, company)
            if row is None:
                raise QboAuthLost(NOT_CONNECTED, f"{company} is not connected")
            if row.lost_at is not None:
                raise QboAuthLost(row.lost_reason or "invalid_grant", "the connection was lost")
            return self._decrypt(row.access_token, "access token", company), row.access_expires_at

    # -- refreshing --------------------------------------------------------------------------

    @contextmanager
    def _locked(self, company: str) -> Iterator[tuple[Session, QboTokenRow | None]]:
        with self._sessions() as db:
            if db.get_bind().dialect.name == "sqlite":
                # The write lock first, so the read below is the latest committed row.
                db.connection().exec_driver_sql("BEGIN IMMEDIATE")
                row = db.get(QboTokenRow, company, populate_existing=True)
            else:
                row = db.scalar(
                    select(QboTokenRow).where(QboTokenRow.company == company).with_for_update()
                )
            try:
                yield db, row
            except BaseException:
                db.rollback()
                raise
            db.commit()

    def _app(self, row: QboTokenRow) -> OAuthApp:
        return OAuthApp(
            client_id=row.client_id,
            client_secret=self._decrypt(row.client_secret, "client secret", row.company),
            redirect_uri=row.redirect_uri,
            token_url=row.token_url,
            verify=row.ca_file or True,
        )

    def refresh(self, company: str, rejected: str | None, margin: timedelta) -> str:
        """A valid access token, refreshed under the company's lock unless another worker
        already did (the stored token is fresh and is not `rejected`).

        QboAuthLost when the company is not connected or Intuit refuses the refresh token
        (the loss is recorded); TokenEndpointUnavailable when Intuit cannot be reached.
        """
        lost: QboAuthLost | None = None
        with self._locked(company) as (db, row):
            if row is None:
                raise QboAuthLost(NOT_CONNECTED, f"{company} is not connected")
            if row.lost_at is not None:
                raise QboAuthLost(row.lost_reason or "invalid_grant", "the connection was lost")
            now = self._clock()
            access = self._decrypt(row.access_token, "access token", company)
            if row.access_expires_at - margin > now and access != rejected:
                return access
            old = self._decrypt(row.refresh_token, "refresh token", company)
            try:
                tokens = self._oauth(self._app(row)).refresh(old)
            except QboAuthLost as exc:
                lost = exc
                row.lost_at, row.updated_at = now, now
                row.lost_reason = str(exc)
            else:
                box = self._require_box()
                row.access_token = box.encrypt(tokens.access_token)
                row.access_expires_at = tokens.expires_at
                row.refresh_token = box.encrypt(tokens.refresh_token)
                row.refresh_expires_at = tokens.refresh_expires_at
                row.refreshed_at, row.updated_at = now, now
            db.flush()
        if lost is not None:
            raise lost
        return tokens.access_token


class StoredTokens:
    """The TokenSource of one company, over the store (see the module's docstring)."""

    def __init__(
        self, tokens: QboTokens, company: str, clock: Clock, margin: timedelta = REFRESH_MARGIN
    ) -> None:
        self._tokens = tokens
        self.company = company
        self._clock = clock
        self._margin = margin

    def access_token(self) -> str:
        """The stored access token, refreshed first when it expires within the margin."""
        access, expires_at = self._tokens.current(self.company)
        if expires_at - self._margin > self._clock():
            return access
        return self._tokens.refresh(self.company, None, self._margin)

    def refresh(self, rejected: str) -> str:
        """A new access token after QuickBooks refused `rejected`; raises QboAuthLost."""
        return self._tokens.refresh(self.company, rejected, self._margin)
