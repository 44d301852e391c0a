"""Reminders end to end: the real application against the local Bot API server, both backends.

Lead times are Telegram-real (5 minutes); sessions are put five minutes and a few seconds
ahead, so each reminder comes due seconds into the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.programme.events import ChangeKind, SessionChange
from bot.reminders.planner import PlannedJob
from bot.timefmt import format_span
from localapi import LocalBotApiServer, StoredMessage
from storage.db import Database
from storage.models import Chat, Session, Subscription
from tests.feedserver import FeedServer
from tests.harness import BotHarness, eventually
from tests.ingest.rig import calendar

from .helpers import add_session, outbox_rows

pytestmark = pytest.mark.e2e

StartBot = Callable[..., Awaitable[BotHarness]]
LEAD = timedelta(minutes=5)
BAKU = ZoneInfo("Asia/Baku")


def soon(seconds: float) -> datetime:
    """A session start whose 5-minute reminder comes due in ``seconds``."""
    now = datetime.now(UTC).replace(microsecond=0)
    return now + LEAD + timedelta(seconds=seconds)


def texts_to(server: LocalBotApiServer, chat_id: int, marker: str) -> list[str]:
    return [m.text or "" for m in server.messages_to(chat_id) if marker in (m.text or "")]


def has(text: str) -> Callable[[StoredMessage], bool]:
    return lambda message: text in (message.text or "")


async def press_remind_me(server: LocalBotApiServer, user: int, session_id: int) -> None:
    """The card's "🔔 Remind me" (the card is another feature: pressed on any bot message)."""
    last = server.last_message_to(user)
    message_id = last.message_id if last is not None else 1
    server.press_button(user, message_id, f"sub:add:{session_id}", check=False)
    await server.wait_for(has("Done: I will remind you"), chat_id=user, timeout=10)


async def set_zone(server: LocalBotApiServer, user: int, typed: str) -> None:
    server.send_text(user, f"/settings tz {typed}")
    await server.wait_for(lambda m: (m.text or "").startswith("✅"), chat_id=user, timeout=10)


async def test_reminder_once_in_each_readers_zone_and_not_again_after_restart(
    local_api: LocalBotApiServer, start_bot: StartBot, database: Database
) -> None:
    bot = await start_bot(reminder_minutes=[5])
    local_api.add_user(101, "Анна", language_code="ru")
    local_api.add_user(102, "Paulo", language_code="pt")  # not spoken: English
    await set_zone(local_api, 101, "новосибирск")
    await set_zone(local_api, 102, "Europe/Paris")
    start = soon(10)
    session = await add_session(database, "Libraries & remote hubs", start, room="Room 3")
    local_api.send_text(101, "/start")
    await local_api.wait_for(chat_id=101, timeout=10)
    last = local_api.last_message_to(101)
    assert last is not None
    local_api.press_button(101, last.message_id, f"sub:add:{session.id}", check=False)
    await local_api.wait_for(has("Готово: напомню"), chat_id=101, timeout=10)
    local_api.send_text(102, "/start")
    await press_remind_me(local_api, 102, session.id)

    ru = await local_api.wait_for(has("начнётся через"), chat_id=101, timeout=20)
    en = await local_api.wait_for(has("starts in"), chat_id=102, timeout=20)
    end = start + timedelta(minutes=90)
    novosibirsk = format_span(start, end, ZoneInfo("Asia/Novosibirsk"), BAKU, "ru")
    paris = format_span(start, end, ZoneInfo("Europe/Paris"), BAKU, "en")
    assert novosibirsk in (ru.text or "") and "(Asia/Novosibirsk) · на площадке" in novosibirsk
    assert paris in (en.text or "") and "(Europe/Paris) · venue" in paris
    baku_hour = start.astimezone(BAKU).hour
    assert start.astimezone(ZoneInfo("Asia/Novosibirsk")).hour == (baku_hour + 3) % 24
    assert "Libraries &amp; remote hubs" not in (en.text or "")  # shown as text, not markup
    assert "Libraries & remote hubs" in (en.text or "") and "Room 3" in (en.text or "")
    assert "начнётся через 5 минут" in (ru.text or "")

    await bot.restart()
    local_api.send_text(102, "/mysubs")  # the restarted bot answers, so it planned already
    await local_api.wait_for(has("Your subscriptions"), chat_id=102, timeout=10)
    assert len(texts_to(local_api, 101, "начнётся через")) == 1
    assert len(texts_to(local_api, 102, "starts in")) == 1
    rows = await outbox_rows(database, "reminder")
    assert sorted((row.chat_id, row.status) for row in rows) == [(101, "sent"), (102, "sent")]


