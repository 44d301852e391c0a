"""Sessions as the question relay sees them: which take questions now, which to moderate."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Session


async def get_session(db: AsyncSession, session_id: int) -> Session | None:
    return await db.get(Session, session_id)


async def sessions_with_key(db: AsyncSession, key: str) -> list[Session]:
    """Sessions whose source key is ``key`` (one per source that has it)."""
    rows = await db.scalars(select(Session).where(Session.key == key).order_by(Session.id))
    return list(rows.all())


async def taking_questions(
    db: AsyncSession, now: datetime, open_before: timedelta
) -> list[Session]:
    """Sessions live now, or opening for questions ``open_before`` ahead of their start."""
    rows = await db.scalars(
        select(Session)
        .where(Session.takes_questions(now, open_before))
        .order_by(Session.start_at, Session.id)
    )
    return list(rows.all())


async def sessions_between(
    db: AsyncSession, start: datetime, end: datetime, limit: int
) -> list[Session]:
    """Sessions overlapping [start, end), not cancelled: what a moderator may pick."""
    rows = await db.scalars(
        select(Session)
        .where(
            Session.cancelled.is_(False),
            Session.vanished.is_(False),
            Session.start_at < end,
            Session.end_at > start,
        )
        .order_by(Session.start_at, Session.id)
        .limit(limit)
    )
    return list(rows.all())
