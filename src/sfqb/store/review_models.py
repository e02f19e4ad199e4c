"""The review list's own tables (revision 0011): every action a person took on an item, and
the values a person set for one record in place of its mapped ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sfqb.store.models import COMPANY, OBJECT_NAME, Base, UTCDateTime


class ReviewActionRow(Base):
    """One action on a review item or a held record: what, by whom, when, what it did."""

    __tablename__ = "review_actions"
    __table_args__ = (
        Index("ix_review_actions_item_id", "item_id"),
        Index("ix_review_actions_record", "company", "source_type", "source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # None for a record held without a review item (a value QuickBooks refused).
    item_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("review_items.id"), nullable=True
    )
    company: Mapped[str] = mapped_column(COMPANY)
    flow: Mapped[str] = mapped_column(String(60))
    source_type: Mapped[str] = mapped_column(String(OBJECT_NAME))
    source_id: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(120))
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecordOverrideRow(Base):
    """A value a person set for one field of one record's QuickBooks write."""

    __tablename__ = "record_overrides"
    __table_args__ = (
        UniqueConstraint(
            "company", "flow", "source_type", "source_id", "field", name="uq_record_overrides_field"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    company: Mapped[str] = mapped_column(COMPANY)
    flow: Mapped[str] = mapped_column(String(60))
    source_type: Mapped[str] = mapped_column(String(OBJECT_NAME))
    source_id: Mapped[str] = mapped_column(String(60))
    field: Mapped[str] = mapped_column(String(120))
    value: Mapped[Any] = mapped_column(JSON)
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
