"""The persistent outbox: every outgoing message is a row, sent once by the sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repos._sql import execute_count, insert_for

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DROPPED = "dropped"


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


async def enqueue(session: AsyncSession, message: NewMessage, *, now: datetime) -> bool:
    """Insert ``message`` unless its key is already queued; True if it was new."""
    statement = (
        insert_for(session, OutboxMessage)
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
    touched = await execute_count(session, statement)
    return touched > 0


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, skip_chats: Sequence[int] = ()
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
    return await _take_in_flight(session, query)


async def _take_in_flight(
    session: AsyncSession, query: Select[OutboxMessage]
) -> list[OutboxMessage]:
    """Load the rows ``query`` selects and mark them in flight, in the caller's transaction."""
    rows = list((await session.scalars(query)).all())
    if rows:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]))
            .values(status=SENDING)
        )
        for row in rows:
            row.status = SENDING
    return rows


async def mark_sent(
    session: AsyncSession, message_id: int, *, now: datetime, telegram_message_id: int | None
) -> None:
    await session.execute(
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
    session: AsyncSession, message_id: int, *, not_before: datetime, error: str
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=PENDING,
            not_before=not_before,
            last_error=error[:500],
            attempts=OutboxMessage.attempts + 1,
        )
    )


async def mark_failed(session: AsyncSession, message_id: int, *, status: str, error: str) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=status, last_error=error[:500], attempts=OutboxMessage.attempts + 1)
    )


async def drop_pending_for_chat(session: AsyncSession, chat_id: int, *, reason: str) -> int:
    """Drop everything still queued for a chat that blocked or removed the bot."""
    touched = await execute_count(
        session,
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.status == PENDING)
        .values(status=DROPPED, last_error=reason[:500]),
    )
    return touched


async def retarget_chat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: its queued messages follow it to the new id."""
    touched = await execute_count(
        session,
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == old_chat_id, OutboxMessage.status.in_([PENDING, SENDING]))
        .values(chat_id=new_chat_id, status=PENDING),
    )
    return touched


async def release_in_flight(session: AsyncSession) -> int:
    """On start: messages a crash left in flight go back to the queue (they may repeat once)."""
    touched = await execute_count(
        session, update(OutboxMessage).where(OutboxMessage.status == SENDING).values(status=PENDING)
    )
    return touched


async def next_due_at(session: AsyncSession, *, skip_chats: Sequence[int] = ()) -> datetime | None:
    """When the next queued message becomes due (ignoring ``skip_chats``); None if none."""
    query = select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == PENDING)
    if skip_chats:
        query = query.where(OutboxMessage.chat_id.not_in(list(skip_chats)))
    return await session.scalar(query)


async def claim_next_per_chat(
    session: AsyncSession, *, now: datetime, limit: int, skip_chats: Sequence[int] = ()
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
    return await _take_in_flight(session, query)


async def note_attempt(session: AsyncSession, message_id: int, *, error: str) -> None:
    """Count a failed attempt of a message the sender keeps in flight to retry."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(last_error=error[:500], attempts=OutboxMessage.attempts + 1)
    )


async def release(session: AsyncSession, message_ids: Sequence[int]) -> int:
    """Put claimed messages that were not sent back in the queue (the sender is stopping)."""
    if not message_ids:
        return 0
    touched = await execute_count(
        session,
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(message_ids)), OutboxMessage.status == SENDING)
        .values(status=PENDING),
    )
    return touched


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: count for status, count in rows}


async def enqueue_many(
    session: AsyncSession, messages: Sequence[NewMessage], *, now: datetime
) -> int:
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
        insert_for(session, OutboxMessage)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    result = await session.execute(statement, values)
    return len(result.all())


async def drop_pending_for_session(
    session: AsyncSession, session_id: int, *, kinds: Sequence[str], reason: str
) -> int:
    """Drop queued messages of these kinds about a session (reminders of a moved session)."""
    touched = await execute_count(
        session,
        update(OutboxMessage)
        .where(
            OutboxMessage.session_id == session_id,
            OutboxMessage.kind.in_(list(kinds)),
            OutboxMessage.status == PENDING,
        )
        .values(status=DROPPED, last_error=reason[:500]),
    )
    return touched


async def live_keys(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are queued, in flight or sent (not dropped or failed)."""
    if not keys:
        return set()
    rows = await session.scalars(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.in_(list(keys)),
            OutboxMessage.status.in_([PENDING, SENDING, SENT]),
        )
    )
    return set(rows.all())