async def test_moved_session_one_notice_then_the_reminder_at_the_new_time(
    local_api: LocalBotApiServer, start_bot: StartBot, database: Database
) -> None:
    bot = await start_bot(reminder_minutes=[5])
    local_api.add_user(103, "Grace", language_code="en")
    local_api.send_text(103, "/start")
    await local_api.wait_for(chat_id=103, timeout=10)
    session = await add_session(database, "Moving session", soon(120), is_ifla=True)
    await press_remind_me(local_api, 103, session.id)

    new_start = soon(8)  # its fan-out starts two seconds ahead
    await _move(bot, session.id, new_start)
    notice = await local_api.wait_for(has("Time changed"), chat_id=103, timeout=10)
    await eventually(lambda: _reminder_jobs(bot) == {f"remind:{session.id}:5": new_start})
    reminder = await local_api.wait_for(has("starts in"), chat_id=103, timeout=20)
    assert notice.message_id < reminder.message_id
    span = format_span(new_start, new_start + timedelta(minutes=90), BAKU, BAKU, "en")
    assert span in (reminder.text or "")
    await _move(bot, session.id, new_start)  # the same change reported again: no new notice
    local_api.send_text(103, "/mysubs")
    await local_api.wait_for(has("Your subscriptions"), chat_id=103, timeout=10)
    assert len(texts_to(local_api, 103, "Time changed")) == 1
    assert len(texts_to(local_api, 103, "starts in")) == 1


def _reminder_jobs(bot: BotHarness) -> dict[str, datetime]:
    """The reminders planned in the running bot's JobQueue: ``remind:{session}:{lead}`` -> the
    session start planned for."""
    assert bot.application is not None and bot.application.job_queue is not None
    return {
        f"remind:{due.session_id}:{due.lead}": due.start
        for job in bot.application.job_queue.jobs()
        if job.name and job.name.startswith("remind:") and isinstance(job.data, PlannedJob)
        for due in job.data.due.dues
    }


async def _move(bot: BotHarness, session_id: int, start: datetime) -> None:
    """What ingestion does when a programme moves a session: update and tell, one transaction."""
    services = bot.services
    async with services.database.transaction() as db:
        session = await db.get(Session, session_id)
        assert session is not None
        old_start = session.start_at
        length = session.end_at - session.start_at
        session.start_at, session.end_at = start, start + length
        await db.flush()
        change = SessionChange(
            session_id, ChangeKind.MOVED, session.title, old_start, start, None, None, True
        )
        for listener in services.programme_listeners:
            await listener.sessions_changed(db, [change])


async def test_a_blocked_user_is_not_written_to_again(
    local_api: LocalBotApiServer, start_bot: StartBot, database: Database
) -> None:
    await start_bot(reminder_minutes=[5])
    await add_session(database, "First", soon(6), is_ifla=True)
    second = await add_session(database, "Second", soon(10), is_ifla=True)
    for user in (104, 105):
        local_api.add_user(user, f"User {user}")
        local_api.send_text(user, "/subscribe ifla")
        await local_api.wait_for(has("every IFLA session"), chat_id=user, timeout=10)
    local_api.block(104)
    since_block = len(local_api.requests)

    await local_api.wait_for(has(second.title), chat_id=105, timeout=25)
    assert [len(texts_to(local_api, 105, title)) for title in ("First", "Second")] == [1, 1]
    to_blocked = [
        record.status
        for record in local_api.requests[since_block:]
        if record.method.lower() == "sendmessage" and int(record.params.get("chat_id", 0)) == 104
    ]
    assert to_blocked == [403]
    for _ in range(100):  # the sender writes outcomes in batches, a moment after the call
        async with database.transaction() as db:
            chat = await db.get(Chat, 104, populate_existing=True)
            kept = (await db.scalars(select(Subscription).where(Subscription.chat_id == 104))).all()
        if chat is not None and not chat.active:
            break
        await asyncio.sleep(0.05)
    assert chat is not None and not chat.active
    assert len(kept) == 1  # paused, not forgotten: it resumes if the user comes back


async def test_a_minute_of_bot_api_outage_loses_nothing(
    local_api: LocalBotApiServer, start_bot: StartBot, database: Database
) -> None:
    await start_bot(reminder_minutes=[5])
    await add_session(database, "Through the outage", soon(6), is_ifla=True)
    users = range(106, 111)
    for user in users:
        local_api.add_user(user, f"User {user}")
        local_api.send_text(user, "/subscribe ifla")
        await local_api.wait_for(has("every IFLA session"), chat_id=user, timeout=10)
    local_api.outage(8, status=502)  # from before the reminder is due until after

    await eventually(
        lambda: all(texts_to(local_api, user, "Through the outage") for user in users), timeout=40
    )
    failed = [r for r in local_api.requests_for("sendMessage") if r.status == 502]
    assert failed, "the outage should have refused at least one send"
    assert [len(texts_to(local_api, user, "Through the outage")) for user in users] == [1] * 5


