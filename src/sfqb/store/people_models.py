"""The store's tables of console users (revision 0010): users, their company grants, API tokens,
and the console's own keys (the session secret when none is configured)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sfqb.store.models import COMPANY, Base, UTCDateTime


class UserRow(Base):
    """A console user: name, argon2 password hash, role; `all_companies` for admins granted all."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))
    all_companies: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Sessions signed in before this are over (set when the password changes).
    sessions_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class GrantRow(Base):
    """One company a user may see."""

    __tablename__ = "console_grants"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), primary_key=True
    )
    company: Mapped[str] = mapped_column(COMPANY, primary_key=True)


class TokenRow(Base):
    """An API token of a user: only its SHA-256 is kept (the token is shown once)."""

    __tablename__ = "console_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("console_users.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ConsoleKeyRow(Base):
    """A key the console generated for itself and must keep across restarts."""

    __tablename__ = "console_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
