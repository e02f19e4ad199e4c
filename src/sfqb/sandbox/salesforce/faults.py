"""Fault injection: lock contention, exhausted API limits, expired sessions, the org's own
automation (validation rules, duplicate rules, trigger errors, the Apex CPU limit) and an org
without API access, on demand."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from enum import StrEnum


class RequestFault(StrEnum):
    """A fault that fails a whole request."""

    INVALID_SESSION_ID = "INVALID_SESSION_ID"
    REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"


class RecordFault(StrEnum):
    """The org's automation refusing one record's save, by the status code Salesforce sends."""

    VALIDATION_RULE = "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    DUPLICATE_RULE = "DUPLICATES_DETECTED"
    TRIGGER_ERROR = "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"


@dataclass(frozen=True)
class Refusal:
    """A refusal set up for some records: the code and the org's own message."""

    fault: RecordFault
    message: str
    fields: tuple[str, ...] = ()


class Faults:
    """What the sandbox should get wrong next; thread-safe, deterministic given `seed`.

    One-shot counters apply to the next N requests (or record writes) and then stop;
    `lock_rate` fails each record write with that probability until changed.
    """

    def __init__(self, lock_rate: float = 0.0, seed: int = 0) -> None:
        self.lock_rate = lock_rate
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._locks_left = 0
        self._locked_ids: set[str] = set()
        self._limit_left = 0
        self._session_left = 0
        self._refusals: dict[str, Refusal] = {}
        self.cpu_budget: int | None = None
        self.api_disabled = False

    def lock_next(self, n: int = 1) -> None:
        """Fail the next `n` record writes with UNABLE_TO_LOCK_ROW."""
        with self._lock:
            self._locks_left += n

    def lock_records(self, *record_ids: str) -> None:
        """Fail every write to these records (18-character Ids) until `unlock` or `clear`."""
        with self._lock:
            self._locked_ids.update(record_ids)

    def unlock(self, *record_ids: str) -> None:
        """Stop failing writes to these records."""
        with self._lock:
            self._locked_ids.difference_update(record_ids)

    def limit_exceeded_next(self, n: int = 1) -> None:
        """Refuse the next `n` API requests with 403 REQUEST_LIMIT_EXCEEDED."""
        with self._lock:
            self._limit_left += n

    def invalid_session_next(self, n: int = 1) -> None:
        """Refuse the next `n` API requests with 401 INVALID_SESSION_ID."""
        with self._lock:
            self._session_left += n

    def refuse(
        self, fault: RecordFault, message: str, *record_ids: str, fields: tuple[str, ...] = ()
    ) -> None:
        """Refuse every save of these records (18-character Ids) with `fault` and `message`."""
        with self._lock:
            for record_id in record_ids:
                self._refusals[record_id] = Refusal(fault, message, fields)

    def accept(self, *record_ids: str) -> None:
        """Stop refusing saves of these records."""
        with self._lock:
            for record_id in record_ids:
                self._refusals.pop(record_id, None)

    def refusal(self, record_id: str | None) -> Refusal | None:
        """The refusal set up for this record, if any."""
        with self._lock:
            return self._refusals.get(record_id) if record_id else None

    def limit_cpu(self, records: int | None) -> None:
        """Make the org's triggers exceed the Apex CPU limit on saves of more than `records`
        records in one request (None: never), as heavy triggers do on a full batch of 200."""
        with self._lock:
            self.cpu_budget = records

    def clear(self) -> None:
        """Forget every pending fault and set lock_rate to 0."""
        with self._lock:
            self.lock_rate = 0.0
            self._locks_left = self._limit_left = self._session_left = 0
            self._locked_ids.clear()
            self._refusals.clear()
            self.cpu_budget = None
            self.api_disabled = False

    def take_request_fault(self) -> RequestFault | None:
        """Consume and return the fault the current request should fail with, if any."""
        with self._lock:
            if self._session_left:
                self._session_left -= 1
                return RequestFault.INVALID_SESSION_ID
            if self._limit_left:
                self._limit_left -= 1
                return RequestFault.REQUEST_LIMIT_EXCEEDED
            return None

    def take_lock(self, record_id: str | None = None) -> bool:
        """True when this record write should fail with UNABLE_TO_LOCK_ROW."""
        with self._lock:
            if record_id is not None and record_id in self._locked_ids:
                return True
            if self._locks_left:
                self._locks_left -= 1
                return True
            return self.lock_rate > 0 and self._rng.random() < self.lock_rate
