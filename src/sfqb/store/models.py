"""SQLAlchemy 2 models of sfqb's store.

Web Connector companies, sessions and the qbXML outbox (revision 0001); connections, bindings,
checkpoints, runs, attempts (the integration log), the retry queue and the review list (0002);
circuits and alerts (0003); the session lease and one live session per company (0004).
Rows of the sync tables name their company by name, the key the domain uses everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; a naive datetime is refused so no local time slips in."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every sfqb table."""

    metadata = MetaData(naming_convention=NAMING)


class Company(Base):
    """A QuickBooks company and the Web Connector login that reaches it."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    qbwc_username: Mapped[str] = mapped_column(String(200), unique=True)
    qbwc_password_hash: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[str] = mapped_column(String(38))
    file_id: Mapped[str] = mapped_column(String(38))
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    last_contact: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


LIVE_SESSION = text("NOT closed")


class QbwcSession(Base):
    """One Web Connector session, by the ticket authenticate handed out.

    At most one session per company is not closed (`uq_qbwc_sessions_live`); `owner` is the
    process serving it, which renews `lease_until` while it lives (revision 0004).
    """

    __tablename__ = "qbwc_sessions"
    __table_args__ = (
        Index(
            "uq_qbwc_sessions_live",
            "company_id",
            unique=True,
            sqlite_where=LIVE_SESSION,
            postgresql_where=LIVE_SESSION,
        ),
    )

    ticket: Mapped[str] = mapped_column(String(64), primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    hcp_response: Mapped[str] = mapped_column(Text, default="")
    company_file: Mapped[str] = mapped_column(Text, default="")
    qbxml_version: Mapped[str] = mapped_column(String(16), default="")
    country: Mapped[str] = mapped_column(String(8), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    closed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    owner: Mapped[str] = mapped_column(String(64), default="", server_default="")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The cycle the session waits on (revision 0024): run beside it by `work_owner`'s process,
    # claim `work_id`, held while `work_until` is renewed; `work_done` once it has ended.
    # Deferred, with server defaults only: the session's own reads and writes never touch them.
    work_owner: Mapped[str] = mapped_column(String(64), server_default="", deferred=True)
    work_id: Mapped[str] = mapped_column(String(32), server_default="", deferred=True)
    work_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True, deferred=True)
    work_done: Mapped[bool] = mapped_column(Boolean, server_default=false(), deferred=True)
    work_error: Mapped[str] = mapped_column(Text, server_default="", deferred=True)


class QbdOutbox(Base):
    """A qbXML message set queued for a company, and the response QuickBooks gave."""

    __tablename__ = "qbd_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    request_xml: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    ticket: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    response_xml: Mapped[str | None] = mapped_column(Text, nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)


COMPANY = String(200)
# A Salesforce object's API name: a custom object's may be 43 characters (40 and "__c") and a
# managed package's longer (migration 0025).
OBJECT_NAME = 80


class Connection(Base):
    """How sfqb reaches one system for a company; the secret part is Fernet-encrypted."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("company", "system", name="uq_connections_company_system"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY)
    system: Mapped[str] = mapped_column(String(16))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BindingRow(Base):
    """One Salesforce record bound to one QuickBooks record; unique on each side per company."""

    __tablename__ = "bindings"
    __table_args__ = (
        UniqueConstraint("company", "sf_object", "sf_id", "sf_role", name="uq_bindings_sf"),
        UniqueConstraint("company", "qb_kind", "qb_id", name="uq_bindings_qb"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY)
    sf_object: Mapped[str] = mapped_column(String(OBJECT_NAME))
    sf_id: Mapped[str] = mapped_column(String(40))
    # The Salesforce record's role (revision 0015): "main", or "vendor" for an Account's vendor.
    sf_role: Mapped[str] = mapped_column(String(20), default="main", server_default="main")
    qb_kind: Mapped[str] = mapped_column(String(40))
    qb_id: Mapped[str] = mapped_column(String(60))
    fingerprint: Mapped[str] = mapped_column(String(128))
    qb_fingerprint: Mapped[str] = mapped_column(String(128))
    qb_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    sf_values: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Checkpoint(Base):
    """How far a stream of changes (e.g. "salesforce:Account") has been read for a company."""

    __tablename__ = "checkpoints"

    company: Mapped[str] = mapped_column(COMPANY, primary_key=True)
    stream: Mapped[str] = mapped_column(String(100), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RunRow(Base):
    """One sync cycle of a company."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_company_kind", "company", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY, index=True)
    flows: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16), default="cycle", server_default="cycle")


class AttemptRow(Base):
    """One attempt on one record: the integration log, always with a decoded status."""

    __tablename__ = "attempts"
    __table_args__ = (
        Index("ix_attempts_company_created", "company", "created_at"),
        Index("ix_attempts_system_code", "system", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True, index=True)
    company: Mapped[str] = mapped_column(COMPANY)
    flow: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(16))
    sf_object: Mapped[str | None] = mapped_column(String(OBJECT_NAME), nullable=True)
    sf_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    qb_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    qb_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    operation: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text)
    system: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(30))
    known: Mapped[bool] = mapped_column(Boolean)
    message: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    meaning: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    remedy: Mapped[str] = mapped_column(String(30))
    action_taken: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QueueRow(Base):
    """A source record waiting to be synced, with its retry state; one per (company, flow, key)."""

    __tablename__ = "sync_queue"
    __table_args__ = (
        UniqueConstraint(
            "company", "flow", "source_type", "source_id", name="uq_sync_queue_source"
        ),
        Index("ix_sync_queue_due", "company", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY)
    flow: Mapped[str] = mapped_column(String(60))
    direction: Mapped[str] = mapped_column(String(16))
    source_type: Mapped[str] = mapped_column(String(OBJECT_NAME))
    source_id: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    lock_waits: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_system: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    outbox_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A binding change asked for the record (QuickBooks_ID__c edited, review resolve --bind),
    # kept until a cycle has read the QuickBooks record and settled it.
    bind_request: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The unbound parent a waiting row waits for (`queue_rows.waits_key`): binding it makes
    # the row due (`queue_rows.wake`); None for a row due on its own time.
    waits_for: Mapped[str | None] = mapped_column(String(160), nullable=True)


class ReviewRow(Base):
    """A record held for a person to decide on, with the decoded status and candidates."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_company_status", "company", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY)
    flow: Mapped[str] = mapped_column(String(60))
    source_type: Mapped[str] = mapped_column(String(OBJECT_NAME))
    source_id: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    system: Mapped[str | None] = mapped_column(String(16), nullable=True)
    code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    meaning: Mapped[str | None] = mapped_column(Text, nullable=True)
    candidates: Mapped[list[Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Who closed it: a person's name, or "sfqb" when the record later went through (0011).
    resolved_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    assigned_to: Mapped[str | None] = mapped_column(String(120), nullable=True)


class CircuitRow(Base):
    """A company's connector circuit: open while QuickBooks cannot be reached (revision 0003)."""

    __tablename__ = "circuits"

    company: Mapped[str] = mapped_column(COMPANY, primary_key=True)
    is_open: Mapped[bool] = mapped_column(Boolean)
    openings: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cause_system: Mapped[str | None] = mapped_column(String(16), nullable=True)
    cause_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    cause: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    last_trip_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_contact: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


OPEN_ALERT = text("status = 'open'")


class AlertRow(Base):
    """An alert raised for a company, whether it was sent, and whether it is resolved (0003)."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_company_raised", "company", "raised_at"),
        Index(
            "uq_alerts_open",
            "company",
            "kind",
            "key",
            unique=True,
            sqlite_where=OPEN_ALERT,
            postgresql_where=OPEN_ALERT,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    delivery: Mapped[str] = mapped_column(String(16))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    summarised_in: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class FlowSettingRow(Base):
    """A flow a person switched on or off for a company (0012); no row means on."""

    __tablename__ = "flow_settings"

    company: Mapped[str] = mapped_column(COMPANY, primary_key=True)
    flow: Mapped[str] = mapped_column(String(60), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
