"""The inbox on SQLite and PostgreSQL: stored once, replayed in order after a crash, pruned."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock
from bot.intake import Intake, IntakeClosed
from bot.intake.inbox import InboxWriter
from bot.intake.thread import IntakeThread
from storage.db import Database
from storage.repos import inbox
from storage.repos.inbox import StoredUpdate

NOW = datetime(2026, 6, 23, 6, 0, tzinfo=UTC)


def message(update_id: int, chat: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"message_id": update_id, "chat": {"id": chat}}}


async def test_store_is_once_per_update_id(database: Database) -> None:
    async with database.transaction() as db:
        first = await inbox.store(
            db, [StoredUpdate(1, 5, message(1, 5)), StoredUpdate(2, 6, message(2, 6))], now=NOW
        )
    async with database.transaction() as db:
        again = await inbox.store(
            db, [StoredUpdate(2, 6, message(2, 6)), StoredUpdate(3, 5, message(3, 5))], now=NOW
        )
        rows = await inbox.undone(db)
    assert first == {1, 2} and again == {3}
    assert [(row.update_id, row.chat_key) for row in rows] == [(1, 5), (2, 6), (3, 5)]
    assert rows[0].payload == message(1, 5)


async def test_done_rows_are_not_replayed_and_old_ones_are_pruned(database: Database) -> None:
    async with database.transaction() as db:
        await inbox.store(db, [StoredUpdate(n, 1, message(n, 1)) for n in (1, 2, 3)], now=NOW)
        assert await inbox.mark_done(db, [1, 2], now=NOW) == 2
        await inbox.mark_done(db, [3], now=NOW + timedelta(hours=30))
    async with database.transaction() as db:
        assert [row.update_id for row in await inbox.undone(db)] == []
        assert await inbox.prune(db, done_before=NOW + timedelta(hours=1)) == 2
        assert await inbox.stored_ids(db) == [3]


@pytest.mark.parametrize("own_thread", [False, True], ids=["one-loop", "intake-thread"])
async def test_start_replays_undone_updates_in_order_per_chat(
    database: Database, own_thread: bool
) -> None:
    # What a killed process left: six updates stored, two of them handled.
    async with database.transaction() as db:
        await inbox.store(
            db, [StoredUpdate(n, n % 2, message(n, n % 2)) for n in range(1, 7)], now=NOW
        )
        await inbox.mark_done(db, [1, 2], now=NOW)
    handled: list[int] = []

    async def handle(item: StoredUpdate) -> None:
        await asyncio.sleep(0.001 * (item.update_id % 3))
        handled.append(item.update_id)

    thread = IntakeThread() if own_thread else None
    intake = Intake(database, FrozenClock(NOW), handle, concurrency=4, thread=thread)
    assert await intake.start() == 4
    # Telegram sends the unconfirmed ones again, and a new one: only the new one is handled.
    assert await intake.accept([message(5, 1), message(6, 0), message(7, 1)]) == {7}
    await intake.stop()
    assert sorted(handled) == [3, 4, 5, 6, 7]
    for chat in (0, 1):
        mine = [n for n in handled if n % 2 == chat]
        assert mine == sorted(mine)
    async with database.transaction() as db:
        assert await inbox.counts(db) == (7, 0)
    with pytest.raises(IntakeClosed):
        await intake.accept([message(8, 1)])


async def test_an_update_cut_short_again_and_again_is_given_up(database: Database) -> None:
    async with database.transaction() as db:
        await inbox.store(db, [StoredUpdate(1, 1, message(1, 1))], now=NOW)
    for _attempt in range(3):
        async with database.transaction() as db:
            await inbox.note_attempts(db, [1])
    handled: list[int] = []

    async def handle(item: StoredUpdate) -> None:
        handled.append(item.update_id)

    intake = Intake(database, FrozenClock(NOW), handle)
    assert await intake.start() == 0
    await intake.stop()
    assert handled == []
    async with database.transaction() as db:
        assert await inbox.counts(db) == (1, 0)


async def test_stopping_leaves_unhandled_updates_for_the_next_start(database: Database) -> None:
    never = asyncio.Event()

    async def stuck(item: StoredUpdate) -> None:
        await never.wait()

    intake = Intake(database, FrozenClock(NOW), stuck, concurrency=2)
    await intake.start()
    await intake.accept([message(1, 1), message(2, 2)])
    await intake.stop(drain_seconds=0.1)
    async with database.transaction() as db:
        assert [row.update_id for row in await inbox.undone(db)] == [1, 2]


async def test_on_the_intake_thread_updates_are_stored_there_and_handled_here(
    database: Database,
) -> None:
    """The fetcher's side (accept, the capacity wait) runs on the intake thread's loop and
    commits with its own engine; the handlers run on the caller's loop, one chat in order."""
    main = threading.current_thread()
    handled: list[tuple[int, threading.Thread]] = []
    release = asyncio.Event()

    async def handle(item: StoredUpdate) -> None:
        if item.update_id in (1, 3):
            await release.wait()  # both workers held up: nothing is handled, the buffer fills
        handled.append((item.update_id, threading.current_thread()))

    thread = IntakeThread()
    intake = Intake(database, FrozenClock(NOW), handle, concurrency=2, buffer=3, thread=thread)
    await intake.start()
    stored_on: list[threading.Thread] = []

    async def fetch(batch: list[dict[str, object]]) -> set[int]:
        await intake.wait_capacity()
        stored_on.append(threading.current_thread())
        return await intake.accept(batch)

    assert await intake.run_here(fetch([message(1, 1), message(2, 1), message(3, 2)])) == {
        1,
        2,
        3,
    }
    # Three outstanding, the buffer is three: the next fetch waits until one is handled.
    waiting = asyncio.ensure_future(intake.run_here(fetch([message(4, 2)])))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    release.set()
    assert await waiting == {4}
    assert await intake.dispatcher.join(5)
    await intake.stop()
    assert all(where is not main for where in stored_on)
    assert all(where is main for _, where in handled)
    order = [update_id for update_id, _ in handled]
    assert sorted(order) == [1, 2, 3, 4]
    assert order.index(1) < order.index(2) and order.index(3) < order.index(4)
    async with database.transaction() as db:
        assert await inbox.counts(db) == (4, 0)  # all stored, all marked handled


async def test_handled_marks_ride_with_the_next_store_or_leave_after_the_delay(
    database: Database,
) -> None:
    """A mark alone waits up to ``mark_delay`` (so SQLite's one lock is not taken per
    handled update); a store writes the marks waiting with it at once."""
    writer = InboxWriter(database, FrozenClock(NOW), mark_delay=1.0)
    writer.start()
    try:
        await writer.store([StoredUpdate(n, 1, message(n, 1)) for n in (1, 2)])
        writer.mark_done(1)
        await asyncio.sleep(0.2)
        async with database.transaction() as db:
            assert await inbox.counts(db) == (0, 2)  # not written yet
        await writer.store([StoredUpdate(3, 1, message(3, 1))])
        async with database.transaction() as db:
            assert await inbox.counts(db) == (1, 2)  # it went with the store
        writer.mark_done(2)
        await asyncio.sleep(2.0)
        async with database.transaction() as db:
            assert await inbox.counts(db) == (2, 1)  # the delay passed
        writer.mark_done(3)
    finally:
        await writer.stop()
    async with database.transaction() as db:
        assert await inbox.counts(db) == (3, 0)  # stopping writes what waits
