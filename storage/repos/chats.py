"""Chats and users: remembered on every update, settings per chat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, SentRecord, User
from storage.repos import subscriptions
from storage.repos._sql import execute_count, insert_for


async def remember_user(
    db: AsyncSession,
    *,
    user_id: int,
    first_name: str,
    last_name: str | None,
    username: str | None,
    language_code: str | None,
    now: datetime,
) -> None:
    values = {
        "first_name": first_name[:255],
        "last_name": last_name[:255] if last_name else None,
        "username": username,
        "language_code": language_code,
        "updated_at": now,
    }
    statement = insert_for(db, User).values(id=user_id, created_at=now, **values)
    await db.execute(statement.on_conflict_do_update(index_elements=["id"], set_=values))


async def remember_chat(
    db: AsyncSession, *, chat_id: int, type: str, title: str | None, now: datetime
) -> Chat:
    """Create the chat if new; a chat that speaks to the bot again becomes active again."""
    statement = insert_for(db, Chat).values(
        id=chat_id, type=type, title=title, active=True, created_at=now, updated_at=now
    )
    await db.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "type": type,
                "title": title,
                "active": True,
                "inactive_reason": None,
                "updated_at": now,
            },
        )
    )
    chat = await db.get(Chat, chat_id, populate_existing=True)
    assert chat is not None
    return chat


async def get_chat(db: AsyncSession, chat_id: int) -> Chat | None:
    return await db.get(Chat, chat_id)


async def get_user(db: AsyncSession, user_id: int) -> User | None:
    return await db.get(User, user_id)


async def set_language(db: AsyncSession, chat_id: int, language: str, now: datetime) -> None:
    await db.execute(
        update(Chat).where(Chat.id == chat_id).values(language=language, updated_at=now)
    )


async def set_timezone(db: AsyncSession, chat_id: int, timezone: str, now: datetime) -> None:
    await db.execute(
        update(Chat).where(Chat.id == chat_id).values(timezone=timezone, updated_at=now)
    )


async def set_reminder_minutes(
    db: AsyncSession, chat_id: int, minutes: list[int] | None, now: datetime
) -> None:
    await db.execute(
        update(Chat).where(Chat.id == chat_id).values(reminder_minutes=minutes, updated_at=now)
    )


async def deactivate(db: AsyncSession, chat_id: int, reason: str, now: datetime) -> None:
    await db.execute(
        update(Chat)
        .where(Chat.id == chat_id)
        .values(active=False, inactive_reason=reason[:255], updated_at=now)
    )


async def record_migration(db: AsyncSession, old_id: int, new_id: int, now: datetime) -> None:
    """A group became a supergroup: the new id inherits its settings and subscriptions."""
    old = await db.get(Chat, old_id)
    if old is not None:
        old.active = False
        old.migrated_to = new_id
        old.inactive_reason = "migrated to a supergroup"
        old.updated_at = now
        if await db.get(Chat, new_id) is None:
            db.add(
                Chat(
                    id=new_id,
                    type="supergroup",
                    title=old.title,
                    language=old.language,
                    timezone=old.timezone,
                    reminder_minutes=old.reminder_minutes,
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        await db.flush()
        # Whatever the group subscribed to follows it to its new id.
        await subscriptions.move_chat(db, old_id, new_id)


async def active_chat_ids(db: AsyncSession, chat_ids: list[int]) -> set[int]:
    rows = await db.scalars(select(Chat.id).where(Chat.id.in_(chat_ids), Chat.active.is_(True)))
    return set(rows.all())


async def mark_once(db: AsyncSession, key: str, now: datetime) -> bool:
    """Record that ``key`` was done; False if it had been done before (exactly-once markers)."""
    statement = insert_for(db, SentRecord).values(key=key, created_at=now)
    touched = await execute_count(db, statement.on_conflict_do_nothing(index_elements=["key"]))
    return touched > 0
