"""The outbox queries the sender added: one head per chat, attempts, release, skipping chats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import Database
from storage.models import OutboxMessage
from storage.repos import outbox
from storage.repos.outbox import Priority

from .outbox_fakes import message

NOW = datetime(2026, 6, 23, 9, 0, tzinfo=UTC)


async def test_claim_next_per_chat_takes_each_chats_most_urgent_row(database: Database) -> None:
    async with database.transaction() as db:
        for item in (
            message("a1", 1, NOW),
            message("a2", 1, NOW),
            message("a-reply", 1, NOW, priority=Priority.INTERACTIVE),
            message("b1", 2, NOW, priority=Priority.REMINDER),
            message("b2", 2, NOW),
            message("c-later", 3, NOW, delay=60),
            message("d1", 4, NOW),
        ):
            await outbox.enqueue(db, item, now=NOW)
    async with database.transaction() as db:
        claimed = await outbox.claim_next_per_chat(db, now=NOW, limit=10, skip_chats=[4])
    assert [row.idempotency_key for row in claimed] == ["a-reply", "b1"]
    async with database.transaction() as db:
        again = await outbox.claim_next_per_chat(db, now=NOW, limit=1)
        assert [row.idempotency_key for row in again] == ["a1"]
        rows = await db.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status))
        statuses = {key: status for key, status in rows}
    assert statuses["a-reply"] == statuses["b1"] == statuses["a1"] == "sending"
    assert statuses["a2"] == statuses["b2"] == statuses["d1"] == "pending"


async def test_next_due_at_can_ignore_busy_chats(database: Database) -> None:
    async with database.transaction() as db:
        await outbox.enqueue(db, message("now", 1, NOW), now=NOW)
        await outbox.enqueue(db, message("soon", 2, NOW, delay=30), now=NOW)
    async with database.transaction() as db:
        assert await outbox.next_due_at(db) == NOW
        assert await outbox.next_due_at(db, skip_chats=[1]) == NOW + timedelta(seconds=30)
        assert await outbox.next_due_at(db, skip_chats=[1, 2]) is None


async def test_note_attempt_and_release(database: Database) -> None:
    async with database.transaction() as db:
        await outbox.enqueue(db, message("m", 1, NOW), now=NOW)
    async with database.transaction() as db:
        [row] = await outbox.claim_next_per_chat(db, now=NOW, limit=5)
        await outbox.note_attempt(db, row.id, error="Bad Gateway")
    async with database.transaction() as db:
        assert await outbox.release(db, [row.id]) == 1
        assert await outbox.release(db, []) == 0
        stored = await db.get(OutboxMessage, row.id, populate_existing=True)
    assert stored is not None
    assert (stored.status, stored.attempts, stored.last_error) == ("pending", 1, "Bad Gateway")
