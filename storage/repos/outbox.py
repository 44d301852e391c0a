"""The persistent outbox: every outgoing message is a row, sent once by the sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import wake_outbox_after_commit
from storage.models import OutboxMessage, OutboxStatus
from storage.repos._sql import execute_count, insert_for

PENDING = OutboxStatus.PENDING
SENDING = OutboxStatus.SENDING
SENT = OutboxStatus.SENT
FAILED = OutboxStatus.FAILED
DROPPED = OutboxStatus.DROPPED


class Priority:
    """Lower goes first: someone talking to the bot right now beats bulk notifications."""

    INTERACTIVE = 0
    ANSWER = 10
    CHANGE = 20
    REMINDER = 30
    ANNOUNCEMENT = 40
    BULK = 50


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to enqueue; ``payload`` holds Bot API parameters (text, reply_markup, ...)."""

    key: str
    chat_id: int
    kind: str
    payload: dict[str, Any]
    not_before: datetime
    priority: int = Priority.BULK
    method: str = "sendMessage"
    expires_at: datetime | None = None
    session_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def enqueue(db: AsyncSession, message: NewMessage, *, now: datetime) -> bool:
    """Insert ``message`` unless its key is already queued; True if it was new.

    A new row wakes the sender once the transaction commits (never before, never on rollback).
    """
    statement = (
        insert_for(db, OutboxMessage)
        .values(
            idempotency_key=message.key,
            chat_id=message.chat_id,
            kind=message.kind,
            priority=message.priority,
            method=message.method,
            payload=message.payload,
            status=PENDING,
            not_before=message.not_before,
            expires_at=message.expires_at,
            attempts=0,
            session_id=message.session_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    touched = await execute_count(db, statement)
    if touched:
        await wake_outbox_after_commit(db)
    return touched > 0


async def claim_due(
    db: AsyncSession, *, now: datetime, limit: int, skip_chats: Sequence[int] = ()
) -> list[OutboxMessage]:
    """Mark up to ``limit`` due messages as in flight and return them, most urgent first."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now)
        .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
    )
    if skip_chats:
        query = query.where(OutboxMessage.chat_id.not_in(list(skip_chats)))
    return await _take_in_flight(db, query)


async def _take_in_flight(db: AsyncSession, query: Select[OutboxMessage]) -> list[OutboxMessage]:
    """Load the rows ``query`` selects and mark them in flight, in the caller's transaction."""
    rows = list((await db.scalars(query)).all())
    if rows:
        await db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(status=SENDING)
        )
        for row in rows:
            row.status = SENDING
    return rows


async def mark_sent(
    db: AsyncSession, message_id: int, *, now: datetime, telegram_message_id: int | None
) -> None:
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=SENT,
            sent_at=now,
            telegram_message_id=telegram_message_id,
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def mark_retry(
    db: AsyncSession, message_id: int, *, not_before: datetime, error: str
) -> None:
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=PENDING,
            not_before=not_before,
            last_error=error[:500],
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def mark_failed(db: AsyncSession, message_id: int, *, status: str, error: str) -> None:
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=status, last_error=error[:500], attempts=OutboxMessage.attempts + 1)
    )


async def drop_pending_for_chat(db: AsyncSession, chat_id: int, *, reason: str) -> int:
    """Drop everything still queued for a chat that blocked or removed the bot."""
    touched = await execute_count(
        db,
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == PENDING)
        .values(status=DROPPED, last_error=reason[:500]),
    )
    return touched


