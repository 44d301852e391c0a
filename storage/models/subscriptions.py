"""Subscriptions: a chat wants reminders for a session, all IFLA sessions, a track or a keyword."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class SubscriptionKind(StrEnum):
    SESSION = "session"
    IFLA = "ifla"
    TRACK = "track"
    KEYWORD = "keyword"


class Subscription(Base):
    """One rule of one chat; ``target`` is the session id, the track name, the keyword or ''.

    ``target`` is never NULL so the unique constraint holds on every backend; keywords are
    stored casefolded and matched in Python (SQLite's lower() knows only ASCII).
    """

    __tablename__ = "subscriptions"
    # The unique constraint's leading chat_id also serves "this chat's subscriptions".
    __table_args__ = (
        UniqueConstraint("chat_id", "kind", "target", name="uq_subscriptions_rule"),
        Index("ix_subscriptions_kind_target", "kind", "target"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(255), default="")
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


__all__ = ["Subscription", "SubscriptionKind"]
