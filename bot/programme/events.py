"""What ingestion tells the rest of the bot, inside the transaction that stored it.

Ingestion upserts sessions and news entries, then calls every ``ProgrammeListener`` with the
changes in the same database transaction, so a notice (announcement, change notice to
subscribers, re-planned reminders) is queued exactly when the change is committed, never twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class ChangeKind(StrEnum):
    ADDED = "added"
    # In the programme at the source's first poll: not news (a new feed must not flood), but
    # the announcer announces it at once if it is in the window, from the poll's transaction.
    BASELINE = "baseline"
    MOVED = "moved"  # start or end time changed
    ROOM_CHANGED = "room_changed"
    CANCELLED = "cancelled"  # cancelled in the source, or vanished from it
    RESTORED = "restored"  # was cancelled, is back
    UPDATED = "updated"  # title, description or links changed: no notice needed


@dataclass(frozen=True, slots=True)
class SessionChange:
    session_id: int
    kind: ChangeKind
    title: str
    old_start: datetime | None
    new_start: datetime
    old_room: str | None
    new_room: str | None
    is_ifla: bool

    @property
    def needs_notice(self) -> bool:
        """Changes people who planned around the session must hear about."""
        return self.kind in {
            ChangeKind.MOVED,
            ChangeKind.ROOM_CHANGED,
            ChangeKind.CANCELLED,
            ChangeKind.RESTORED,
        }


@dataclass(frozen=True, slots=True)
class NewsItem:
    entry_id: int
    source_id: int
    source_name: str
    key: str
    title: str
    link: str | None
    published: datetime | None
    summary_html: str


class ProgrammeListener(Protocol):
    async def sessions_changed(self, db: AsyncSession, changes: Sequence[SessionChange]) -> None:
        """Queue whatever these changes call for (same transaction as the upsert)."""

    async def news_arrived(self, db: AsyncSession, items: Sequence[NewsItem]) -> None:
        """New entries of a feed already initialised (a feed's first poll posts nothing)."""
