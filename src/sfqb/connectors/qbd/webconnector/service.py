"""The eight Web Connector operations, with QuickBooks Web Connector's semantics (§3.2).

Every piece of session state lives in the store, keyed by ticket, so any process holding the
same store can answer the next call of a session. A company has at most one live session: the
store grants it atomically, and the process serving it holds a lease there, renewed on every
call and by `renew_leases` (the heartbeat), so a session whose process died is taken over
once its lease lapses instead of keeping the company busy for the whole session timeout.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from sfqb import __version__
from sfqb.codes.catalog import Catalog
from sfqb.codes.normalize import UnknownCodeFormat
from sfqb.connectors.qbd.qbxml import (
    QbxmlVersionError,
    RequestResult,
    negotiate_version,
    qbwc_supported_versions,
)
from sfqb.connectors.qbd.webconnector.credentials import burn_time, verify_password
from sfqb.connectors.qbd.webconnector.guard import (
    LockoutAlarm,
    LoginGuard,
    cut,
    is_ticket,
    too_long,
)
from sfqb.connectors.qbd.webconnector.ports import (
    CompanyLogin,
    OutboxItem,
    OutboxStatus,
    SessionState,
    SessionStore,
    TakeOver,
    WorkSource,
)
from sfqb.connectors.qbd.webconnector.progress import NOOP, Progress, WorkTracker
from sfqb.connectors.qbd.webconnector.responses import ResponseError, summarize_response
from sfqb.connectors.qbd.webconnector.settings import ServiceSettings, load_settings
from sfqb.connectors.qbd.webconnector.tickets import ticket_key
from sfqb.connectors.qbd.webconnector.versions import (
    VersionError,
    declared_version,
    parse_host_response,
    version_key,
    with_version,
)
from sfqb.domain.login_throttle import LoginThrottle
from sfqb.domain.status import DecodedStatus, System

Clock = Callable[[], datetime]

NVU, NONE, BUSY, USE_OPEN_FILE = "nvu", "none", "busy", ""
_CLIENT_VERSION = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9}){0,5}")
UNREADABLE_VERSION = (
    "sfqb cannot read this Web Connector's version ({version!r}); it is built for version "
    "{minimum} or later and will try to continue."
)
# receiveResponseXML's negative answers (QBWC then calls getLastError).
QBWC_REPORTED_ERROR = -1
UNREADABLE_RESPONSE = -2
UNKNOWN_SESSION = -3
UNKNOWN_TICKET_TEXT = "sfqb does not know this session ticket (expired or closed): run again."
# Why a session was closed when authenticate took its company over, and what its unanswered
# message sets are marked with.
ABANDONED = ("session abandoned by the Web Connector", "session abandoned")
LEASE_LAPSED = (
    "session taken over: the sfqb process serving it stopped renewing its lease",
    "the sfqb process serving the session stopped",
)


def describe(status: DecodedStatus) -> str:
    """A decoded status as the one-paragraph text QBWC shows in its status column."""
    text = f"{status.code} {status.title}: {status.meaning}"
    said = status.message.strip().rstrip(".")
    if said and said not in (status.title.rstrip("."), status.meaning.rstrip(".")):
        text += f" (QuickBooks said: {status.message})"
    return text


class WebConnectorService:
    """Answers the Web Connector's calls for every company in the store."""

    def __init__(
        self,
        store: SessionStore,
        work_source: WorkSource,
        catalog: Catalog,
        clock: Clock,
        settings: ServiceSettings | None = None,
        *,
        owner: str | None = None,
        login_alarm: LockoutAlarm | None = None,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self._store = store
        self._work = work_source
        self._catalog = catalog
        self._clock = clock
        self.settings = settings or load_settings()
        # Who holds the leases of the sessions this service answers: one id per service.
        self.owner = owner or f"pid{os.getpid()}-{uuid.uuid4().hex}"
        self._tracker = WorkTracker(store, work_source, clock, self.owner, self.settings)
        self.login_guard = LoginGuard(
            throttle or LoginThrottle(self.settings.login, clock), login_alarm
        )

    # -- versions ------------------------------------------------------------------------

    def server_version(self) -> str:
        """sfqb's version, shown in the Web Connector's "More info"."""
        return f"sfqb {__version__}"

    def client_version(self, version: str) -> str:
        """`""` to go ahead, or `W:<text>` for a Web Connector older than sfqb supports or
        whose version sfqb cannot read (QBWC shows the text and lets the user continue)."""
        minimum = self.settings.min_client_version
        if not version.strip():
            return ""
        given = _version_tuple(version)
        if given is None:
            return f"W:{UNREADABLE_VERSION.format(version=cut(version, 40), minimum=minimum)}"
        if given >= (_version_tuple(minimum) or ()):
            return ""
        warning = self.settings.old_client_warning.format(version=version, minimum=minimum)
        return f"W:{warning}"

    # -- authenticate --------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client: str | None = None) -> list[str]:
        """[ticket, ""|"none"|"nvu"|"busy"]; rejected logins get a ticket that is never stored.

        "busy" (QBWC shows "Application Busy", QBWC Programmer's Guide, authenticate) when
        another session holds the company; the grant itself is atomic in the store. `client`
        is the caller's address, None when not known: the login throttle counts per pair.
        """
        guard, limit = self.login_guard, self.settings.max_credential_bytes
        if too_long(username, limit) or too_long(password, limit):
            guard.failed(username[:limit], client, None)
            return [_new_ticket(), NVU]
        if guard.refused(username, client):
            return [_new_ticket(), NVU]
        company = self._store.company_by_username(username) if username else None
        if company is None:
            burn_time(password)
            guard.failed(username, client, None)
            return [_new_ticket(), NVU]
        if not verify_password(password, company.password_hash):
            guard.failed(username, client, company.name)
            return [_new_ticket(), NVU]
        guard.succeeded(username, client)
        ticket = self._claim(company)
        if ticket is None:
            return [_new_ticket(), BUSY]
        key = ticket_key(ticket)
        try:
            progress = self._tracker.progress(key, company.id, company.name)
        except BaseException:
            self._store.discard_session(key)
            raise
        if progress is Progress.DONE:
            self._store.discard_session(key)
            return [_new_ticket(), NONE]
        return [ticket, USE_OPEN_FILE]  # ready, or at work: sendRequestXML pauses QBWC

    def _claim(self, company: CompanyLogin) -> str | None:
        """A new session's ticket, or None while another session holds the company."""
        now = self._clock()
        lapsed: tuple[SessionState, tuple[str, str]] | None = None
        for session in self._store.open_sessions(company.id):
            why = self._lapsed(session, now)
            if why is None:
                return None
            lapsed = session, why
        take_over = None
        if lapsed is not None:
            silent_since = now - self.settings.session_timeout
            take_over = TakeOver(lapsed[0].ticket, silent_since, lapsed[1][0])
        ticket = _new_ticket()
        state = SessionState(
            ticket_key(ticket), company.id, created=now, last_seen=now, owner=self.owner,
            lease_until=now + self.settings.lease,
        )  # fmt: skip
        if not self._store.start_session(state, take_over):
            return None  # another caller was granted the company first
        if lapsed is not None:
            stale, (_, note) = lapsed
            self._fail_unanswered(stale, company.name, f"reply never arrived ({note})")
        return ticket

    def _lapsed(self, session: SessionState, now: datetime) -> tuple[str, str] | None:
        """Why `session` no longer holds its company, or None while it is live."""
        if now - session.last_seen >= self.settings.session_timeout:
            return ABANDONED  # QBWC died, or its HTTP post failed: it will never close it
        if session.lease_until is None or session.lease_until <= now:
            return LEASE_LAPSED  # the process serving it is gone
        return None

    def renew_leases(self) -> int:
        """Extend the lease of every live session this service serves (the heartbeat)."""
        now = self._clock()
        silent_since = now - self.settings.session_timeout
        return self._store.renew_leases(self.owner, now + self.settings.lease, silent_since)

    # -- the request/response loop -------------------------------------------------------

    def send_request_xml(  # noqa: PLR0917 - mirrors the SOAP operation's parameters
        self,
        ticket: str,
        hcp_response: str,
        company_file: str,
        country: str,
        major: int,
        minor: int,
    ) -> str:
        """The company's next message set in the negotiated qbXML version, or "" for none."""
        session = self._touch(ticket)
        if session is None:
            return ""
        if hcp_response:
            session = replace(
                session, hcp_response=hcp_response, company_file=company_file, country=country
            )
        supported = self._supported_versions(session, major, minor)
        session = replace(session, qbxml_version=max(supported, key=_sort_key, default=""))
        item = self._store.claim_next(session.company_id, session.ticket, self._clock())
        if item is None:
            name = self._company_name(session)
            progress = self._tracker.progress(session.ticket, session.company_id, name)
            if progress is Progress.READY:
                item = self._store.claim_next(session.company_id, session.ticket, self._clock())
            if item is None:
                pause = progress is Progress.WORKING
                self._save(
                    replace(
                        session, last_error=NOOP if pause else self._tracker.error(session.ticket)
                    )
                )
                return ""
        wanted = self._wanted_version(item)
        try:
            version = negotiate_version(supported, wanted)
            request = with_version(item.request_xml, version)
        except (QbxmlVersionError, VersionError) as exc:
            self._finish(session, item, OutboxStatus.FAILED, None, str(exc))
            self._save(replace(session, last_error=str(exc)))
            return ""
        self._save(session)
        return request

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        """Decode QuickBooks' answer; percent done 0-100, or negative when it failed."""
        session = self._touch(ticket)
        if session is None:
            return UNKNOWN_SESSION
        pending = list(self._store.sent_items(session.ticket))
        item = pending.pop() if pending else None
        for stale in pending:
            self._finish(session, stale, OutboxStatus.FAILED, None, "no response arrived for it")
        if hresult:
            error = describe(self._decode_hresult(hresult, message))
            if item is not None:
                self._finish(session, item, OutboxStatus.FAILED, response or None, error)
            self._save(replace(session, last_error=error))
            return QBWC_REPORTED_ERROR
        try:
            summary = summarize_response(response, self._catalog)
        except ResponseError as exc:
            error = describe(exc.status)
            if item is not None:
                self._finish(session, item, OutboxStatus.FAILED, response, error)
            self._save(replace(session, last_error=error))
            return UNREADABLE_RESPONSE
        if item is not None:
            text, parsed = summary.text(), summary.results
            self._finish(session, item, OutboxStatus.ANSWERED, response, text, parsed=parsed)
            session = replace(session, position=session.position + 1)
        self._save(replace(session, last_error=""))
        return self._percent_done(session)

    def _percent_done(self, session: SessionState) -> int:
        remaining = self._store.count_queued(session.company_id)
        if not remaining:
            company = self._company_name(session)
            progress = self._tracker.progress(session.ticket, session.company_id, company)
            if progress is Progress.DONE:
                return 100
            remaining = max(1, self._store.count_queued(session.company_id))
        done = session.position
        return min(99, done * 100 // (done + remaining))

    # -- errors and the end of a session -------------------------------------------------

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """QBWC could not reach QuickBooks: record the decoded HRESULT and stop ("done")."""
        session = self._touch(ticket)
        if session is None:
            return "done"
        status = self._decode_hresult(hresult, message)
        name = self._company_name(session)
        self._work.outage(name, status)
        self._save(replace(session, last_error=describe(status), closed=True))
        self._fail_unanswered(session, name, "QuickBooks could not be reached")
        return "done"

    def get_last_error(self, ticket: str) -> str:
        """The last error of the session, decoded; a plain note when there was none."""
        session = self._store.get_session(ticket_key(ticket)) if is_ticket(ticket) else None
        if session is None:
            return UNKNOWN_TICKET_TEXT
        if not session.closed:
            self._save(replace(session, last_seen=self._clock()))
        return session.last_error or "No error: sfqb has nothing more to send."

    def close_connection(self, ticket: str) -> str:
        """End the session; the answer is QBWC's status-column text."""
        session = self._store.get_session(ticket_key(ticket)) if is_ticket(ticket) else None
        if session is None:
            return "OK"
        name = self._company_name(session)
        self._fail_unanswered(session, name, "no response arrived before the session closed")
        self._save(replace(session, closed=True, last_seen=self._clock()))
        if session.last_error:
            return f"OK: {session.position} message set(s) done; last error: {session.last_error}"
        return f"OK: {session.position} message set(s) done"

    # -- interactive mode: sfqb never asks for it ----------------------------------------

    def get_interactive_url(self, ticket: str, session_id: str) -> str:
        """No interactive URL: sfqb never returns "Interactive mode" from getLastError."""
        return ""

    def interactive_done(self, ticket: str) -> str:
        """Interactive mode is over (it never started)."""
        return "Done"

    def interactive_rejected(self, ticket: str, reason: str) -> str:
        """Acknowledge; nothing depends on interactive mode."""
        return "sfqb does not use interactive mode."

    # -- helpers -------------------------------------------------------------------------

    def _touch(self, ticket: str) -> SessionState | None:
        session = self._store.get_session(ticket_key(ticket)) if is_ticket(ticket) else None
        if session is None or session.closed:
            return None
        return replace(session, last_seen=self._clock())

    def _save(self, session: SessionState) -> None:
        """Store the session, held by this service with its lease renewed from now."""
        lease_until = self._clock() + self.settings.lease
        self._store.save_session(replace(session, owner=self.owner, lease_until=lease_until))

    def _company_name(self, session: SessionState) -> str:
        return self._store.company_name(session.company_id)

    def _supported_versions(self, session: SessionState, major: int, minor: int) -> list[str]:
        supported: list[str] = []
        if session.hcp_response:
            try:
                supported = list(parse_host_response(session.hcp_response).supported)
            except VersionError:
                supported = []
        if not supported:
            supported = list(qbwc_supported_versions(major, minor))
        return supported

    def _wanted_version(self, item: OutboxItem) -> str:
        try:
            declared = declared_version(item.request_xml)
        except VersionError:
            declared = None
        return declared or self.settings.default_qbxml_version

    def _decode_hresult(self, hresult: str, message: str) -> DecodedStatus:
        limit = self.settings.max_error_text_chars
        hresult, message = cut(hresult, limit), cut(message, limit)
        try:
            return self._catalog.decode(System.HRESULT, hresult.strip(), message or None)
        except UnknownCodeFormat:
            return self._unreadable("The Web Connector", f"HRESULT {hresult.strip()!r}")

    def _unreadable(self, endpoint: str, reason: str) -> DecodedStatus:
        text = f"{endpoint} sent a response sfqb cannot read: {reason}"
        return self._catalog.decode(System.TRANSPORT, "MALFORMED_RESPONSE", text)

    def _finish(
        self,
        session: SessionState,
        item: OutboxItem,
        status: OutboxStatus,
        response: str | None,
        summary: str,
        *,
        parsed: tuple[RequestResult, ...] | None = None,
    ) -> None:
        done = self._store.finish_item(item.id, status, response, summary, self._clock())
        self._work.deliver(self._company_name(session), replace(done, parsed=parsed))

    def _fail_unanswered(self, session: SessionState, company: str, why: str) -> None:
        """Fail what the session sent and got no answer for, and withdraw what its cycle
        queued for it and it never sent (no later session sends an old cycle's batch)."""
        for item in self._store.sent_items(session.ticket):
            done = self._store.finish_item(item.id, OutboxStatus.FAILED, None, why, self._clock())
            self._work.deliver(company, done)
        for done in self._store.withdraw_queued(session.ticket, why, self._clock()):
            self._work.deliver(company, done)


def _new_ticket() -> str:
    return str(uuid.uuid4())


def _version_tuple(text: str) -> tuple[int, ...] | None:
    """`"2.3.0.215"` as (2, 3, 0, 215); None unless it is 1-6 plain numbers of 1-9 digits."""
    found = _CLIENT_VERSION.fullmatch((text or "").strip())
    return tuple(int(p) for p in found.group(0).split(".")) if found else None


def _sort_key(version: str) -> tuple[int, int]:
    return version_key(version) or (-1, -1)
