"""What the Web Connector service needs from the outside: a session store and a work source.

The service lives in the connectors layer and may not import the store; these Protocols and
records are the contract `sfqb.store.Store` implements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

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

    def count_queued(self, company_id: int) -> int:
        """How many of the company's message sets wait to be sent."""
        ...

    def enqueue(self, company_id: int, request_xml: str) -> int:
        """Queue a message set for the company; returns its id."""
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


class WorkSource(Protocol):
    """Where message sets come from (the sync engine) and where their answers go."""

    def more_work(self, company: str) -> Sequence[str]:
        """Message sets to queue for `company` now; called when its queue is empty."""
        ...

    def deliver(self, company: str, item: OutboxItem) -> None:
        """An answered or failed message set this source (or anyone) queued."""
        ...

    def outage(self, company: str, status: DecodedStatus) -> None:
        """The Web Connector could not reach QuickBooks (connectionError), decoded."""
        ...


class NoWorkSource:
    """A work source with nothing to add: the service only drains what is already queued."""

    def more_work(self, company: str) -> Sequence[str]:
        """Nothing new."""
        return ()

    def deliver(self, company: str, item: OutboxItem) -> None:
        """Answers stay in the outbox for whoever reads it."""

    def outage(self, company: str, status: DecodedStatus) -> None:
        """The outage is recorded on the session; nothing else to do."""
