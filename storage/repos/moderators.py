"""Run-time moderators (added with ``/mod``) and the session each moderator works on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Moderator, ModeratorFocus, Session
from storage.repos._sql import execute_count, insert_for


async def add_moderator(
    db: AsyncSession,
    *,
    user_id: int,
    scope: str,
    session_id: int | None,
    source_id: int | None,
    added_by: int,
    now: datetime,
) -> bool:
    """Add a moderator for ``scope``; False if they already were one for it."""
    statement = insert_for(db, Moderator).values(
        user_id=user_id,
        scope=scope,
        session_id=session_id,
        source_id=source_id,
        added_by=added_by,
        created_at=now,
    )
    touched = await execute_count(
        db, statement.on_conflict_do_nothing(index_elements=["user_id", "scope"])
    )
    return touched > 0


async def remove_moderator(db: AsyncSession, user_id: int, scope: str | None) -> int:
    """Remove one scope of a moderator, or every scope when ``scope`` is None."""
    statement = delete(Moderator).where(Moderator.user_id == user_id)
    if scope is not None:
        statement = statement.where(Moderator.scope == scope)
    return await execute_count(db, statement)


async def list_moderators(db: AsyncSession) -> list[Moderator]:
    rows = await db.scalars(select(Moderator).order_by(Moderator.user_id, Moderator.scope))
    return list(rows.all())


async def is_moderator(db: AsyncSession, user_id: int, session_id: int | None) -> bool:
    """Any scope when ``session_id`` is None; else everywhere, this session, or its event."""
    query = select(Moderator.id).where(Moderator.user_id == user_id)
    if session_id is not None:
        source_of_session = select(Session.source_id).where(Session.id == session_id)
        query = query.where(
            or_(
                Moderator.scope == "all",
                Moderator.session_id == session_id,
                Moderator.source_id == source_of_session.scalar_subquery(),
            )
        )
    return bool(await db.scalar(select(exists(query))))


# -- the session each moderator works on -----------------------------------------------------


async def set_focus(db: AsyncSession, user_id: int, session_id: int, now: datetime) -> None:
    values = {"session_id": session_id, "updated_at": now}
    statement = insert_for(db, ModeratorFocus).values(user_id=user_id, **values)
    await db.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))


async def get_focus(db: AsyncSession, user_id: int) -> int | None:
    value: int | None = await db.scalar(
        select(ModeratorFocus.session_id).where(ModeratorFocus.user_id == user_id)
    )
    return value
