"""People and chats: who the bot talks to, in which language and zone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, JSONValue


class OutboxStatus(StrEnum):
    """An outbox row's state (``outbox.status``; the stored values)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


class Chat(Base):
    """A private chat (id == user id), a group acting as a remote hub, or a channel."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminder_minutes: Mapped[list[int] | None] = mapped_column(JSONValue)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    inactive_reason: Mapped[str | None] = mapped_column(String(255))
    migrated_to: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class User(Base):
    """A Telegram user the bot has seen; names are kept for moderators and exports."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(64))
    language_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def display_name(self) -> str:
        full = " ".join(part for part in (self.first_name, self.last_name) if part)
        return full or (f"@{self.username}" if self.username else str(self.id))


class OutboxMessage(Base):
    """One message to send; written in the transaction of the event that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "not_before"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(default=50)
    method: Mapped[str] = mapped_column(String(32), default="sendMessage")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING, index=True)
    not_before: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    session_id: Mapped[int | None] = mapped_column(BigInteger)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class SentRecord(Base):
    """A permanent "already done" marker (announced, reported) that survives restarts."""

    __tablename__ = "sent_markers"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime]


class BotFact(Base):
    """What the bot learned about itself from the Bot API (its ``username``), kept so that
    offline commands (``remotehub qr``) need neither the token nor the network."""

    __tablename__ = "bot_facts"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime]