async def test_only_group_admins_change_a_groups_subscriptions(
    local_api: LocalBotApiServer, start_bot: StartBot, database: Database
) -> None:
    await start_bot(reminder_minutes=[5])
    local_api.add_group(-500, "Reading room hub", admins=[201], members=[202])
    session = await add_session(database, "Hub session", soon(600))
    local_api.send_text(201, "/subscribe", chat_id=-500)
    menu = await local_api.wait_for(has("What should I remind you of?"), chat_id=-500, timeout=10)

    local_api.press_button(202, menu.message_id, "sub:ifla", chat_id=-500)
    local_api.press_button(202, menu.message_id, f"sub:add:{session.id}", chat_id=-500, check=False)
    await eventually(lambda: len(local_api.callback_answers) >= 2, timeout=10)
    assert all(
        a.show_alert and "administrators" in (a.text or "") for a in local_api.callback_answers
    )
    async with database.transaction() as db:
        assert (await db.scalars(select(Subscription))).all() == []

    local_api.send_text(202, "/settings", chat_id=-500)
    overview = await local_api.wait_for(has("Settings of this chat"), chat_id=-500, timeout=10)
    local_api.press_button(202, overview.message_id, "set:lead:30", chat_id=-500, check=False)
    await eventually(lambda: len(local_api.callback_answers) >= 3, timeout=10)
    assert "administrators" in (local_api.callback_answers[-1].text or "")
    async with database.transaction() as db:
        group = await db.get(Chat, -500)
        assert group is not None and group.reminder_minutes is None  # unchanged

    local_api.press_button(201, menu.message_id, f"sub:add:{session.id}", chat_id=-500, check=False)
    await local_api.wait_for(has("Done: I will remind you of"), chat_id=-500, timeout=10)
    async with database.transaction() as db:
        stored = (await db.scalars(select(Subscription))).all()
    assert [(row.chat_id, row.created_by) for row in stored] == [(-500, 201)]


async def test_a_group_that_became_a_supergroup_keeps_getting_reminders(
    local_api: LocalBotApiServer, start_bot: StartBot, database: Database
) -> None:
    await start_bot(reminder_minutes=[5])
    local_api.add_group(-600, "Library hub", admins=[301], type="group")
    await add_session(database, "Before the upgrade", soon(6), is_ifla=True)
    await add_session(database, "After the upgrade", soon(12), is_ifla=True)
    local_api.send_text(301, "/subscribe ifla", chat_id=-600)
    await local_api.wait_for(has("every IFLA session"), chat_id=-600, timeout=10)
    local_api.migrate_chat(-600, -100_600, announce=False)
    since_migration = len(local_api.requests)

    await local_api.wait_for(has("After the upgrade"), chat_id=-100_600, timeout=30)
    assert len(texts_to(local_api, -100_600, "Before the upgrade")) == 1
    to_old = [
        record.status
        for record in local_api.requests[since_migration:]
        if record.method.lower() == "sendmessage" and int(record.params.get("chat_id", 0)) == -600
    ]
    assert to_old == [400]  # the first reminder learnt the new id; the second went straight
    async with database.transaction() as db:
        moved = (await db.scalars(select(Subscription.chat_id))).all()
    assert moved == [-100_600]


def _programme(start: datetime, room: str = "Room A") -> bytes:
    """One IFLA session as an iCalendar programme (times to the second, in UTC)."""
    end = start + timedelta(minutes=90)
    return calendar(
        "\n".join(
            [
                "UID:remote-hubs@igf",
                f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                f"DTEND:{end:%Y%m%dT%H%M%SZ}",
                "SUMMARY:IFLA: Remote hubs",
                f"LOCATION:{room}",
            ]
        )
    )


async def test_a_session_moved_in_the_real_programme_feed(
    local_api: LocalBotApiServer, start_bot: StartBot, database: Database, feed_server: FeedServer
) -> None:
    """Ingestion polls a programme over HTTP; the move reaches the subscriber as one notice
    and the reminder comes at the new time."""
    feed_server.serve("/igf.ics", _programme(soon(600)))
    source = {"url": feed_server.url("/igf.ics"), "format": "ical", "interval": 30}
    bot = await start_bot(reminder_minutes=[5], sources=[source])
    await eventually(lambda: feed_server.hits["/igf.ics"] >= 1, timeout=10)
    local_api.add_user(501, "Lena")
    local_api.send_text(501, "/subscribe ifla")
    await local_api.wait_for(has("every IFLA session"), chat_id=501, timeout=10)

    moved = soon(8)
    feed_server.serve("/igf.ics", _programme(moved, room="Room B"))
    await bot.services.ingestion.poll_all()
    notice = await local_api.wait_for(has("Time changed"), chat_id=501, timeout=10)
    reminder = await local_api.wait_for(has("starts in"), chat_id=501, timeout=25)
    span = format_span(moved, moved + timedelta(minutes=90), BAKU, BAKU, "en")
    assert span in (notice.text or "") and span in (reminder.text or "")
    assert "Room B" in (reminder.text or "")
    assert len(texts_to(local_api, 501, "IFLA: Remote hubs")) == 2
