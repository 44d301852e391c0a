"""The inbox: every update from Telegram, written before Telegram is told it arrived."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, JSONValue


class InboxUpdate(Base):
    """One update as the Bot API sent it; ``done_at`` is set once its handlers have run.

    ``chat_key`` (the chat, or the user when there is no chat) orders the replay after a
    crash: one chat's updates strictly by ``update_id``, different chats side by side.
    """

    __tablename__ = "inbox"
    # Serves both the replay (done_at IS NULL, by update_id) and the pruning (done_at < t).
    __table_args__ = (Index("ix_inbox_done", "done_at", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONValue)
    received_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
