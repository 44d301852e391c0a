"""A session's room-facing side: its wall (address, question on screen), the remote
moderator's report text, the hubs' headcounts and who took part remotely."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Hub,
    HubHeadcount,
    Question,
    QuestionVote,
    SessionReport,
    SessionWall,
    Subscription,
)
from storage.repos._sql import insert_for

# -- walls ----------------------------------------------------------------------------------


async def wall_of_session(db: AsyncSession, session_id: int) -> SessionWall | None:
    return await db.get(SessionWall, session_id, populate_existing=True)


async def wall_by_token(db: AsyncSession, token: str) -> SessionWall | None:
    return await db.scalar(select(SessionWall).where(SessionWall.token == token))


async def ensure_wall(db: AsyncSession, session_id: int, token: str, now: datetime) -> SessionWall:
    """The session's wall, made with ``token`` if it has none yet (a concurrent maker wins)."""
    await db.execute(
        insert_for(db, SessionWall)
        .values(session_id=session_id, token=token, on_screen_question_id=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["session_id"])
    )
    wall = await wall_of_session(db, session_id)
    assert wall is not None
    return wall


async def put_on_screen(
    db: AsyncSession,
    session_id: int,
    question_id: int | None,
    now: datetime,
    translation: str | None = None,
) -> None:
    wall = await wall_of_session(db, session_id)
    assert wall is not None, "ensure_wall first"
    wall.on_screen_question_id = question_id
    wall.on_screen_translation = translation if question_id is not None else None
    wall.updated_at = now
    await db.flush()


# -- the report's free text and the hubs' headcounts ------------------------------------------


async def summary(db: AsyncSession, session_id: int) -> str:
    row = await db.get(SessionReport, session_id, populate_existing=True)
    return row.summary if row is not None else ""


async def save_summary(
    db: AsyncSession, session_id: int, text: str, user_id: int, now: datetime
) -> None:
    values = {"summary": text, "updated_by": user_id, "updated_at": now}
    await db.execute(
        insert_for(db, SessionReport)
        .values(session_id=session_id, **values)
        .on_conflict_do_update(index_elements=["session_id"], set_=values)
    )


async def save_headcount(
    db: AsyncSession, session_id: int, hub_chat_id: int, people: int, user_id: int, now: datetime
) -> None:
    values = {"people": people, "updated_by": user_id, "updated_at": now}
    await db.execute(
        insert_for(db, HubHeadcount)
        .values(session_id=session_id, hub_chat_id=hub_chat_id, **values)
        .on_conflict_do_update(index_elements=["session_id", "hub_chat_id"], set_=values)
    )


async def headcounts(db: AsyncSession, session_id: int) -> list[tuple[Hub, int]]:
    """Hubs that said how many they are for this session, by name."""
    rows = await db.execute(
        select(Hub, HubHeadcount.people)
        .join(HubHeadcount, HubHeadcount.hub_chat_id == Hub.chat_id)
        .where(HubHeadcount.session_id == session_id)
        .order_by(Hub.name)
    )
    return [(hub, int(people)) for hub, people in rows]


async def hubs_that_asked(db: AsyncSession, session_id: int) -> list[int]:
    rows = await db.scalars(
        select(Question.hub_chat_id)
        .where(Question.session_id == session_id, Question.hub_chat_id.is_not(None))
        .distinct()
    )
    return [int(chat_id) for chat_id in rows if chat_id is not None]


async def remote_participants(db: AsyncSession, session_id: int) -> int:
    """People who asked, voted or subscribed (in a private chat) to this session, once each."""
    asked = select(Question.author_id.label("person")).where(Question.session_id == session_id)
    voted = (
        select(QuestionVote.user_id.label("person"))
        .join(Question, Question.id == QuestionVote.question_id)
        .where(Question.session_id == session_id)
    )
    subscribed = select(Subscription.chat_id.label("person")).where(
        Subscription.session_id == session_id, Subscription.chat_id > 0
    )
    people = union(asked, voted, subscribed).subquery()
    return int(await db.scalar(select(func.count()).select_from(people)) or 0)
