"""What the Web Connector service needs from the outside: a session store and a work source.

The service lives in the connectors layer and may not import the store; these Protocols and
records are the contract `sfqb.store.Store` implements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sfqb.connectors.qbd.qbxml.parse import RequestResult
from sfqb.domain.status import DecodedStatus


class OutboxStatus(StrEnum):
    """Where a queued qbXML message set is in its round trip."""

    QUEUED = "queued"
    SENT = "sent"
    ANSWERED = "answered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CompanyLogin:
    """A company as the Web Connector knows it: its login and the GUIDs of its .qwc file."""

    id: int
    name: str
    username: str
    password_hash: str
    owner_id: str
    file_id: str


@dataclass(frozen=True, slots=True)
class SessionState:
    """One Web Connector session, keyed by the hash of the ticket authenticate handed out.

    `ticket` is `ticket_key(ticket)`: the store never holds the ticket itself.
    """

    ticket: str
    company_id: int
    created: datetime
    last_seen: datetime
    hcp_response: str = ""
    company_file: str = ""
    qbxml_version: str = ""
    country: str = ""
    position: int = 0
    last_error: str = ""
    closed: bool = False
    owner: str = ""  # the process serving the session, which renews its lease
    lease_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class WorkClaim:
    """The cycle run beside a session: by which process (`owner`), under which claim (`id`),
    held while `until` is renewed; `done` once it has ended (`error` when it failed)."""

    owner: str
    id: str
    until: datetime | None
    done: bool = False
    error: str = ""


@dataclass(frozen=True, slots=True)
class TakeOver:
    """A session authenticate judged lapsed, to close in the transaction that starts the next.

    It is closed only if it is still open and still lapsed when the store looks: its lease
    ended by the new session's start, or its Web Connector silent since `silent_since`.
    """

    ticket: str
    silent_since: datetime
    why: str


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One qbXML message set queued for a company, and what became of it."""

    id: int
    company_id: int
    request_xml: str
    status: OutboxStatus
    ticket: str | None = None
    sent_at: datetime | None = None
    response_xml: str | None = None
    summary: str | None = None
    # The decoded response, in the process that received it (never stored): the cycle
    # waiting on the item reads it instead of parsing response_xml a second time.
    parsed: tuple[RequestResult, ...] | None = field(default=None, compare=False, repr=False)


