"""Sessions as the question relay sees them: which take questions now, which to moderate."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Session


async def get_session(session: AsyncSession, session_id: int) -> Session | None:
    return await session.get(Session, session_id)


async def sessions_with_key(session: AsyncSession, key: str) -> list[Session]:
    """Sessions whose source key is ``key`` (one per source that has it)."""
    rows = await session.scalars(select(Session).where(Session.key == key).order_by(Session.id))
    return list(rows.all())


async def taking_questions(
    session: AsyncSession, now: datetime, open_before: timedelta
) -> list[Session]:
    """Sessions live now, or opening for questions ``open_before`` ahead of their start."""
    rows = await session.scalars(
        select(Session)
        .where(
            Session.cancelled.is_(False),
            Session.vanished.is_(False),
            Session.start_at <= now + open_before,
            Session.end_at > now,
        )
        .order_by(Session.start_at, Session.id)
    )
    return list(rows.all())


async def sessions_between(
    session: AsyncSession, start: datetime, end: datetime, limit: int
) -> list[Session]:
    """Sessions overlapping [start, end), not cancelled: what a moderator may pick."""
    rows = await session.scalars(
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
