"""The store's repository: every read and write sfqb makes, one transaction per call (or per set
of writes: `Store.work()`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, inspect, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from sfqb.connectors.qbd.webconnector.credentials import hash_password
from sfqb.connectors.qbd.webconnector.ports import (
    CompanyLogin,
    OutboxItem,
    OutboxStatus,
)
from sfqb.store.alerts import Alerts
from sfqb.store.binding_cache import BindingCache
from sfqb.store.bindings import Bindings
from sfqb.store.checkpoints import Checkpoints
from sfqb.store.circuits import Circuits
from sfqb.store.common import Direction, StoreError
from sfqb.store.connections import Connections
from sfqb.store.cycle_lock import cycle_lock_for
from sfqb.store.engine import create_engine_from_url
from sfqb.store.flow_settings import FlowSettings
from sfqb.store.journal import Journal
from sfqb.store.models import Company, QbdOutbox, QbwcSession
from sfqb.store.people import People
from sfqb.store.policies import Policies
from sfqb.store.qbo_batches import QboBatches
from sfqb.store.qbo_events import QboCalls, QboEvents
from sfqb.store.qbo_tokens import OAuthFactory, QboTokens
from sfqb.store.queue import QueueItem, SyncQueue
from sfqb.store.review import ReviewList
from sfqb.store.review_actions import RecordOverrides, ReviewActions
from sfqb.store.secrets import SecretBox
from sfqb.store.sessions import SessionRows, SessionWork
from sfqb.store.sessions import outbox_item as _item
from sfqb.store.work import Queued, StoreWork, store_work

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

__all__ = ["MIGRATIONS", "Store", "StoreError", "new_guid"]


def _now() -> datetime:
    return datetime.now(UTC)


def new_guid() -> str:
    """A GUID in the `{XXXXXXXX-...}` form .qwc files use."""
    return "{" + str(uuid.uuid4()).upper() + "}"


def _login(row: Company) -> CompanyLogin:
    return CompanyLogin(
        id=row.id,
        name=row.name,
        username=row.qbwc_username,
        password_hash=row.qbwc_password_hash,
        owner_id=row.owner_id,
        file_id=row.file_id,
    )


def _live(ticket: Any) -> Any:
    """True where `ticket` names an open session."""
    return (
        select(QbwcSession.ticket)
        .where(QbwcSession.ticket == ticket, QbwcSession.closed.is_(False))
        .exists()
    )


class Store(SessionRows, SessionWork):
    """sfqb's database; implements the Web Connector service's SessionStore (sessions in
    `SessionRows`).

    The sync tables are reached through attributes: `connections`, `bindings`, `checkpoints`,
    `journal` (runs and attempts), `queue` (the retry queue), `review` (with `review_actions`
    and the per-record `overrides`), `circuits` (connector
    circuits), `alerts`, and QuickBooks Online's `qbo_tokens`, `qbo_calls` (the monthly API-call
    meter), `qbo_events` (webhook changes) and `qbo_batches` (batches whose answer may not be
    kept yet); the console's users, grants and API tokens in
    `people`; the policies saved from the console in `policies`; `flow_settings` (the flows
    switched off); `cycle_lock`, held by whoever runs a company's cycle. `secrets` encrypts
    connection secrets; without it, reading or writing a secret raises SecretKeyMissing.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime] = _now,
        secrets: SecretBox | None = None,
        qbo_oauth: OAuthFactory | None = None,
    ) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        self.connections = Connections(self._sessions, clock, secrets)
        self.bindings = Bindings(self._sessions)
        self.checkpoints = Checkpoints(self._sessions, clock)
        self.journal = Journal(self._sessions, clock)
        self.queue = SyncQueue(self._sessions, clock)
        self.review = ReviewList(self._sessions, clock)
        self.review_actions = ReviewActions(self._sessions, clock)
        self.overrides = RecordOverrides(self._sessions, clock)
        self.circuits = Circuits(self._sessions, clock)
        self.alerts = Alerts(self._sessions, clock)
        self.qbo_tokens = QboTokens(self._sessions, clock, secrets, qbo_oauth)
        self.qbo_calls = QboCalls(self._sessions, clock)
        self.qbo_events = QboEvents(self._sessions, clock)
        self.qbo_batches = QboBatches(self._sessions, clock)
        self.people = People(self._sessions, clock)
        self.policies = Policies(self._sessions)
        self.flow_settings = FlowSettings(self._sessions, clock)
        self.cycle_lock = cycle_lock_for(engine)

    @classmethod
    def from_url(cls, url: str, secrets: SecretBox | None = None) -> Store:
        """A store over the database at `url` (not migrated: call migrate())."""
        return cls(create_engine_from_url(url), secrets=secrets)

    def _alembic(self, action: Callable[[Config], None]) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            action(config)

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision` (the newest by default)."""
        self._alembic(lambda config: command.upgrade(config, revision))

    def downgrade(self, revision: str) -> None:
        """Take the schema down to `revision` ("base" drops every table)."""
        self._alembic(lambda config: command.downgrade(config, revision))

    # -- writes in sets (sfqb.store.work) -----------------------------------------------------

    def work(self) -> AbstractContextManager[StoreWork]:
        """One transaction for a set of writes (a batch's, a page's), committed at its end."""
        return store_work(self._sessions, self._clock)

    def binding_cache(self, company: str) -> BindingCache:
        """A cycle's cached view of the company's bindings (written by `StoreWork.bindings`)."""
        return BindingCache(self._sessions, company)

    def queue_page(
        self,
        company: str,
        flow: str,
        direction: Direction,
        records: Sequence[Queued],
        *,
        now: datetime | None = None,
        keep_inflight_time: bool = False,
    ) -> list[tuple[QueueItem | None, QueueItem]]:
        """Queue a page of source records in one transaction (`StoreWork.enqueue`)."""
        for _ in range(2):  # a concurrent first enqueue of a record loses the insert race once
            try:
                with self.work() as work:
                    return work.enqueue(
                        company, flow, direction, records, now=now,
                        keep_inflight_time=keep_inflight_time,
                    )  # fmt: skip
            except IntegrityError:
                continue
        raise StoreError(f"could not queue a page of flow {flow!r} of {company!r}; try again")

    # -- companies -------------------------------------------------------------------------

    def create_company(self, name: str, username: str, password: str) -> CompanyLogin:
        """A new company with its Web Connector login and fresh OwnerID/FileID GUIDs."""
        if not name.strip() or not username.strip():
            raise StoreError("a company needs a name and a Web Connector user name")
        row = Company(
            name=name,
            qbwc_username=username,
            qbwc_password_hash=hash_password(password),
            owner_id=new_guid(),
            file_id=new_guid(),
            created=self._clock(),
        )
        try:
            with self._sessions.begin() as db:
                db.add(row)
        except IntegrityError:
            raise StoreError(
                f"a company named {name!r} or with user name {username!r} already exists"
            ) from None
        return _login(row)

    def new_file_id(self, name: str) -> CompanyLogin:
        """Give the company a fresh FileID (for QBWC1039); its OwnerID never changes."""
        with self._sessions.begin() as db:
            row = db.scalar(select(Company).where(Company.name == name))
            if row is None:
                raise StoreError(f"no company named {name!r}")
            row.file_id = new_guid()
            return _login(row)

    def set_password(self, name: str, password: str) -> int:
        """Replace the company's Web Connector password; its open sessions close at once (in
        the same transaction, their unanswered message sets failed). How many were closed."""
        why = "closed: the Web Connector password was changed"
        with self._sessions.begin() as db:
            company_id = db.scalar(
                update(Company)
                .where(Company.name == name)
                .values(qbwc_password_hash=hash_password(password))
                .returning(Company.id)
            )
            if company_id is None:
                raise StoreError(f"no company named {name!r}")
            tickets = list(
                db.scalars(
                    update(QbwcSession)
                    .where(QbwcSession.company_id == company_id, QbwcSession.closed.is_(False))
                    .values(closed=True, last_error=why)
                    .returning(QbwcSession.ticket)
                )
            )
            if tickets:
                db.execute(
                    update(QbdOutbox)
                    .where(
                        QbdOutbox.ticket.in_(tickets),
                        QbdOutbox.status == OutboxStatus.SENT.value,
                    )
                    .values(
                        status=OutboxStatus.FAILED.value, summary=why, answered_at=self._clock()
                    )
                )
            return len(tickets)

    def company(self, name: str) -> CompanyLogin | None:
        """The company called `name`, or None."""
        with self._sessions() as db:
            row = db.scalar(select(Company).where(Company.name == name))
            return _login(row) if row else None

    def companies(self) -> list[CompanyLogin]:
        """Every company, by name; works on a store at any revision (none before the first)."""
        if not inspect(self.engine).has_table(Company.__tablename__):
            return []
        with self._sessions() as db:
            return [_login(r) for r in db.scalars(select(Company).order_by(Company.name))]

    def company_by_username(self, username: str) -> CompanyLogin | None:
        """The company whose Web Connector user name is `username`, or None."""
        with self._sessions() as db:
            row = db.scalar(select(Company).where(Company.qbwc_username == username))
            return _login(row) if row else None

    def company_name(self, company_id: int) -> str:
        """The name of the company with this id."""
        with self._sessions() as db:
            name = db.scalar(select(Company.name).where(Company.id == company_id))
        if name is None:
            raise StoreError(f"no company with id {company_id}")
        return name

    def last_contact(self, name: str) -> datetime | None:
        """When the Web Connector last opened a session for the company."""
        with self._sessions() as db:
            return db.scalar(select(Company.last_contact).where(Company.name == name))

    # -- the outbox ------------------------------------------------------------------------

    def enqueue(self, company_id: int, request_xml: str, ticket: str | None = None) -> int:
        """Queue a qbXML message set for the company (for session `ticket` alone, if given);
        returns its id."""
        row = QbdOutbox(
            company_id=company_id,
            request_xml=request_xml,
            status=OutboxStatus.QUEUED.value,
            created=self._clock(),
            ticket=ticket,
        )
        with self._sessions.begin() as db:
            db.add(row)
            db.flush()
            return row.id

    def enqueue_for(self, company: str, request_xml: str) -> int:
        """Queue a message set for the company called `company`."""
        found = self.company(company)
        if found is None:
            raise StoreError(f"no company named {company!r}")
        return self.enqueue(found.id, request_xml)

    def count_queued(self, company_id: int) -> int:
        """How many of the company's message sets wait to be sent (one queued for a session
        alone counts only while that session is open)."""
        with self._sessions() as db:
            return (
                db.scalar(
                    select(func.count())
                    .select_from(QbdOutbox)
                    .where(
                        QbdOutbox.company_id == company_id,
                        QbdOutbox.status == OutboxStatus.QUEUED.value,
                        or_(QbdOutbox.ticket.is_(None), _live(QbdOutbox.ticket)),
                    )
                )
                or 0
            )

    def claim_next(self, company_id: int, ticket: str, now: datetime) -> OutboxItem | None:
        """Mark the oldest queued message set as sent in open session `ticket` (safe across
        processes); None when nothing is queued or the session is closed."""
        while True:
            with self._sessions.begin() as db:
                candidate = db.scalar(
                    select(QbdOutbox.id)
                    .where(
                        QbdOutbox.company_id == company_id,
                        QbdOutbox.status == OutboxStatus.QUEUED.value,
                        or_(QbdOutbox.ticket.is_(None), QbdOutbox.ticket == ticket),
                    )
                    .order_by(QbdOutbox.id)
                    .limit(1)
                )
                if candidate is None:
                    return None
                live = select(QbwcSession.ticket).where(
                    QbwcSession.ticket == ticket, QbwcSession.closed.is_(False)
                )
                claimed = db.execute(
                    update(QbdOutbox)
                    .where(
                        QbdOutbox.id == candidate,
                        QbdOutbox.status == OutboxStatus.QUEUED.value,
                        live.exists(),  # a session taken over sends nothing more
                    )
                    .values(status=OutboxStatus.SENT.value, ticket=ticket, sent_at=now)
                )
                if claimed.rowcount:  # type: ignore[attr-defined]
                    row = db.get(QbdOutbox, candidate, populate_existing=True)
                    assert row is not None
                    return _item(row)
                if db.scalar(live) is None:
                    return None

    def sent_items(self, ticket: str) -> Sequence[OutboxItem]:
        """Message sets sent in this session and not yet answered, oldest first."""
        with self._sessions() as db:
            rows = db.scalars(
                select(QbdOutbox)
                .where(QbdOutbox.ticket == ticket, QbdOutbox.status == OutboxStatus.SENT.value)
                .order_by(QbdOutbox.id)
            )
            return [_item(r) for r in rows]

    def finish_item(
        self,
        item_id: int,
        status: OutboxStatus,
        response_xml: str | None,
        summary: str,
        now: datetime,
    ) -> OutboxItem:
        """Record the outcome (answered or failed) of a sent message set."""
        with self._sessions.begin() as db:
            row = db.get(QbdOutbox, item_id)
            if row is None:
                raise StoreError(f"no outbox item {item_id}")
            row.status = status.value
            row.response_xml = response_xml
            row.summary = summary
            row.answered_at = now
            db.flush()
            return _item(row)

    def outbox(self, company: str) -> list[OutboxItem]:
        """Every message set of the company, oldest first."""
        with self._sessions() as db:
            rows = db.scalars(
                select(QbdOutbox)
                .join(Company, Company.id == QbdOutbox.company_id)
                .where(Company.name == company)
                .order_by(QbdOutbox.id)
            )
            return [_item(r) for r in rows]

    def item(self, item_id: int) -> OutboxItem | None:
        """One outbox item by id."""
        with self._sessions() as db:
            row = db.get(QbdOutbox, item_id)
            return _item(row) if row else None
