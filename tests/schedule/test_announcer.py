"""The announcer on both backends: each post queued exactly once, only when it is due."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.i18n import default_translator
from bot.links import BotLinks
from bot.programme.announcer import Announcer
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from bot.programme.jobs import JobCallback
from config.settings import Settings
from localapi.html_check import parse_html
from localapi.text import utf16_len
from storage.db import Database
from storage.models import OutboxMessage, Session

CHANNEL = -1001000000001
NOW = datetime(2026, 6, 22, 12, 0, tzinfo=UTC)  # 16:00 in Baku
SessionFactory = Callable[..., Awaitable[int]]  # the add_session fixture


def telegram_length(text: str) -> int:
    """The length Telegram checks, by the local server's own parser (which also validates)."""
    return utf16_len(parse_html(text, strict_ampersand=True).text)


class Waker:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


class RecordingTimer:
    """Remembers the jobs the announcer planned, by name."""

    def __init__(self) -> None:
        self.once: dict[str, datetime] = {}
        self.repeating: dict[str, float] = {}

    def at(self, name: str, when: datetime, callback: JobCallback) -> None:
        self.once[name] = when

    def every(self, name: str, seconds: float, callback: JobCallback) -> None:
        self.repeating[name] = seconds

    def cancel(self, name: str) -> None:
        self.once.pop(name, None)
        self.repeating.pop(name, None)

    def cancel_all(self) -> None:
        self.once.clear()
        self.repeating.clear()


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "announce_chat_id": CHANNEL,
        "timezone": "Asia/Baku",
        "webcasts": {"Hall A": "https://example.org/live/hall-a?x=1&y=2"},
        "announce": {"digest_time": None},
    }
    values.update(overrides)
    return Settings(**values)


class Rig:
    """An announcer on a database with a frozen clock, and ways to look at the outbox."""

    def __init__(self, database: Database, settings: Settings | None = None) -> None:
        self.database = database
        self.clock = FrozenClock(NOW)
        self.waker = Waker()
        database.outbox_wakers.append(self.waker.wake)  # what the composition root does
        self.timer = RecordingTimer()
        self.settings = settings or make_settings()
        self.announcer = self.fresh()

    def fresh(self) -> Announcer:
        """A new announcer on the same database: what a restart gives."""
        return Announcer(
            database=self.database,
            settings=self.settings,
            translator=default_translator(),
            clock=self.clock,
            links=BotLinks("remotehub_test_bot"),
            timer=self.timer,
        )

    async def change(self, session_id: int, kind: ChangeKind, **old: Any) -> None:
        async with self.database.transaction() as db:
            row = await db.get(Session, session_id)
            assert row is not None
            change = SessionChange(
                session_id=row.id,
                kind=kind,
                title=row.title,
                old_start=old.get("old_start"),
                new_start=row.start_at,
                old_room=old.get("old_room"),
                new_room=row.room,
                is_ifla=row.is_ifla,
            )
            await self.announcer.sessions_changed(db, [change])

    async def update(self, session_id: int, **values: Any) -> None:
        async with self.database.transaction() as db:
            row = await db.get(Session, session_id)
            assert row is not None
            for name, value in values.items():
                setattr(row, name, value)

    async def rows(self, kind: str | None = None) -> list[OutboxMessage]:
        async with self.database.transaction() as db:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if kind is not None:
                query = query.where(OutboxMessage.kind == kind)
            return list((await db.scalars(query)).all())


@pytest.fixture
def rig(database: Database) -> Rig:
    return Rig(database)


async def ifla(add_session: SessionFactory, database: Database, **fields: Any) -> int:
    values: dict[str, Any] = {
        "title": "IFLA: Libraries and the open web",
        "is_ifla": True,
        "start_at": NOW + timedelta(hours=2),
        "room": "Hall A",
        "participation_url": "https://example.org/join?id=7&pw=x",
    }
    values.update(fields)
    return await add_session(database, **values)


async def test_ifla_session_is_announced_once_with_everything(
    rig: Rig, add_session: SessionFactory
) -> None:
    session_id = await ifla(add_session, rig.database)
    await rig.change(session_id, ChangeKind.ADDED)
    await rig.change(session_id, ChangeKind.ADDED)
    await rig.announcer.run_due()
    await rig.fresh().run_due()  # a restart sees the same outbox

    [row] = await rig.rows("announce")
    assert row.idempotency_key == f"announce:{session_id}"
    assert row.chat_id == CHANNEL and row.session_id == session_id
    text = row.payload["text"]
    assert "IFLA: Libraries and the open web" in text
    assert "18:00–19:30 (Asia/Baku)" in text  # 14:00 UTC in the venue's zone
    assert "📍 Hall A" in text
    assert 'href="https://example.org/live/hall-a?x=1&amp;y=2"' in text  # the room's webcast
    assert 'href="https://example.org/join?id=7&amp;pw=x"' in text
    assert f'href="https://t.me/remotehub_test_bot?start=s_{session_id}"' in text
    assert rig.waker.wakes >= 1


