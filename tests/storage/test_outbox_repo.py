"""The outbox repository on both backends: idempotent enqueue, claiming, retargeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.repos import outbox
from storage.repos.outbox import NewMessage, Priority

NOW = datetime(2026, 6, 23, 9, 0, tzinfo=UTC)


def _message(key: str, chat_id: int, priority: int = Priority.BULK, delay: int = 0) -> NewMessage:
    return NewMessage(
        key=key,
        chat_id=chat_id,
        kind="test",
        payload={"text": key},
        not_before=NOW + timedelta(seconds=delay),
        priority=priority,
    )


async def test_enqueue_is_idempotent(database: Database) -> None:
    async with database.transaction() as db:
        assert await outbox.enqueue(db, _message("a", 1), now=NOW)
        assert not await outbox.enqueue(db, _message("a", 1), now=NOW)
    async with database.transaction() as db:
        assert await outbox.count_by_status(db) == {"pending": 1}


async def test_claim_orders_by_priority_and_skips_future(database: Database) -> None:
    async with database.transaction() as db:
        await outbox.enqueue(db, _message("bulk", 1), now=NOW)
        await outbox.enqueue(db, _message("later", 2, Priority.INTERACTIVE, 60), now=NOW)
        await outbox.enqueue(db, _message("reply", 3, Priority.INTERACTIVE), now=NOW)
    async with database.transaction() as db:
        claimed = await outbox.claim_due(db, now=NOW, limit=10)
    assert [row.idempotency_key for row in claimed] == ["reply", "bulk"]
    async with database.transaction() as db:
        assert await outbox.claim_due(db, now=NOW, limit=10) == []
        assert await outbox.release_in_flight(db) == 2
        assert await outbox.next_due_at(db) == NOW


async def test_retarget_and_drop(database: Database) -> None:
    async with database.transaction() as db:
        await outbox.enqueue(db, _message("g1", -100), now=NOW)
        await outbox.enqueue(db, _message("u1", 7), now=NOW)
    async with database.transaction() as db:
        assert await outbox.retarget_chat(db, -100, -1001) == 1
        assert await outbox.drop_pending_for_chat(db, 7, reason="blocked") == 1
    async with database.transaction() as db:
        claimed = await outbox.claim_due(db, now=NOW, limit=10)
    assert [(row.idempotency_key, row.chat_id) for row in claimed] == [("g1", -1001)]