class SessionStore(Protocol):
    """Persistence the service needs; every call is its own transaction."""

    def company_by_username(self, username: str) -> CompanyLogin | None:
        """The company whose Web Connector user name is `username`, or None."""
        ...

    def company_name(self, company_id: int) -> str:
        """The name of the company with this id."""
        ...

    def open_sessions(self, company_id: int) -> Sequence[SessionState]:
        """The company's sessions that are not closed."""
        ...

    def start_session(self, state: SessionState, take_over: TakeOver | None = None) -> bool:
        """Record `state` as its company's one live session, atomically.

        False (nothing written) when another open session holds the company, or when
        `take_over` is no longer lapsed; otherwise `take_over` is closed in the same step.
        """
        ...

    def discard_session(self, ticket: str) -> None:
        """Delete a session that never did anything (authenticate found no work), as if it
        had never been started."""
        ...

    def renew_leases(self, owner: str, until: datetime, silent_since: datetime) -> int:
        """Extend the lease of `owner`'s open sessions heard from after `silent_since`."""
        ...

    def get_session(self, ticket: str) -> SessionState | None:
        """The session with this ticket, or None."""
        ...

    def save_session(self, state: SessionState) -> None:
        """Overwrite the stored state of an existing session; a closed session stays closed."""
        ...

    def session_work(self, ticket: str) -> WorkClaim | None:
        """The cycle session `ticket` waits on, or None before one was started."""
        ...

    def claim_work(self, ticket: str, claim: WorkClaim, now: datetime) -> bool:
        """Make `claim` the session's cycle, unless one is held (its `until` after `now`) or
        done, or the session is closed; True when it was made."""
        ...

    def renew_work(self, ticket: str, work_id: str, until: datetime) -> bool:
        """Extend claim `work_id` of an open session to `until`; False when the session is
        closed or its cycle is no longer that claim."""
        ...

    def finish_work(self, ticket: str, work_id: str, error: str) -> None:
        """Record that claim `work_id`'s cycle ended (`error` when it failed)."""
        ...

    def count_queued(self, company_id: int) -> int:
        """How many of the company's message sets wait to be sent."""
        ...

    def enqueue(self, company_id: int, request_xml: str, ticket: str | None = None) -> int:
        """Queue a message set for the company; returns its id. With `ticket`, only that
        session may send it."""
        ...

    def withdraw_queued(self, ticket: str, why: str, now: datetime) -> Sequence[OutboxItem]:
        """Fail the message sets queued for session `ticket` alone and not sent (its cycle
        stopped): they are never sent later."""
        ...

    def item(self, item_id: int) -> OutboxItem | None:
        """One outbox item by id."""
        ...

    def claim_next(self, company_id: int, ticket: str, now: datetime) -> OutboxItem | None:
        """Mark the company's oldest queued message set as sent in open session `ticket`.

        None when nothing is queued or the session is closed (e.g. taken over).
        """
        ...

    def sent_items(self, ticket: str) -> Sequence[OutboxItem]:
        """Message sets sent in this session and not yet answered."""
        ...

    def finish_item(
        self,
        item_id: int,
        status: OutboxStatus,
        response_xml: str | None,
        summary: str,
        now: datetime,
    ) -> OutboxItem:
        """Record the outcome of a sent message set."""
        ...


class WorkHandle(Protocol):
    """What a cycle run beside a session is given to talk to it through the store."""

    def enqueue(self, request_xml: str) -> int:
        """Queue a message set for the session; its outbox id."""
        ...

    def item(self, item_id: int) -> OutboxItem | None:
        """The message set as it is now (sent, answered or failed)."""
        ...

    def renew(self) -> bool:
        """Keep holding the session's cycle; False once the session closed or the cycle was
        taken over (the cycle must then stop)."""
        ...

    def withdraw(self) -> None:
        """Fail the message sets the cycle queued and the session never sent (it stopped)."""
        ...

    def done(self, error: str = "") -> None:
        """The cycle ended; `error` says why it failed, if it did."""
        ...


class WorkSource(Protocol):
    """Where message sets come from (the sync engine) and where their answers go.

    No call waits on the work: `begin` starts a cycle beside the session and returns at once;
    the cycle queues its message sets and says it is done through the handle.
    """

    def begin(self, company: str, handle: WorkHandle) -> bool:
        """Start `company`'s cycle beside the session of `handle`; False when there is
        nothing to run (the session then ends once its queue is drained)."""
        ...

    def wait(self, company: str, seconds: float) -> bool:
        """Block until this source queued or finished something for `company`, or for at
        most `seconds` (a source in another process is not heard: return at the latest then).

        True when a cycle this source began for `company` is still at work: the caller knows
        then, without a look at the store, that the work it saw running still runs.
        """
        ...

    def deliver(self, company: str, item: OutboxItem) -> None:
        """An answered or failed message set this source (or anyone) queued."""
        ...

    def outage(self, company: str, status: DecodedStatus) -> None:
        """The Web Connector could not reach QuickBooks (connectionError), decoded."""
        ...


class NoWorkSource:
    """A work source with nothing to add: the service only drains what is already queued."""

    def begin(self, company: str, handle: WorkHandle) -> bool:
        """Nothing to run."""
        return False

    def wait(self, company: str, seconds: float) -> bool:
        """Nothing ever comes: return at once."""
        return False

    def deliver(self, company: str, item: OutboxItem) -> None:
        """Answers stay in the outbox for whoever reads it."""

    def outage(self, company: str, status: DecodedStatus) -> None:
        """The outage is recorded on the session; nothing else to do."""
