"""One lock for a company's cycles, whichever process runs them.

A company's cycle may start in a `sfqb worker` (a procrastinate job: a pushed cycle, or
Salesforce's changes read and queued for the Web Connector) or in a `sfqb serve` process (the
cycle beside a Web Connector session). procrastinate's lock covers its jobs only; this lock
covers both, so two of them never read Salesforce or write the company's queue at once.

On PostgreSQL it is a session-level advisory lock keyed by the store's schema and the company,
held on a connection of its own (a small pool beside the store's) for as long as the cycle
runs: PostgreSQL releases it when that connection ends, so the lock of a process that died
(SIGKILL) is free at once and never waits for a lease to lapse. Two companies whose keys hash
alike only wait for each other. On a SQLite file it is a file lock (flock) per company in a
directory beside the database, so `sfqb sync` run by hand waits for `sfqb serve`'s cycle on
the same file; the kernel frees the lock of a process that died. An in-memory SQLite database
is one process's: a lock in its memory.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError

POLL = 0.2  # seconds between tries while another holds the company's lock
SPARE = 2  # connections kept open for the next tries, once their lock was let go
# The advisory lock's first key: sfqb's cycles, apart from any other user of advisory locks.
NAMESPACE = 0x5F51_B001
_TAKE = text("SELECT pg_try_advisory_lock(:ns, hashtext(current_schema() || '/' || :company))")
_UNLOCK_ALL = text("SELECT pg_advisory_unlock_all()")
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


class FileCycleLock:
    """The lock as a file lock per company, shared by every process on one SQLite file."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._guard = threading.Lock()
        self._held: dict[str, int] = {}  # company -> the descriptor holding its lock

    def _open(self, company: str) -> int:
        self._directory.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(company.encode()).hexdigest()[:32]  # any company name
        return os.open(self._directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)

    def take(self, company: str) -> bool:
        """Hold the company's lock; False when any process (this one too) holds it."""
        with self._guard:
            if company in self._held:
                return False
            descriptor = self._open(company)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                return False
            self._held[company] = descriptor
            return True

    def release(self, company: str) -> None:
        """Let the company's lock go (closing the file lets it go too)."""
        with self._guard:
            descriptor = self._held.pop(company, None)
        if descriptor is not None:
            os.close(descriptor)

    def held(self, company: str) -> bool:
        """True while any process holds the company's lock."""
        with self._guard:
            if company in self._held:
                return True
        descriptor = self._open(company)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)  # a shared lock taken to look is let go with it
        return False


class AdvisoryCycleLock:
    """The lock as a PostgreSQL advisory lock, shared by every process on the database."""

    def __init__(self, engine: Engine) -> None:
        # Connections of their own, outside the store's pool: a held lock never takes a
        # connection the cycle needs. A few are kept for the tries of those waiting; any
        # beyond them is closed when its lock is let go.
        self._engine = create_engine(
            engine.url, pool_size=SPARE, max_overflow=-1, pool_pre_ping=True
        )
        self._guard = threading.Lock()
        self._held: dict[str, Connection] = {}
        event.listen(engine, "engine_disposed", lambda _: self._engine.dispose())

    def take(self, company: str) -> bool:
        """Hold the company's lock on a connection of its own; False when anyone holds it."""
        connection = self._engine.connect()
        with self._guard:
            if company in self._held:  # held by this process: no need to ask
                connection.close()
                return False
            self._held[company] = connection
        try:
            taken = connection.scalar(_TAKE, {"ns": NAMESPACE, "company": company})
            connection.commit()  # the lock outlives the transaction; no transaction stays open
        except BaseException:
            connection.invalidate()  # closed for good: never back in the pool holding a lock
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
            # Every lock of the connection's session: it holds this one alone, and goes back
            # to the pool holding none.
            connection.execute(_UNLOCK_ALL)
            connection.commit()
        except DBAPIError:  # the connection is gone, and the lock with it
            connection.invalidate()
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
    """The advisory lock on PostgreSQL, file locks beside a SQLite file, else in memory."""
    if engine.dialect.name == "postgresql":
        return AdvisoryCycleLock(engine)
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        path = Path(database)
        return FileCycleLock(path.with_name(f"{path.name}.locks"))
    return LocalCycleLock()
