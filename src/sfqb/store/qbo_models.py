"""The store's QuickBooks Online tables (revision 0008): tokens, pending authorizations, the
monthly API-call meter and the webhook events waiting to be taken; and (revision 0020) the batch
requests whose answer may not have been kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sfqb.store.models import COMPANY, Base, UTCDateTime


class QboTokenRow(Base):
    """A company's QuickBooks Online connection: realm, app and encrypted tokens."""

    __tablename__ = "qbo_tokens"

    company: Mapped[str] = mapped_column(COMPANY, primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(40), index=True)
    environment: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(Text)  # encrypted
    redirect_uri: Mapped[str] = mapped_column(Text)
    token_url: Mapped[str] = mapped_column(Text)
    ca_file: Mapped[str | None] = mapped_column(Text, nullable=True)
    access_token: Mapped[str] = mapped_column(Text)  # encrypted
    access_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refresh_token: Mapped[str] = mapped_column(Text)  # encrypted
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    refresh_max_at: Mapped[datetime] = mapped_column(UTCDateTime())
    webhook_verifier: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lost_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QboAuthorizationRow(Base):
    """An authorization URL handed out and not yet completed, by its state."""

    __tablename__ = "qbo_authorizations"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    company: Mapped[str] = mapped_column(COMPANY)
    environment: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QboCallRow(Base):
    """A company's QuickBooks Online API calls in one calendar month (UTC), e.g. 2026-01."""

    __tablename__ = "qbo_api_calls"

    company: Mapped[str] = mapped_column(COMPANY, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    reads: Mapped[int] = mapped_column(Integer)
    writes: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QboEventRow(Base):
    """One change a webhook reported; unique on what identifies the change (de-duplication)."""

    __tablename__ = "qbo_webhook_events"
    __table_args__ = (
        UniqueConstraint(
            "realm_id", "entity", "entity_id", "operation", "last_updated",
            name="uq_qbo_webhook_events_change",
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY, index=True)
    realm_id: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(60))
    operation: Mapped[str] = mapped_column(String(20))
    last_updated: Mapped[str] = mapped_column(String(40))
    deleted_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)


class QboBatchRow(Base):
    """A QuickBooks Online batch request as sent (revision 0020), kept while any of the
    Salesforce records it wrote for is in flight in the queue: sent again as it was, it is
    answered as the first time (requestid replay)."""

    __tablename__ = "qbo_batches"
    __table_args__ = (UniqueConstraint("company", "request_id", name="uq_qbo_batches_request"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY, index=True)
    request_id: Mapped[str] = mapped_column(String(40))
    sf_ids: Mapped[list[str]] = mapped_column(JSON)
    batch: Mapped[dict[str, Any]] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
