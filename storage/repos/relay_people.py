"""Who takes part in the relay: remote hubs, run-time moderators, each moderator's session,
and what each person's next message means (``asking_states``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AskingState, Hub, Moderator, ModeratorFocus, Session
from storage.repos._sql import execute_count, insert_for

IDLE = "idle"

# -- hubs ----------------------------------------------------------------------------------


async def get_hub(session: AsyncSession, chat_id: int) -> Hub | None:
    return await session.get(Hub, chat_id, populate_existing=True)


async def save_hub(
    session: AsyncSession,
    *,
    chat_id: int,
    name: str,
    city: str | None,
    registered_by: int,
    now: datetime,
) -> None:
    values = {
        "name": name,
        "city": city,
        "registered_by": registered_by,
        "active": True,
        "updated_at": now,
    }
    statement = insert_for(session, Hub).values(chat_id=chat_id, created_at=now, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["chat_id"], set_=values))


async def deactivate_hub(session: AsyncSession, chat_id: int, now: datetime) -> bool:
    touched = await execute_count(
        session,
        update(Hub)
        .where(Hub.chat_id == chat_id, Hub.active.is_(True))
        .values(active=False, updated_at=now),
    )
    return touched > 0


# -- moderators ----------------------------------------------------------------------------


async def add_moderator(
    session: AsyncSession,
    *,
    user_id: int,
    scope: str,
    session_id: int | None,
    source_id: int | None,
    added_by: int,
    now: datetime,
) -> bool:
    """Add a moderator for ``scope``; False if they already were one for it."""
    statement = insert_for(session, Moderator).values(
        user_id=user_id,
        scope=scope,
        session_id=session_id,
        source_id=source_id,
        added_by=added_by,
        created_at=now,
    )
    touched = await execute_count(
        session, statement.on_conflict_do_nothing(index_elements=["user_id", "scope"])
    )
    return touched > 0


async def remove_moderator(session: AsyncSession, user_id: int, scope: str | None) -> int:
    """Remove one scope of a moderator, or every scope when ``scope`` is None."""
    statement = delete(Moderator).where(Moderator.user_id == user_id)
    if scope is not None:
        statement = statement.where(Moderator.scope == scope)
    return await execute_count(session, statement)


async def list_moderators(session: AsyncSession) -> list[Moderator]:
    rows = await session.scalars(select(Moderator).order_by(Moderator.user_id, Moderator.scope))
    return list(rows.all())


async def is_moderator(session: AsyncSession, user_id: int, session_id: int | None) -> bool:
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
    return bool(await session.scalar(select(exists(query))))


# -- the session each moderator works on -----------------------------------------------------


async def set_focus(session: AsyncSession, user_id: int, session_id: int, now: datetime) -> None:
    values = {"session_id": session_id, "updated_at": now}
    statement = insert_for(session, ModeratorFocus).values(user_id=user_id, **values)
    await session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))


async def get_focus(session: AsyncSession, user_id: int) -> int | None:
    value: int | None = await session.scalar(
        select(ModeratorFocus.session_id).where(ModeratorFocus.user_id == user_id)
    )
    return value


# -- what the next message means --------------------------------------------------------------


async def get_state(session: AsyncSession, user_id: int, chat_id: int) -> AskingState | None:
    return await session.get(AskingState, (user_id, chat_id), populate_existing=True)


async def save_state(
    session: AsyncSession,
    *,
    user_id: int,
    chat_id: int,
    step: str,
    now: datetime,
    session_id: int | None = None,
    question_id: int | None = None,
    draft_text: str | None = None,
    draft_message_id: int | None = None,
    anonymous: bool | None = None,
) -> None:
    """Set the step (and what it needs); ``anonymous`` None keeps the person's standing choice."""
    values: dict[str, object] = {
        "step": step,
        "session_id": session_id,
        "question_id": question_id,
        "draft_text": draft_text,
        "draft_message_id": draft_message_id,
        "updated_at": now,
    }
    if anonymous is not None:
        values["anonymous"] = anonymous
    statement = insert_for(session, AskingState).values(
        user_id=user_id,
        chat_id=chat_id,
        **{"anonymous": False, **values},
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["user_id", "chat_id"], set_=values)
    )


async def set_anonymous(
    session: AsyncSession, user_id: int, chat_id: int, anonymous: bool, now: datetime
) -> None:
    statement = insert_for(session, AskingState).values(
        user_id=user_id, chat_id=chat_id, step=IDLE, anonymous=anonymous, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "chat_id"],
            set_={"anonymous": anonymous, "updated_at": now},
        )
    )


async def clear_step(session: AsyncSession, user_id: int, chat_id: int, now: datetime) -> None:
    await session.execute(
        update(AskingState)
        .where(AskingState.user_id == user_id, AskingState.chat_id == chat_id)
        .values(
            step=IDLE,
            session_id=None,
            question_id=None,
            draft_text=None,
            draft_message_id=None,
            updated_at=now,
        )
    )


async def waiting_for_text(session: AsyncSession) -> list[tuple[int, int]]:
    """(user, chat) pairs whose next text message means something: rebuilt after a restart."""
    rows = await session.execute(
        select(AskingState.user_id, AskingState.chat_id).where(AskingState.step != IDLE)
    )
    return [(user_id, chat_id) for user_id, chat_id in rows]