async def retarget_chat(db: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: its queued messages follow it to the new id."""
    touched = await execute_count(
        db,
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status.in_([PENDING, SENDING]))
        .values(chat_id=new_chat_id, status=PENDING),
    )
    return touched


async def release_in_flight(db: AsyncSession) -> int:
    """On start: messages a crash left in flight go back to the queue (they may repeat once)."""
    touched = await execute_count(
        db, update(OutboxMessage).where(OutboxMessage.status == SENDING).values(status=PENDING)
    )
    return touched


async def next_due_at(db: AsyncSession, *, skip_chats: Sequence[int] = ()) -> datetime | None:
    """When the next queued message becomes due (ignoring ``skip_chats``); None if none."""
    query = select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == PENDING)
    if skip_chats:
        query = query.where(OutboxMessage.chat_id.not_in(list(skip_chats)))
    return await db.scalar(query)


async def claim_next_per_chat(
    db: AsyncSession, *, now: datetime, limit: int, skip_chats: Sequence[int] = ()
) -> list[OutboxMessage]:
    """Like :func:`claim_due`, but at most one message per chat: each chat's most urgent one.

    The sender sends one message per chat at a time, so a second row of the same chat would
    only wait in memory while other chats' rows (maybe more urgent) wait in the table.
    """
    due = [OutboxMessage.status == PENDING, OutboxMessage.not_before <= now]
    if skip_chats:
        due.append(OutboxMessage.chat_id.not_in(list(skip_chats)))
    order = (OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
    ranked = (
        select(
            OutboxMessage.id,
            func.row_number()
            .over(partition_by=OutboxMessage.chat_id, order_by=order)
            .label("place"),
        )
        .where(*due)
        .subquery()
    )
    heads = select(ranked.c.id).where(ranked.c.place == 1)
    query = select(OutboxMessage).where(OutboxMessage.id.in_(heads)).order_by(*order).limit(limit)
    return await _take_in_flight(db, query)


async def note_attempt(db: AsyncSession, message_id: int, *, error: str) -> None:
    """Count a failed attempt of a message the sender keeps in flight to retry."""
    await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(last_error=error[:500], attempts=OutboxMessage.attempts + 1)
    )


async def release(db: AsyncSession, message_ids: Sequence[int]) -> int:
    """Put claimed messages that were not sent back in the queue (the sender is stopping)."""
    if not message_ids:
        return 0
    touched = await execute_count(
        db,
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == SENDING)
        .values(status=PENDING),
    )
    return touched


async def count_by_status(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: count for status, count in rows}


async def enqueue_many(db: AsyncSession, messages: Sequence[NewMessage], *, now: datetime) -> int:
    """Insert a fan-out (one row per chat) in one executemany; rows whose key exists are skipped.

    One statement compiled once (SQLAlchemy batches it as multi-row inserts), so ten thousand
    rows cost a few round trips, not ten thousand. Returns how many rows were new.
    """
    if not messages:
        return 0
    values = [
        {
            "idempotency_key": message.key,
            "chat_id": message.chat_id,
            "kind": message.kind,
            "priority": message.priority,
            "method": message.method,
            "payload": message.payload,
            "status": PENDING,
            "not_before": message.not_before,
            "expires_at": message.expires_at,
            "attempts": 0,
            "session_id": message.session_id,
            "created_at": now,
        }
        for message in messages
    ]
    statement = (
        insert_for(db, OutboxMessage)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    result = await db.execute(statement, values)
    added = len(result.all())
    if added:
        await wake_outbox_after_commit(db)
    return added


async def drop_pending_for_session(
    db: AsyncSession, session_id: int, *, kinds: Sequence[str], reason: str
) -> int:
    """Drop queued messages of these kinds about a session (reminders of a moved session)."""
    touched = await execute_count(
        db,
        update(OutboxMessage)
        .where(
            OutboxMessage.session_id == session_id,
            OutboxMessage.kind.in_(list(kinds)),
            OutboxMessage.status == PENDING,
        )
        .values(status=DROPPED, last_error=reason[:500]),
    )
    return touched


async def count_keys(db: AsyncSession, prefix: str) -> int:
    """How many rows (any status) have an idempotency key starting with ``prefix``."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(func.count()).where(
        OutboxMessage.idempotency_key.like(escaped + "%", escape="\\")
    )
    return int(await db.scalar(query) or 0)


async def live_keys(db: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are queued, in flight or sent (not dropped or failed)."""
    if not keys:
        return set()
    rows = await db.scalars(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.in_(list(keys)),
            OutboxMessage.status.in_([PENDING, SENDING, SENT]),
        )
    )
    return set(rows.all())
