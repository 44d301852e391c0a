"""Counts for the rehearsal demo's summary: what the bot stored and sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Question, Session
from storage.repos.outbox import DROPPED, PENDING, SENDING, SENT

EDIT_METHODS = ("editMessageText", "editMessageCaption", "editMessageReplyMarkup")


@dataclass(frozen=True, slots=True)
class RehearsalCounts:
    sessions: int
    ifla_sessions: int
    messages: int  # new messages sent (text, documents, pictures)
    edits: int
    questions: int
    reminders: int
    reminders_dropped: int  # expired (or the session moved) before they could be sent


async def _count(db: AsyncSession, model: type, *where: ColumnElement[bool]) -> int:
    statement = select(func.count()).select_from(model).where(*where)
    return int(await db.scalar(statement) or 0)


async def counts(db: AsyncSession) -> RehearsalCounts:
    sent = OutboxMessage.status == SENT
    edit = OutboxMessage.method.in_(EDIT_METHODS)
    return RehearsalCounts(
        sessions=await _count(db, Session, Session.vanished.is_(False)),
        ifla_sessions=await _count(
            db, Session, Session.vanished.is_(False), Session.is_ifla.is_(True)
        ),
        messages=await _count(db, OutboxMessage, sent, ~edit),
        edits=await _count(db, OutboxMessage, sent, edit),
        questions=await _count(db, Question),
        reminders=await _count(db, OutboxMessage, sent, OutboxMessage.kind == "reminder"),
        reminders_dropped=await _count(
            db, OutboxMessage, OutboxMessage.status == DROPPED, OutboxMessage.kind == "reminder"
        ),
    )


async def undelivered(db: AsyncSession, now: datetime) -> int:
    """Messages due by ``now`` and not yet sent (queued or on their way)."""
    due = and_(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now)
    return await _count(db, OutboxMessage, or_(due, OutboxMessage.status == SENDING))
