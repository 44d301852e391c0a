"""Asking states: what each person's next message in a chat means (a question, a reason...).

The database is the only place this lives, so any process can continue a conversation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AskingState, AskingStep
from storage.repos._sql import insert_for

IDLE = AskingStep.IDLE


async def get_state(db: AsyncSession, user_id: int, chat_id: int) -> AskingState | None:
    return await db.get(AskingState, (user_id, chat_id), populate_existing=True)


async def save_state(
    db: AsyncSession,
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
    statement = insert_for(db, AskingState).values(
        user_id=user_id,
        chat_id=chat_id,
        **{"anonymous": False, **values},
    )
    await db.execute(
        statement.on_conflict_do_update(index_elements=["user_id", "chat_id"], set_=values)
    )


async def set_anonymous(
    db: AsyncSession, user_id: int, chat_id: int, anonymous: bool, now: datetime
) -> None:
    statement = insert_for(db, AskingState).values(
        user_id=user_id, chat_id=chat_id, step=IDLE, anonymous=anonymous, updated_at=now
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "chat_id"],
            set_={"anonymous": anonymous, "updated_at": now},
        )
    )


async def clear_step(db: AsyncSession, user_id: int, chat_id: int, now: datetime) -> None:
    await db.execute(
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
