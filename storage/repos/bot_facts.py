"""The bot's facts about itself: read by offline commands, written when the bot starts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BotFact

USERNAME = "username"


async def remember(db: AsyncSession, name: str, value: str, *, now: datetime) -> None:
    """Store (or replace) one fact."""
    fact = await db.get(BotFact, name)
    if fact is None:
        db.add(BotFact(name=name, value=value, updated_at=now))
    else:
        fact.value, fact.updated_at = value, now


async def recall(db: AsyncSession, name: str) -> str | None:
    """One fact, or None if the bot never learned it."""
    fact = await db.get(BotFact, name)
    return fact.value if fact is not None else None