async def test_session_webcast_link_beats_the_rooms(rig: Rig, add_session: SessionFactory) -> None:
    session_id = await ifla(add_session, rig.database, webcast_url="https://stream.example/own")
    await rig.announcer.run_due()
    [row] = await rig.rows("announce")
    assert "https://stream.example/own" in row.payload["text"]
    assert "hall-a" not in row.payload["text"]
    assert row.session_id == session_id


async def test_other_sessions_are_not_announced(rig: Rig, add_session: SessionFactory) -> None:
    plain = await add_session(rig.database, title="Plenary", start_at=NOW + timedelta(hours=1))
    await rig.change(plain, ChangeKind.ADDED)
    await rig.announcer.run_due()
    assert await rig.rows() == []


async def test_lookahead_window_announces_later(rig: Rig, add_session: SessionFactory) -> None:
    far = await ifla(add_session, rig.database, start_at=NOW + timedelta(hours=72))
    await rig.change(far, ChangeKind.ADDED)
    await rig.announcer.run_due()
    assert await rig.rows() == []
    rig.clock.advance(timedelta(hours=23, minutes=59))  # still 48h01m ahead
    await rig.announcer.run_due()
    assert await rig.rows() == []
    rig.clock.advance(timedelta(minutes=2))
    await rig.announcer.run_due()
    assert [row.idempotency_key for row in await rig.rows()] == [f"announce:{far}"]


async def test_ended_and_cancelled_sessions_are_not_announced(
    rig: Rig, add_session: SessionFactory
) -> None:
    await ifla(add_session, rig.database, start_at=NOW - timedelta(hours=3))
    await ifla(add_session, rig.database, cancelled=True)
    await ifla(add_session, rig.database, vanished=True)
    await rig.announcer.run_due()
    assert await rig.rows() == []


async def test_change_notice_once_per_real_change(rig: Rig, add_session: SessionFactory) -> None:
    session_id = await ifla(add_session, rig.database)
    await rig.change(session_id, ChangeKind.ADDED)
    first_start = NOW + timedelta(hours=2)
    moved_to = NOW + timedelta(hours=3)
    await rig.update(session_id, start_at=moved_to, end_at=moved_to + timedelta(minutes=90))
    await rig.change(session_id, ChangeKind.MOVED, old_start=first_start, old_room="Hall A")
    await rig.change(session_id, ChangeKind.MOVED, old_start=first_start, old_room="Hall A")
    [notice] = await rig.rows("change")
    assert "19:00–20:30 (Asia/Baku)" in notice.payload["text"]  # now
    assert "18:00–19:30 (Asia/Baku)" in notice.payload["text"]  # was

    again = NOW + timedelta(hours=4)
    await rig.update(session_id, start_at=again, end_at=again + timedelta(minutes=90))
    await rig.change(session_id, ChangeKind.MOVED, old_start=moved_to, old_room="Hall A")
    await rig.update(session_id, room="Room 2")
    await rig.change(session_id, ChangeKind.ROOM_CHANGED, old_room="Hall A")
    await rig.update(session_id, cancelled=True)
    await rig.change(session_id, ChangeKind.CANCELLED)
    await rig.change(session_id, ChangeKind.CANCELLED)
    notices = await rig.rows("change")
    assert len(notices) == 4
    assert "Room 2" in notices[2].payload["text"] and "Hall A" in notices[2].payload["text"]
    assert "Cancelled" in notices[3].payload["text"]
    assert len(await rig.rows("announce")) == 1


async def test_no_change_notice_for_what_was_never_announced(
    rig: Rig, add_session: SessionFactory
) -> None:
    far = await ifla(add_session, rig.database, start_at=NOW + timedelta(days=5))
    plain = await add_session(rig.database, title="Plenary", start_at=NOW + timedelta(hours=1))
    await rig.change(far, ChangeKind.MOVED, old_start=NOW + timedelta(days=4))
    await rig.change(plain, ChangeKind.CANCELLED)
    await rig.change(far, ChangeKind.UPDATED)
    assert await rig.rows() == []


