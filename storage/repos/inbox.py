"""The inbox: store updates once by ``update_id``, mark them handled, replay and prune."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate
from storage.repos._sql import execute_count, insert_for


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """An update read back from the inbox."""

    update_id: int
    chat_key: int | None
    payload: dict[str, Any]
    attempts: int = 0


async def store(db: AsyncSession, updates: Sequence[StoredUpdate], *, now: datetime) -> set[int]:
    """Insert the updates not stored yet; returns the ids that were new.

    An update Telegram sends again (after a crash before the offset was confirmed, or a
    webhook retry) is already there and is not handled twice.
    """
    if not updates:
        return set()
    fresh: dict[int, StoredUpdate] = {}
    for item in updates:
        fresh.setdefault(item.update_id, item)
    statement = (
        insert_for(db, InboxUpdate)
        .values(
            [
                {
                    "update_id": item.update_id,
                    "chat_key": item.chat_key,
                    "payload": item.payload,
                    "received_at": now,
                    "done_at": None,
                    "attempts": 0,
                }
                for item in fresh.values()
            ]
        )
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(InboxUpdate.update_id)
    )
    # RETURNING names only the rows this statement inserted: the known ones are skipped.
    return set((await db.scalars(statement)).all())


async def mark_done(db: AsyncSession, update_ids: Sequence[int], *, now: datetime) -> int:
    """Record that these updates were handled."""
    if not update_ids:
        return 0
    statement = (
        update(InboxUpdate)
        .where(InboxUpdate.update_id.in_(list(update_ids)), InboxUpdate.done_at.is_(None))
        .values(done_at=now)
    )
    return await execute_count(db, statement)


async def note_attempts(db: AsyncSession, update_ids: Sequence[int]) -> None:
    """Count one more cut-short handling (each replay after a crash counts one)."""
    if update_ids:
        await db.execute(
            update(InboxUpdate)
            .where(InboxUpdate.update_id.in_(list(update_ids)))
            .values(attempts=InboxUpdate.attempts + 1)
        )


async def undone(
    db: AsyncSession,
    *,
    after: int | None = None,
    limit: int = 1000,
    received_before: datetime | None = None,
) -> list[StoredUpdate]:
    """Updates stored but not handled yet, oldest first (past ``after``, to page on; only
    those received before ``received_before`` if given)."""
    statement = select(
        InboxUpdate.update_id, InboxUpdate.chat_key, InboxUpdate.payload, InboxUpdate.attempts
    ).where(InboxUpdate.done_at.is_(None))
    if after is not None:
        statement = statement.where(InboxUpdate.update_id > after)
    if received_before is not None:
        statement = statement.where(InboxUpdate.received_at < received_before)
    rows = await db.execute(statement.order_by(InboxUpdate.update_id).limit(limit))
    return [StoredUpdate(row[0], row[1], row[2], row[3]) for row in rows]


async def prune(db: AsyncSession, *, done_before: datetime) -> int:
    """Delete handled updates older than ``done_before`` (Telegram resends nothing that old)."""
    statement = delete(InboxUpdate).where(
        InboxUpdate.done_at.is_not(None), InboxUpdate.done_at < done_before
    )
    return await execute_count(db, statement)


async def counts(db: AsyncSession) -> tuple[int, int]:
    """(handled, not handled) rows, for tests and benchmarks."""
    rows = await db.execute(
        select(InboxUpdate.done_at.is_(None), func.count()).group_by(InboxUpdate.done_at.is_(None))
    )
    done = pending = 0
    for is_pending, count in rows:
        if is_pending:
            pending = int(count)
        else:
            done = int(count)
    return done, pending


async def stored_ids(db: AsyncSession) -> list[int]:
    """Every stored ``update_id`` in order (tests compare them with what Telegram delivered)."""
    return list(await db.scalars(select(InboxUpdate.update_id).order_by(InboxUpdate.update_id)))
