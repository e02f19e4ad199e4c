"""A company's QuickBooks Online connection: connecting, losing it, and reconnecting in time.

Connecting is one service for `sfqb connect qbo` (the redirected URL pasted back) and for the
web app's `/qbo/callback`: `begin` hands out the authorization URL with a fresh state, and
`complete` checks the state, exchanges the code and stores the tokens. A connection Intuit no
longer accepts (QboAuthLost) opens the company's circuit, which pauses its flows, with one alert
that says to reconnect; the alert is the opening's connector_down alert, so the circuit's own
escalation adds no second one, and reconnecting closes the circuit and resolves it. A refresh
token nearing the end of its life is warned about once, ahead of time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sfqb.codes import Catalog
from sfqb.connectors.qbo.api import Environment, QboAuthLost
from sfqb.connectors.qbo.client import QboClient, QboSettings
from sfqb.connectors.qbo.limits import RealmLimiter, shared_limiter
from sfqb.connectors.qbo.oauth import OAuthApp, OAuthFailed, QboOAuth, parse_redirect
from sfqb.connectors.qbo.operations import QboDriver
from sfqb.domain.policy import AlertSettings
from sfqb.domain.status import DecodedStatus, System
from sfqb.jobs.alerts import AlertCenter, AlertKind
from sfqb.jobs.circuit import Circuit, describe_cause
from sfqb.jobs.runner import Driver
from sfqb.store import (
    AlertRecord,
    ConnectionSystem,
    QboConnection,
    Store,
    StoredCallMeter,
    StoredTokens,
)
from sfqb.sync.ops import QbOp, QbResult, QuickBooksUnavailable

AUTH_LOST = "QBO_AUTH_LOST"
WARN_AHEAD = timedelta(days=30)

AppFor = Callable[[Environment], OAuthApp]


def reconnect_message(company: str) -> str:
    """The one-line message of a lost connection."""
    return (
        f"QuickBooks Online no longer accepts sfqb's connection for company {company}: "
        f"reconnect with sfqb connect qbo --company {company}"
    )


@dataclass(frozen=True, slots=True)
class Started:
    """An authorization begun: the URL to open and the state it carries."""

    url: str
    state: str
    company: str
    environment: Environment


class QboConnections:
    """Connects companies to QuickBooks Online and watches their connections."""

    def __init__(  # noqa: PLR0917 - the collaborators
        self,
        store: Store,
        circuit: Circuit,
        alerts: AlertCenter,
        catalog: Catalog,
        clock: Callable[[], datetime],
        oauth: Callable[[OAuthApp], QboOAuth] | None = None,
        limiter: Callable[[str], RealmLimiter] = shared_limiter,
    ) -> None:
        self._store = store
        self._limiter = limiter  # the company's rate limiter, by realm (tests: a fake clock)
        self._circuit = circuit
        self._alerts = alerts
        self._catalog = catalog
        self._clock = clock
        self._oauth = oauth or (lambda app: QboOAuth(app, clock))

    # -- connecting --------------------------------------------------------------------------

    def begin(self, company: str, environment: Environment, app: OAuthApp) -> Started:
        """A new authorization for `company`: the URL its QuickBooks Online admin opens."""
        pending = self._store.qbo_tokens.begin(company, environment)
        url = self._oauth(app).authorization_url(pending.state)
        return Started(url, pending.state, company, environment)

    def complete(
        self, redirected_url: str, app_for: AppFor, *, expected_state: str | None = None
    ) -> QboConnection:
        """Finish an authorization from the URL Intuit redirected to, and store the tokens.

        OAuthFailed (nothing stored) when the URL is not a redirect, answers another or an
        expired authorization, or Intuit refuses the code; StoreError when the realm is
        connected as another company. A lost connection is paused no more.
        """
        redirect = parse_redirect(redirected_url)
        if expected_state is not None and redirect.state != expected_state:
            raise OAuthFailed(
                "that URL answers another authorization (its state does not match the one "
                "just printed): paste the address your browser was sent to for this one"
            )
        pending = self._store.qbo_tokens.pending(redirect.state)
        if pending is None:
            raise OAuthFailed(
                "that URL answers no authorization sfqb is waiting for (unknown or expired "
                "state): start again with sfqb connect qbo --company NAME"
            )
        app = app_for(pending.environment)
        tokens = self._oauth(app).exchange(redirect)
        connection = self._store.qbo_tokens.connect(pending, redirect.realm_id, app, tokens)
        settings = {"realm_id": redirect.realm_id, "environment": pending.environment.value}
        self._store.connections.save(
            pending.company, ConnectionSystem.QBO, settings, keep_secret=True
        )
        self._circuit.contact(pending.company)
        self._alerts.resolve(pending.company, AlertKind.QBO_RECONNECT_SOON)
        return connection

    # -- using -------------------------------------------------------------------------------

    def tokens(self, company: str) -> StoredTokens:
        """The company's TokenSource."""
        return StoredTokens(self._store.qbo_tokens, company, self._clock)

    def meter(self, company: str) -> StoredCallMeter:
        """The company's CallMeter."""
        return StoredCallMeter(self._store.qbo_calls, company)

    def lost(self, company: str, error: QboAuthLost, settings: AlertSettings) -> AlertRecord | None:
        """Pause the company (its circuit opens) and raise the one reconnect alert.

        Returns the alert raised; None when it was raised already for this opening.
        """
        message = reconnect_message(company)
        status = self._catalog.decode(System.TRANSPORT, AUTH_LOST)
        self._circuit.trip(company, status)
        opening = self._store.circuits.get(company).openings
        detail = f" ({error})" if str(error) else ""
        body = (
            f"{message}.\n\nIntuit refused the refresh token{detail}. The company's flows are "
            f"paused and resume by themselves once it is connected again.\n\n"
            f"{describe_cause(status)}"
        )
        return self._alerts.raise_alert(
            company, AlertKind.CONNECTOR_DOWN, f"opening-{opening}",
            f"[sfqb] {company}: reconnect QuickBooks Online", body, settings,
        )  # fmt: skip

    @contextmanager
    def open_driver(
        self,
        company: str,
        settings: AlertSettings,
        *,
        base_url: str | None = None,
        ca_file: str | None = None,
        custom_field: str = "",
    ) -> Iterator[Driver]:
        """The company's QuickBooks Online as a driver (its stored realm and environment, or
        `base_url` for a sandbox), guarded: a refused connection pauses the company.
        `custom_field` is the policy's binding_definition_id ("" for none)."""
        found = self._store.qbo_tokens.get(company)
        if found is None or found.lost_at is not None:
            why = "Intuit refused its connection" if found else "it has no tokens yet"
            raise OAuthFailed(f"{why}: connect it with sfqb connect qbo --company {company}")
        client = QboClient(
            QboSettings(
                found.realm_id,
                found.environment,
                base_url=base_url,
                ca_file=ca_file,
                custom_fields=bool(custom_field),
            ),
            tokens=self.tokens(company),
            meter=self.meter(company),
            catalog=self._catalog,
            limiter=self._limiter(found.realm_id),
            now=self._clock,  # CDC's 30-day window is measured on the company's clock
        )
        try:
            events = self._store.qbo_events
            driver = QboDriver(
                client,
                self._catalog,
                clock=self._clock,
                merged_into=lambda entity, gone: events.survivor(company, entity, gone),
                marker_field=custom_field,
                journal=self._store.qbo_batches.journal(company),
            )
            yield self.guard(company, driver, settings)
        finally:
            client.close()

    def decode_lost(self, message: str) -> DecodedStatus:
        """The status a refused connection is logged with."""
        return self._catalog.decode(System.TRANSPORT, AUTH_LOST, message)

    def guard(self, company: str, driver: Driver, settings: AlertSettings) -> Driver:
        """`driver`, with a refused connection (QboAuthLost) turned into the company's pause
        and one alert, then reported to the runner as QuickBooks unavailable (the cycle
        stops; nothing else is tried until the company is reconnected)."""
        return _Guarded(self, company, driver, settings)

    def check_expiry(
        self, company: str, settings: AlertSettings, now: datetime, ahead: timedelta = WARN_AHEAD
    ) -> AlertRecord | None:
        """Warn once when the company's refresh token stops working within `ahead`."""
        found = self._store.qbo_tokens.get(company)
        if found is None or found.lost_at is not None:
            return None
        until = found.reconnect_by
        if until - now > ahead:
            return None
        days = max(0, (until - now).days)
        body = (
            f"sfqb's QuickBooks Online connection for company {company} stops working on "
            f"{until:%Y-%m-%d} (in {days} day(s)): Intuit gives a refresh token a limited life. "
            f"Reconnect before then with sfqb connect qbo --company {company}."
        )
        return self._alerts.raise_alert(
            company, AlertKind.QBO_RECONNECT_SOON, "refresh-token",
            f"[sfqb] {company}: reconnect QuickBooks Online by {until:%Y-%m-%d}", body, settings,
        )  # fmt: skip


class _Guarded:
    """A driver whose QboAuthLost pauses the company (see QboConnections.guard)."""

    def __init__(
        self, owner: QboConnections, company: str, inner: Driver, settings: AlertSettings
    ) -> None:
        self._owner, self._company, self._inner, self._settings = owner, company, inner, settings

    def execute(self, ops: Sequence[QbOp]) -> list[QbResult]:
        """The inner driver's answers; a lost connection pauses the company first."""
        try:
            return self._inner.execute(ops)
        except QboAuthLost as exc:
            self._owner.lost(self._company, exc, self._settings)
            status = self._owner.decode_lost(str(exc))
            raise QuickBooksUnavailable(status) from exc
