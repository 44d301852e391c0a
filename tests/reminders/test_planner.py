"""The reminder planner on both backends: jobs at start - lead, one row per chat, never twice."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.reminders.batches import iso
from storage.db import Database
from storage.repos.outbox import Priority

from .helpers import (
    add_chat,
    add_session,
    make_kit,
    move_session,
    outbox_rows,
    utc,
)

NOW = utc("2026-06-20T12:00")
START = utc("2026-06-23T06:00")  # 10:00 in Baku


async def test_one_job_per_session_and_distinct_lead(database: Database) -> None:
    kit = make_kit(database, NOW)
    await add_chat(database, 1)  # default leads 60, 10
    await add_chat(database, 2, leads=[1440, 10])
    await add_chat(database, 3, leads=[30], active=False)  # inactive: its lead is not planned
    session = await add_session(database, "Libraries and AI", START, is_ifla=True)
    other = await add_session(database, "Not followed", START)
    service = kit.reminders.subscriptions
    await service.subscribe_ifla(1, None)
    await service.subscribe_session(2, session.id, None)
    await service.subscribe_ifla(3, None)

    report = await kit.reminders.planner.plan()

    assert kit.board.due_times() == {
        f"remind:{session.id}:1440": START - timedelta(days=1),
        f"remind:{session.id}:60": START - timedelta(hours=1),
        f"remind:{session.id}:10": START - timedelta(minutes=10),
    }
    assert all(due.session_id != other.id for due in report.scheduled)
    # One job per minute of due reminders; it rings its broadcast's length ahead (one chat).
    hour_before = kit.board.jobs[f"remind:{iso(START - timedelta(hours=1))}"]
    ahead = kit.reminders.planner.pace.length(1).total_seconds()
    assert 2.0 <= ahead < 2.1
    assert hour_before.delay == pytest.approx(
        (START - timedelta(hours=1) - NOW).total_seconds() - ahead
    )


async def test_ringing_queues_one_row_per_chat_with_its_lead(database: Database) -> None:
    kit = make_kit(database, NOW)
    await add_chat(database, 1, timezone="Asia/Novosibirsk", language="ru")
    await add_chat(database, 2, timezone="Europe/Paris", leads=[60])
    await add_chat(database, 3, leads=[10])  # wants only the 10-minute one
    session = await add_session(
        database, "Libraries & <AI>", START, is_ifla=True, webcast_url="https://x.org/live?a=1&b=2"
    )
    for chat_id in (1, 2, 3):
        await kit.reminders.subscriptions.subscribe_ifla(chat_id, None)

    kit.clock.set(START - timedelta(hours=1))
    queued = await kit.reminders.planner.fire(session.id, [60])

    rows = await outbox_rows(database, "reminder")
    assert queued == 2
    assert [row.chat_id for row in rows] == [1, 2]
    iso = "2026-06-23T06:00:00+00:00"
    assert [row.idempotency_key for row in rows] == [
        f"remind:1:{session.id}:60:{iso}",
        f"remind:2:{session.id}:60:{iso}",
    ]
    assert {row.priority for row in rows} == {Priority.REMINDER}
    assert {row.expires_at for row in rows} == {START}
    assert {row.session_id for row in rows} == {session.id}
    novosibirsk, paris = rows[0].payload["text"], rows[1].payload["text"]
    assert "13:00–14:30 (Asia/Novosibirsk) · на площадке 10:00–11:30" in novosibirsk
    assert "начнётся через 1 час" in novosibirsk
    assert "08:00–09:30 (Europe/Paris) · venue 10:00–11:30" in paris
    assert "Libraries &amp; &lt;AI&gt;" in paris  # the title is shown literally
    assert 'href="https://x.org/live?a=1&amp;b=2"' in paris
    assert "https://t.me/remotehub_test_bot?start=s_" in paris
    assert kit.sender.wakes == 1

    assert await kit.reminders.planner.fire(session.id, [60]) == 0  # a second ring: nothing
    kit.clock.set(START - timedelta(minutes=10))
    assert await kit.reminders.planner.fire(session.id, [10]) == 2  # chats 1 and 3
    assert len(await outbox_rows(database, "reminder")) == 4


async def test_dst_lead_is_elapsed_time_not_wall_clock(database: Database) -> None:
    """Paris springs forward on 29 March 2026: a day before 10:00 is 09:00 local."""
    kit = make_kit(database, utc("2026-03-25T00:00"), timezone="Europe/Paris")
    await add_chat(database, 1, timezone="Europe/Paris", leads=[1440])
    start = utc("2026-03-29T08:00")  # 10:00 CEST
    session = await add_session(database, "Morning", start, zone="Europe/Paris")
    await kit.reminders.subscriptions.subscribe_session(1, session.id, None)
    await kit.reminders.planner.plan()
    assert kit.board.due_times() == {f"remind:{session.id}:1440": utc("2026-03-28T08:00")}
    kit.clock.set(utc("2026-03-28T08:00"))
    await kit.reminders.planner.fire(session.id, [1440])
    [row] = await outbox_rows(database, "reminder")
    assert "starts in 1 day" in row.payload["text"]
    assert "Sun 29 Mar 10:00–11:30 (Europe/Paris)" in row.payload["text"]


async def test_late_subscriber_does_not_get_the_passed_reminder(database: Database) -> None:
    kit = make_kit(database, NOW)
    await add_chat(database, 1)
    session = await add_session(database, "Soon", START)
    kit.clock.set(START - timedelta(minutes=30))  # after the 60-minute mark
    await kit.reminders.subscriptions.subscribe_session(1, session.id, None)
    report = await kit.reminders.planner.plan()
    assert [due.lead for due in report.fired] == [60]
    assert await outbox_rows(database, "reminder") == []
    assert list(kit.board.due_times()) == [f"remind:{session.id}:10"]


async def test_on_start_an_overdue_reminder_is_sent_once_nearest_only(
    database: Database,
) -> None:
    kit = make_kit(database, NOW)
    await add_chat(database, 1)
    await add_session(database, "Missed while down", START, is_ifla=True)
    await kit.reminders.subscriptions.subscribe_ifla(1, None)
    kit.clock.set(START - timedelta(minutes=5))  # the bot was down for both marks

    report = await kit.reminders.planner.plan(startup=True)

    rows = await outbox_rows(database, "reminder")
    assert sorted(due.lead for due in report.fired) == [10, 60]
    assert [row.idempotency_key.split(":")[3] for row in rows] == ["10"]
    assert "starts in 5 minutes" in rows[0].payload["text"]
    again = await kit.reminders.planner.plan(startup=True)
    assert again.fired == [] and again.scheduled == []
    assert len(await outbox_rows(database, "reminder")) == 1


async def test_on_start_a_started_session_is_dropped_with_a_log_line(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    kit = make_kit(database, NOW)
    await add_chat(database, 1)
    session = await add_session(database, "Already running", START, is_ifla=True)
    await kit.reminders.subscriptions.subscribe_ifla(1, None)
    kit.clock.set(START + timedelta(minutes=5))
    with caplog.at_level(logging.INFO, logger="bot.reminders.planner"):
        report = await kit.reminders.planner.plan(startup=True)
    assert sorted(due.lead for due in report.dropped) == [10, 60]
    assert await outbox_rows(database, "reminder") == []
    dropped_lines = [r.message for r in caplog.records if "dropped" in r.message]
    assert len(dropped_lines) == 2 and f"session {session.id}" in dropped_lines[0]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot.reminders.planner"):
        await kit.reminders.planner.plan(startup=True)
    assert not [r for r in caplog.records if "dropped" in r.message]  # said once


async def test_moved_session_gets_a_new_job_and_a_fresh_key(database: Database) -> None:
    kit = make_kit(database, NOW, reminder_minutes=[10])
    await add_chat(database, 1)
    session = await add_session(database, "Moving", START, is_ifla=True)
    await kit.reminders.subscriptions.subscribe_ifla(1, None)
    kit.clock.set(START - timedelta(minutes=10))
    await kit.reminders.planner.fire(session.id, [10])
    later = START + timedelta(hours=2)
    await move_session(database, session.id, later)

    await kit.reminders.planner.plan()
    assert kit.board.due_times() == {f"remind:{session.id}:10": later - timedelta(minutes=10)}
    kit.clock.set(later - timedelta(minutes=10))
    assert await kit.reminders.planner.fire(session.id, [10]) == 1
    keys = [row.idempotency_key for row in await outbox_rows(database, "reminder")]
    assert keys[0].endswith("06:00:00+00:00") and keys[1].endswith("08:00:00+00:00")


async def test_a_job_ringing_before_a_later_start_sends_nothing(database: Database) -> None:
    kit = make_kit(database, NOW, reminder_minutes=[10])
    await add_chat(database, 1)
    session = await add_session(database, "Postponed", START, is_ifla=True)
    await kit.reminders.subscriptions.subscribe_ifla(1, None)
    await move_session(database, session.id, START + timedelta(hours=1))
    kit.clock.set(START - timedelta(minutes=10))  # the old job rings
    assert await kit.reminders.planner.fire(session.id, [10]) == 0
    await kit.reminders.planner.settle()  # and asks for a new plan
    assert kit.board.due_times() == {f"remind:{session.id}:10": START + timedelta(minutes=50)}


async def test_keywords_match_in_any_language_and_tracks_exactly(database: Database) -> None:
    kit = make_kit(database, NOW)
    for chat_id in (1, 2, 3):
        await add_chat(database, chat_id)
    service = kit.reminders.subscriptions
    await service.subscribe_keyword(1, "  БИБЛИОТЕКИ ", None)
    await add_session(database, "Track session", START, track="Access to Information")
    await service.subscribe_track(2, "Access to Information", None)
    russian = await add_session(
        database, "Будущее", START, description="Роль библиотеки в цифровую эпоху"
    )
    inside_a_word = await add_session(database, "Not this", START, description="Небиблиотеки")
    tracked = await add_session(database, "Open data", START, track="Access to Information")
    kit.clock.set(START - timedelta(hours=1))
    await kit.reminders.planner.fire(russian.id, [60])
    await kit.reminders.planner.fire(tracked.id, [60])
    assert await kit.reminders.planner.fire(inside_a_word.id, [60]) == 0
    rows = await outbox_rows(database, "reminder")
    assert [(row.chat_id, row.session_id) for row in rows] == [(1, russian.id), (2, tracked.id)]
