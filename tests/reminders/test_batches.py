"""Reminders on time at any size: batches per minute, rung their broadcast's length ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.reminders.batches import BroadcastPace, DueReminder, group_by_minute, iso, plan_batches
from storage.db import Database
from storage.models import Session

from .helpers import add_chat, add_session, make_kit, outbox_rows, utc

TEN = utc("2026-06-23T06:00")  # 10:00 in Baku
NOW = TEN - timedelta(minutes=15)  # near enough for the planner to count the recipients
PACE = BroadcastPace(per_second=25.0)


def test_a_broadcast_rings_its_own_length_before_it_is_due() -> None:
    due = DueReminder(TEN, 1, 10)
    groups = group_by_minute([due])
    [batch] = plan_batches(groups, {due.at: 10_000}, PACE)
    assert batch.deadline == due.at
    # 10,000 messages at 25 a second: 400 s, plus two of start-up.
    assert batch.ring_at == due.at - timedelta(seconds=402)
    assert batch.early == timedelta(seconds=402)
    assert batch.job_name == f"remind:{iso(due.at)}"


def test_one_batch_per_minute_and_an_earlier_one_ends_before_the_next_begins() -> None:
    ten_oclock = DueReminder(TEN, 1, 10)
    same_minute = DueReminder(TEN + timedelta(seconds=20), 2, 10)
    a_minute_later = DueReminder(TEN + timedelta(minutes=1), 3, 10)
    groups = group_by_minute([a_minute_later, same_minute, ten_oclock])
    assert [len(dues) for dues in groups.values()] == [2, 1]
    first_minute, second_minute = sorted(groups)
    counts = {first_minute: 5_000, second_minute: 5_000}
    first, second = plan_batches(groups, counts, PACE)
    assert first.dues == (ten_oclock, same_minute)
    assert second.ring_at == a_minute_later.at - timedelta(seconds=202)
    # The first would still be sending when the second starts: it starts earlier instead.
    assert first.ring_at == second.ring_at - timedelta(seconds=202)
    assert first.deadline == ten_oclock.at


def test_an_uncounted_batch_rings_at_its_deadline_less_the_start_up() -> None:
    due = DueReminder(TEN, 1, 60)
    [batch] = plan_batches(group_by_minute([due]), {}, PACE)
    assert batch.recipients is None
    assert batch.ring_at == due.at - timedelta(seconds=2)


def test_a_fast_clock_keeps_the_start_up_within_a_minute() -> None:
    demo = BroadcastPace(per_second=25.0, speed=720.0)
    # 25 messages: one real second, twelve demo minutes; the start-up is capped at one.
    assert demo.length(25) == timedelta(minutes=12) + timedelta(minutes=1)
    assert demo.expected_send(TEN, 50) == TEN + timedelta(minutes=24)


async def test_three_sessions_in_one_minute_are_one_message(database: Database) -> None:
    kit = make_kit(database, NOW, reminder_minutes=[10])
    await add_chat(database, 1)
    await add_chat(database, 2, language="ru")
    sessions = [
        await add_session(database, title, TEN, is_ifla=True)
        for title in ("Libraries and AI", "Remote hubs", "Open access")
    ]
    only_one = await add_session(database, "Not IFLA", TEN)
    service = kit.reminders.subscriptions
    await service.subscribe_ifla(1, None)
    await service.subscribe_session(2, only_one.id, None)
    await service.subscribe_session(2, sessions[0].id, None)

    report = await kit.reminders.planner.plan()
    [batch] = report.batches
    assert batch.recipients == 2 and len(batch.dues) == 4
    assert await kit.reminders.planner.fire_batch(batch) == 0  # not its time yet
    kit.clock.set(batch.ring_at)
    assert await kit.reminders.planner.fire_batch(batch) == 2

    rows = {row.chat_id: row for row in await outbox_rows(database, "reminder")}
    english = rows[1].payload["text"]
    assert english.startswith("🔔 Starting soon, the sessions you follow:")
    assert [english.count(s.title) for s in sessions] == [1, 1, 1]
    assert "Not IFLA" not in english
    assert english.count("starts in 10 minutes") == 3
    russian = rows[2].payload["text"]
    assert russian.startswith("🔔 Скоро начнутся") and "Not IFLA" in russian
    assert rows[1].session_id is None  # combined: a move of one session does not drop it
    assert rows[1].idempotency_key.startswith("remind:1:several:")
    assert rows[1].expires_at == TEN
    # Rung twice (a restart, a second job): nothing more.
    assert await kit.reminders.planner.fire_batch(batch) == 0
    assert (await kit.reminders.planner.plan()).batches == []


async def test_a_single_session_keeps_its_own_key_and_says_how_soon_it_leaves(
    database: Database,
) -> None:
    kit = make_kit(database, NOW, reminder_minutes=[10])
    for chat_id in range(1, 4):
        await add_chat(database, chat_id)
    session = await add_session(database, "Libraries and AI", TEN, is_ifla=True)
    for chat_id in range(1, 4):
        await kit.reminders.subscriptions.subscribe_ifla(chat_id, None)
    [batch] = (await kit.reminders.planner.plan()).batches
    kit.clock.set(batch.ring_at)
    assert await kit.reminders.planner.fire_batch(batch) == 3
    rows = await outbox_rows(database, "reminder")
    assert [row.idempotency_key for row in rows] == [
        f"remind:{chat_id}:{session.id}:10:{iso(TEN)}" for chat_id in range(1, 4)
    ]
    assert all(row.session_id == session.id for row in rows)
    assert all("allow_paid_broadcast" not in row.payload for row in rows)


async def test_a_session_moved_later_after_planning_waits_for_its_new_time(
    database: Database,
) -> None:
    kit = make_kit(database, NOW, reminder_minutes=[10])
    await add_chat(database, 1)
    session = await add_session(database, "Libraries and AI", TEN, is_ifla=True)
    await kit.reminders.subscriptions.subscribe_ifla(1, None)
    [batch] = (await kit.reminders.planner.plan()).batches
    async with database.transaction() as db:
        stored = await db.get(Session, session.id)
        assert stored is not None
        stored.start_at = TEN + timedelta(hours=1)
        stored.end_at = TEN + timedelta(hours=2)
    kit.clock.set(batch.ring_at)
    assert await kit.reminders.planner.fire_batch(batch) == 0
    await kit.reminders.planner.settle()  # it asked for a new plan
    assert kit.board.due_times() == {
        f"remind:{session.id}:10": TEN + timedelta(minutes=50),
    }


@pytest.mark.parametrize("paid", [False, True])
async def test_paid_broadcasts_carry_the_flag_and_plan_for_the_paid_pace(
    sqlite_database: Database, paid: bool
) -> None:
    kit = make_kit(sqlite_database, NOW, reminder_minutes=[10], broadcast={"paid": paid})
    chats = range(1, 501)
    for chat_id in chats:
        await add_chat(sqlite_database, chat_id)
    await add_session(sqlite_database, "Libraries and AI", TEN, is_ifla=True)
    for chat_id in chats:
        await kit.reminders.subscriptions.subscribe_ifla(chat_id, None)
    [batch] = (await kit.reminders.planner.plan()).batches
    pace = kit.reminders.planner.pace
    assert batch.recipients == 500
    assert batch.early == pace.length(500)
    # Free: 500 at 90% of 29.5 a second is 19 s; paid: 2 s.
    assert (batch.early.total_seconds() > 20) is not paid
    kit.clock.set(batch.ring_at)
    assert await kit.reminders.planner.fire_batch(batch) == 500
    rows = await outbox_rows(sqlite_database, "reminder")
    assert {row.payload.get("allow_paid_broadcast", False) for row in rows} == {paid}
