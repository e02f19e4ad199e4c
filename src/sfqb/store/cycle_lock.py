"""One lock for a company's cycles, whichever process runs them.

A company's cycle may start in a `sfqb worker` (a procrastinate job: a pushed cycle, or
Salesforce's changes read and queued for the Web Connector) or in a `sfqb serve` process (the
cycle beside a Web Connector session). procrastinate's lock covers its jobs only; this lock
covers both, so two of them never read Salesforce or write the company's queue at once.

On PostgreSQL it is a session-level advisory lock keyed by the store's schema and the company,
held on a connection of its own for as long as the cycle runs: PostgreSQL releases it when
that connection ends, so the lock of a process that died (SIGKILL) is free at once and never
waits for a lease to lapse. Two companies whose keys hash alike only wait for each other.
On SQLite (one process) it is a lock in the process's memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

POLL = 0.2  # seconds between tries while another holds the company's lock
# The advisory lock's first key: sfqb's cycles, apart from any other user of advisory locks.
NAMESPACE = 0x5F51_B001
_TAKE = text("SELECT pg_try_advisory_lock(:ns, hashtext(current_schema() || '/' || :company))")
_UNLOCK = text("SELECT pg_advisory_unlock(:ns, hashtext(current_schema() || '/' || :company))")
_HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND classid = (:ns)::oid AND objsubid = 2 "
    "AND objid = (hashtext(current_schema() || '/' || :company))::oid"
)


class CompanyBusy(RuntimeError):
    """The company's cycle runs elsewhere and the caller stopped waiting for it."""


class CycleLock(Protocol):
    """Held by whoever runs a company's cycle; `take` never waits."""

    def take(self, company: str) -> bool:
        """Hold the company's lock; False when someone holds it."""
        ...

    def release(self, company: str) -> None:
        """Let the company's lock go (held by this object)."""
        ...

    def held(self, company: str) -> bool:
        """True while anyone holds the company's lock."""
        ...


@contextmanager
def holding(
    lock: CycleLock,
    company: str,
    keep_waiting: Callable[[], bool] = lambda: True,
    poll: float = POLL,
) -> Iterator[None]:
    """Hold `company`'s lock for the block, waiting while someone else holds it; CompanyBusy
    when `keep_waiting` says to give up first (asked between tries)."""
    pause = threading.Event()
    while not lock.take(company):
        if not keep_waiting():
            raise CompanyBusy(f"a cycle of {company} runs elsewhere")
        pause.wait(poll)
    try:
        yield
    finally:
        lock.release(company)


class LocalCycleLock:
    """The lock in this process's memory (SQLite: one process runs every cycle)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: set[str] = set()

    def take(self, company: str) -> bool:
        """Hold the company's lock; False when it is held."""
        with self._guard:
            if company in self._held:
                return False
            self._held.add(company)
            return True

    def release(self, company: str) -> None:
        """Let the company's lock go."""
        with self._guard:
            self._held.discard(company)

    def held(self, company: str) -> bool:
        """True while the company's lock is held."""
        with self._guard:
            return company in self._held


class AdvisoryCycleLock:
    """The lock as a PostgreSQL advisory lock, shared by every process on the database."""

    def __init__(self, engine: Engine) -> None:
        # Connections of their own, outside the store's pool: a held lock never takes a
        # connection the cycle needs, and releasing one closes its connection.
        self._engine = create_engine(engine.url, poolclass=NullPool)
        self._guard = threading.Lock()
        self._held: dict[str, Connection] = {}

    def take(self, company: str) -> bool:
        """Hold the company's lock on a new connection; False when anyone holds it."""
        with self._guard:
            if company in self._held:
                return False
            self._held[company] = connection = self._engine.connect()
        try:
            taken = connection.scalar(_TAKE, {"ns": NAMESPACE, "company": company})
            connection.commit()  # the lock outlives the transaction; no transaction stays open
        except BaseException:
            self._drop(company)
            raise
        if not taken:
            self._drop(company)
        return bool(taken)

    def release(self, company: str) -> None:
        """Let the lock go; closing its connection would too, should the unlock fail."""
        with self._guard:
            connection = self._held.get(company)
        if connection is None:
            return
        try:
            connection.execute(_UNLOCK, {"ns": NAMESPACE, "company": company})
            connection.commit()
        except DBAPIError:  # the connection is gone, and the lock with it
            pass
        finally:
            self._drop(company)

    def held(self, company: str) -> bool:
        """True while any process holds the company's lock."""
        with self._engine.connect() as connection:
            return bool(connection.scalar(_HELD, {"ns": NAMESPACE, "company": company}))

    def _drop(self, company: str) -> None:
        with self._guard:
            connection = self._held.pop(company, None)
        if connection is not None:
            connection.close()


def cycle_lock_for(engine: Engine) -> CycleLock:
    """The advisory lock on PostgreSQL, the in-memory lock otherwise."""
    if engine.dialect.name == "postgresql":
        return AdvisoryCycleLock(engine)
    return LocalCycleLock()