async def test_a_session_moved_into_the_window_is_announced_not_noticed(
    rig: Rig, add_session: SessionFactory
) -> None:
    session_id = await ifla(add_session, rig.database, start_at=NOW + timedelta(days=5))
    await rig.change(session_id, ChangeKind.ADDED)
    await rig.update(session_id, start_at=NOW + timedelta(hours=5), end_at=NOW + timedelta(hours=6))
    await rig.change(session_id, ChangeKind.MOVED, old_start=NOW + timedelta(days=5))
    assert [row.kind for row in await rig.rows()] == ["announce"]


async def test_hostile_title_is_escaped(rig: Rig, add_session: SessionFactory) -> None:
    await ifla(add_session, rig.database, title='IFLA <script>alert(1)</script> & "co"', room="<b>")
    await rig.announcer.run_due()
    [row] = await rig.rows("announce")
    text = row.payload["text"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in text
    assert "<script>" not in text and "📍 &lt;b&gt;" in text


async def test_starting_now_at_the_start_only(rig: Rig, add_session: SessionFactory) -> None:
    start = NOW + timedelta(minutes=30)
    session_id = await ifla(add_session, rig.database, start_at=start)
    await ifla(add_session, rig.database, start_at=start, cancelled=True, title="IFLA off")
    await rig.announcer.run_due()
    assert await rig.rows("live") == []
    assert rig.timer.once[f"announce:live:{session_id}"] == start  # exact job planned

    rig.clock.set(start)
    await rig.announcer.run_due()
    await rig.announcer.run_due()
    [live] = await rig.rows("live")
    assert live.idempotency_key == f"live:{session_id}"
    assert "Starting now" in live.payload["text"]
    assert "https://example.org/live/hall-a" in live.payload["text"]
    assert live.expires_at == start + timedelta(minutes=90)


async def test_starting_now_can_be_switched_off(
    database: Database, add_session: SessionFactory
) -> None:
    rig = Rig(database, make_settings(announce={"digest_time": None, "starting_now": False}))
    await ifla(add_session, database, start_at=NOW - timedelta(minutes=5))
    await rig.announcer.run_due()
    assert [row.kind for row in await rig.rows()] == ["announce"]


async def test_digest_lists_the_days_ifla_sessions_once(
    database: Database, add_session: SessionFactory
) -> None:
    rig = Rig(database, make_settings(announce={"digest_time": "08:00"}))
    rig.clock.set(datetime(2026, 6, 23, 3, 59, tzinfo=UTC))  # 07:59 in Baku
    today = datetime(2026, 6, 23, 6, 0, tzinfo=UTC)
    await ifla(add_session, database, title="IFLA morning", start_at=today, room="Hall A")
    await ifla(add_session, database, title="IFLA evening", start_at=today + timedelta(hours=9))
    await ifla(add_session, database, title="IFLA tomorrow", start_at=today + timedelta(days=1))
    await add_session(database, title="Not IFLA", start_at=today + timedelta(hours=1))
    await rig.announcer.run_due()
    assert await rig.rows("digest") == []
    assert rig.timer.once["announce:digest"] == datetime(2026, 6, 23, 4, 0, tzinfo=UTC)

    rig.clock.advance(timedelta(minutes=1))
    await rig.announcer.run_due()
    await rig.fresh().run_due()
    [digest] = await rig.rows("digest")
    text = digest.payload["text"]
    assert digest.idempotency_key == "digest:2026-06-23"
    assert "IFLA morning" in text and "IFLA evening" in text
    assert "IFLA tomorrow" not in text and "Not IFLA" not in text
    assert "10:00–11:30" in text and "19:00–20:30" in text
    assert text.index("IFLA morning") < text.index("IFLA evening")


async def test_no_digest_on_a_day_without_ifla_sessions(
    database: Database, add_session: SessionFactory
) -> None:
    rig = Rig(database, make_settings(announce={"digest_time": "08:00"}))
    rig.clock.set(datetime(2026, 6, 23, 5, 0, tzinfo=UTC))
    await rig.announcer.run_due()
    # A session added later that day does not bring a late digest.
    await ifla(add_session, database, start_at=datetime(2026, 6, 23, 12, 0, tzinfo=UTC))
    rig.clock.advance(timedelta(hours=1))
    await rig.announcer.run_due()
    assert await rig.rows("digest") == []


async def test_missed_posts_are_caught_up_or_dropped_with_a_log_line(
    rig: Rig, add_session: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    over = await ifla(add_session, rig.database, start_at=NOW - timedelta(hours=3))
    running = await ifla(add_session, rig.database, start_at=NOW - timedelta(minutes=20))
    with caplog.at_level(logging.INFO, logger="bot.programme.announcer"):
        await rig.announcer.start()
        await rig.fresh().start()
    assert [row.idempotency_key for row in await rig.rows("live")] == [f"live:{running}"]
    dropped = [
        record for record in caplog.records if f"session {over} ended" in record.getMessage()
    ]
    assert len(dropped) == 1  # logged once, not on every restart
    assert rig.timer.repeating == {"announce:tick": 60.0}


async def test_news_items_are_posted_once_each(rig: Rig) -> None:
    item = NewsItem(
        entry_id=1,
        source_id=3,
        source_name="IFLA news",
        key="https://www.ifla.org/news/" + "x" * 400,
        title="WLIC <2026> & more",
        link="https://www.ifla.org/news/1?a=1&b=2",
        published=NOW,
        summary_html="<p>Hello <b>world</b><script>alert(1)</script></p>" + "<p>word</p>" * 2000,
    )
    other = NewsItem(2, 3, "IFLA news", "guid-2", "Second", "javascript:alert(1)", None, "")
    for _ in range(2):
        async with rig.database.transaction() as db:
            await rig.announcer.news_arrived(db, [item, other])
    first, second = await rig.rows("news")
    assert len(await rig.rows("news")) == 2
    assert len(first.idempotency_key) <= 200 and first.idempotency_key.startswith("news:3:")
    text = first.payload["text"]
    assert text.startswith('<a href="https://www.ifla.org/news/1?a=1&amp;b=2"><b>WLIC &lt;2026&gt;')
    assert "alert" not in text and "<b>world</b>" in text
    assert telegram_length(text) <= 4096  # cut to fit, as Telegram counts
    assert "javascript" not in second.payload["text"]
    assert rig.waker.wakes == 1  # after the commit that queued them; the repeat queued nothing


async def test_nothing_without_an_announce_channel(
    database: Database, add_session: SessionFactory
) -> None:
    rig = Rig(database, make_settings(announce_chat_id=None))
    session_id = await ifla(add_session, database, start_at=NOW)
    await rig.change(session_id, ChangeKind.ADDED)
    await rig.announcer.start()
    assert await rig.rows() == [] and rig.timer.repeating == {}


async def test_jobs_follow_changes(rig: Rig, add_session: SessionFactory) -> None:
    session_id = await ifla(add_session, rig.database, start_at=NOW + timedelta(minutes=2))
    await rig.change(session_id, ChangeKind.ADDED)
    name = f"announce:live:{session_id}"
    assert rig.timer.once[name] == NOW + timedelta(minutes=2)
    await rig.update(session_id, cancelled=True)
    await rig.change(session_id, ChangeKind.CANCELLED)
    assert name not in rig.timer.once


async def test_a_digest_missed_while_down_is_dropped_and_todays_goes_out(
    database: Database, add_session: SessionFactory, caplog: pytest.LogCaptureFixture
) -> None:
    rig = Rig(database, make_settings(announce={"digest_time": "08:00"}))
    yesterday = datetime(2026, 6, 22, 6, 0, tzinfo=UTC)
    await ifla(add_session, database, title="IFLA yesterday", start_at=yesterday)
    await ifla(
        add_session, database, title="IFLA today", start_at=yesterday + timedelta(days=1, hours=4)
    )
    rig.clock.set(yesterday + timedelta(days=1))  # 10:00 in Baku the next day: 08:00 has passed
    with caplog.at_level(logging.INFO, logger="bot.programme.announcer"):
        await rig.announcer.start()
    [digest] = await rig.rows("digest")
    assert digest.idempotency_key == "digest:2026-06-23" and "IFLA today" in digest.payload["text"]
    assert "IFLA yesterday" not in digest.payload["text"]
    assert any("digest of 2026-06-22" in record.getMessage() for record in caplog.records)


async def test_cancelled_restored_cancelled_is_noticed_each_time(
    rig: Rig, add_session: SessionFactory
) -> None:
    session_id = await ifla(add_session, rig.database)
    await rig.change(session_id, ChangeKind.ADDED)
    for cancelled, kind in [
        (True, ChangeKind.CANCELLED),
        (False, ChangeKind.RESTORED),
        (True, ChangeKind.CANCELLED),
        (True, ChangeKind.CANCELLED),  # the same change heard twice: still one notice
        (False, ChangeKind.RESTORED),
    ]:
        await rig.update(session_id, cancelled=cancelled)
        await rig.change(session_id, kind)
    notices = await rig.rows("change")
    assert len(notices) == 4
    assert len({notice.idempotency_key for notice in notices}) == 4
    assert ["Cancelled" in notice.payload["text"] for notice in notices] == [
        True,
        False,
        True,
        False,
    ]
