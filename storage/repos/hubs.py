"""Remote hubs: group chats registered to ask as one room ("Novosibirsk hub (Russia)")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Hub
from storage.repos._sql import execute_count, insert_for


async def get_hub(db: AsyncSession, chat_id: int) -> Hub | None:
    return await db.get(Hub, chat_id, populate_existing=True)


async def save_hub(
    db: AsyncSession,
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
    statement = insert_for(db, Hub).values(chat_id=chat_id, created_at=now, **values)
    await db.execute(statement.on_conflict_do_update(index_elements=["chat_id"], set_=values))


async def deactivate_hub(db: AsyncSession, chat_id: int, now: datetime) -> bool:
    touched = await execute_count(
        db,
        update(Hub)
        .where(Hub.chat_id == chat_id, Hub.active.is_(True))
        .values(active=False, updated_at=now),
    )
    return touched > 0
