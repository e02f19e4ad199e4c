"""The sync cycle a Web Connector session waits on, run beside it and tracked in the store.

No Web Connector call waits on Salesforce: a session's cycle (reading Salesforce, deciding,
writing back) runs beside the session, started by the first call that finds none holding it,
and talks to the session only through the store (its message sets, claimed with a lease and
marked done there). So any process sharing the store can answer any call of the session, and
a call that finds nothing ready yet answers at once: authenticate opens the session, and
sendRequestXML answers "" with getLastError "NoOp", the Web Connector's "come back in 5 s".
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sfqb.connectors.qbd.webconnector.ports import (
    OutboxItem,
    SessionState,
    SessionStore,
    WorkClaim,
    WorkSource,
)
from sfqb.connectors.qbd.webconnector.settings import ServiceSettings

Clock = Callable[[], datetime]
# getLastError's pause: the Web Connector waits 5 s and calls sendRequestXML again
# (QBWC Programmer's Guide, getLastError; nsoftware QBWCServer GetLastError "Pause").
NOOP = "NoOp"
WITHDRAWN = "withdrawn: the cycle stopped before the Web Connector asked for it"
WORK_POLL = 0.2  # seconds between looks at the store while a cycle elsewhere is at work


class Progress(Enum):
    """Where a session's work stands when a call has to answer."""

    READY = "ready"  # a message set is queued for it
    WORKING = "working"  # its cycle is still reading or deciding: come back later
    DONE = "done"  # its cycle has ended and nothing is queued


@dataclass(frozen=True, slots=True)
class _Handle:
    """A `WorkHandle`: the cycle's way to a session through the store."""

    store: SessionStore
    ticket: str
    company_id: int
    work_id: str
    clock: Clock
    lease: timedelta

    def enqueue(self, request_xml: str) -> int:
        """Queue a message set for this session alone."""
        return self.store.enqueue(self.company_id, request_xml, self.ticket)

    def item(self, item_id: int) -> OutboxItem | None:
        """The message set as it is now."""
        return self.store.item(item_id)

    def renew(self) -> bool:
        """Extend the claim; False once the session closed or moved on."""
        return self.store.renew_work(self.ticket, self.work_id, self.clock() + self.lease)

    def withdraw(self) -> None:
        """Fail what the cycle queued for the session and was never sent."""
        self.store.withdraw_queued(self.ticket, WITHDRAWN, self.clock())

    def done(self, error: str = "") -> None:
        """Mark the cycle ended."""
        self.store.finish_work(self.ticket, self.work_id, error)


class WorkTracker:
    """Starts a session's cycle when none holds it, and tells a call where it stands."""

    def __init__(
        self,
        store: SessionStore,
        work: WorkSource,
        clock: Clock,
        owner: str,
        settings: ServiceSettings,
    ) -> None:
        self._store, self._work, self._clock = store, work, clock
        self.owner, self.settings = owner, settings

    def progress(self, key: str, company_id: int, company: str) -> Progress:
        """Whether session `key` has a message set ready, its cycle is still at work, or it
        is done. Starts the cycle when none holds the session; waits for it at most
        `answer_within` seconds, so no call waits on Salesforce."""
        deadline = time.monotonic() + self.settings.answer_within
        running = False  # the session's cycle, seen held by this process, still at work here
        while True:
            if self._store.count_queued(company_id):
                return Progress.READY
            if not running:  # else nothing to look up in the store: its next set is awaited
                session = self._store.get_session(key)
                if session is None or session.closed:
                    return Progress.DONE
                work = self._store.session_work(key)
                if work is not None and work.done:  # queued before done: look once more
                    queued = self._store.count_queued(company_id)
                    return Progress.READY if queued else Progress.DONE
                # A cycle of this process always marks itself done; one of another process is
                # taken over once its lease lapsed (that process died).
                lapsed = (
                    work is not None and work.owner != self.owner and _lapsed(work, self._clock())
                )
                if work is None or lapsed:
                    self._begin(session, company)
                    continue  # it may have had nothing to run
            left = deadline - time.monotonic()
            if left <= 0:
                return Progress.WORKING
            # Only a cycle of this process is heard ending: one of another is looked up again.
            mine = running or (work is not None and work.owner == self.owner)
            running = self._work.wait(company, min(left, WORK_POLL)) and mine

    def _begin(self, session: SessionState, company: str) -> None:
        """Claim the session's cycle (none yet, or its process stopped) and start it."""
        now = self._clock()
        claim = WorkClaim(self.owner, uuid.uuid4().hex, now + self.settings.lease)
        if not self._store.claim_work(session.ticket, claim, now):
            return  # another call claimed it first, or the session closed
        handle = _Handle(
            self._store, session.ticket, session.company_id, claim.id, self._clock,
            self.settings.lease,
        )  # fmt: skip
        started = False
        try:
            started = self._work.begin(company, handle)
        finally:
            if not started:
                handle.done()

    def error(self, key: str) -> str:
        """Why session `key`'s cycle failed, as getLastError tells it; "" when it did not."""
        work = self._store.session_work(key)
        return f"sfqb could not run the sync cycle: {work.error}" if work and work.error else ""


def _lapsed(work: WorkClaim, now: datetime) -> bool:
    return work.until is None or work.until <= now
