"""Reading the programme for people and for the announcer: lists, live sessions, days, windows.

Cancelled sessions stay visible in lists (marked), sessions that vanished from their source do
not; nothing here writes, ingestion owns the ``sessions`` table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Session

_SHOWN = Session.vanished.is_(False)
_TAKING_PLACE = Session.vanished.is_(False) & Session.cancelled.is_(False)
_ORDER = (Session.start_at, Session.end_at, Session.id)


async def get_session(db: AsyncSession, session_id: int) -> Session | None:
    """The session with this id, unless it vanished from its source."""
    found = await db.get(Session, session_id)
    return None if found is None or found.vanished else found


async def upcoming_page(
    db: AsyncSession, *, now: datetime, offset: int, limit: int
) -> tuple[list[Session], int]:
    """Sessions not over yet, by start time: one page of them and how many there are in all."""
    not_over = _SHOWN & (Session.end_at > now)
    total = await db.scalar(select(func.count()).select_from(Session).where(not_over)) or 0
    rows = await db.scalars(
        select(Session).where(not_over).order_by(*_ORDER).offset(offset).limit(limit)
    )
    return list(rows.all()), int(total)


async def live_sessions(db: AsyncSession, *, now: datetime, limit: int) -> list[Session]:
    """Sessions taking place right now (started, not ended, not cancelled)."""
    query = select(Session).where(_TAKING_PLACE, Session.start_at <= now, Session.end_at > now)
    rows = await db.scalars(query.order_by(*_ORDER).limit(limit))
    return list(rows.all())


async def ifla_sessions(
    db: AsyncSession,
    *,
    start_from: datetime | None = None,
    start_before: datetime | None = None,
    end_after: datetime | None = None,
) -> list[Session]:
    """IFLA sessions taking place, filtered by start and end bounds, in programme order."""
    conditions: list[ColumnElement[bool]] = [_TAKING_PLACE, Session.is_ifla.is_(True)]
    if start_from is not None:
        conditions.append(Session.start_at >= start_from)
    if start_before is not None:
        conditions.append(Session.start_at < start_before)
    if end_after is not None:
        conditions.append(Session.end_at > end_after)
    rows = await db.scalars(select(Session).where(*conditions).order_by(*_ORDER))
    return list(rows.all())


async def sessions_by_ids(db: AsyncSession, ids: Sequence[int]) -> dict[int, Session]:
    if not ids:
        return {}
    rows = await db.scalars(select(Session).where(Session.id.in_(list(ids))))
    return {row.id: row for row in rows.all()}
