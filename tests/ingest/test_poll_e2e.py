"""The real bot polling a local feed server and talking to the local Bot API server.

The poll job, the service, the outbox and the sender are all the real ones; a small listener
stands in for the announcements feature and queues one notice per event through the outbox,
keyed by the event, so a repeated event would show up as a repeated message.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot import services as root
from bot.clock import FrozenClock
from bot.ingest.service import IngestionService
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from localapi import LocalBotApiServer
from storage.db import Database
from storage.models import Source
from storage.repos import outbox
from storage.repos.outbox import NewMessage, Priority
from tests.feedserver import FeedServer
from tests.harness import BotHarness

from .rig import PROGRAMME_EVENTS, START, calendar, event, news_items, rss

pytestmark = pytest.mark.e2e

CHANNEL = -100_500
ADMIN = 111


class NoticeListener:
    """Queues one channel message per notable change (additions too) and per news item."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock

    async def sessions_changed(self, db: AsyncSession, changes: Sequence[SessionChange]) -> None:
        for change in changes:
            if change.needs_notice or change.kind is ChangeKind.ADDED:
                key = f"change:{change.session_id}:{change.kind}:{change.new_start}"
                text = f"{change.kind}: {change.title} at {change.new_start:%H:%M}"
                await self._queue(db, key, text)

    async def news_arrived(self, db: AsyncSession, items: Sequence[NewsItem]) -> None:
        for item in items:
            await self._queue(db, f"news:{item.entry_id}", f"news: {item.title}")

    async def _queue(self, db: AsyncSession, key: str, text: str) -> None:
        now = self.clock.now()
        payload = {"chat_id": CHANNEL, "text": text}
        message = NewMessage(key, CHANNEL, "test_notice", payload, now, Priority.CHANGE)
        await outbox.enqueue(db, message, now=now)


@pytest.fixture
def telegram(local_api: LocalBotApiServer) -> LocalBotApiServer:
    local_api.add_user(ADMIN, "Ada")
    local_api.add_channel(CHANNEL, "IFLA at IGF")
    return local_api


@pytest.fixture(autouse=True)
def fast_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(root, "POLL_EVERY_SECONDS", 0.1)


class Bot:
    """A harness plus the clock and the way to run one more poll of a source."""

    def __init__(
        self, telegram: LocalBotApiServer, database_url: str, sources: list[dict[str, object]]
    ) -> None:
        self.clock = FrozenClock(START)
        self.harness = BotHarness(
            telegram,
            database_url,
            # No announce_chat_id: the real announcer stays off, NoticeListener speaks alone
            # (tests/schedule/test_announce_ingest_e2e.py runs the real one through ingestion).
            overrides={"sources": sources, "admins": [ADMIN]},
            clock=self.clock,
        )

    async def start(self) -> None:
        await self.harness.start()
        self.harness.services.programme_listeners.append(NoticeListener(self.clock))

    async def restart(self) -> None:
        await self.harness.stop()
        await self.start()

    @property
    def ingestion(self) -> IngestionService:
        service = self.harness.services.ingestion
        assert isinstance(service, IngestionService)
        return service

    async def source(self) -> Source:
        (health,) = await self.ingestion.source_health()
        async with self.harness.services.database.transaction() as db:
            source = await db.get(Source, health.source_id)
        assert source is not None
        return source

    async def first_poll(self) -> None:
        """Wait until the job's first poll (due at start) is recorded."""
        for _ in range(500):
            source = await self.source()
            if source.last_success_at or source.last_error_at:
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the poll job did not poll")

    async def next_poll(self) -> None:
        """Move the clock to the next poll and wait until the job has done it."""
        before = await self.source()
        assert before.next_poll_at is not None
        self.clock.set(max(before.next_poll_at, self.clock.now()))
        polled_at = self.clock.now()
        for _ in range(500):
            source = await self.source()
            if polled_at in (source.last_success_at, source.last_error_at):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the poll job did not poll")

    async def sent_everything(self) -> None:
        await self.harness.services.sender.run_until_idle(2)  # type: ignore[attr-defined]


@pytest.fixture
async def bots() -> AsyncIterator[list[Bot]]:
    made: list[Bot] = []
    yield made
    for bot in made:
        await bot.harness.stop()


def channel_texts(telegram: LocalBotApiServer) -> list[str]:
    return [m.text or "" for m in telegram.messages_to(CHANNEL)]


async def test_moved_session_is_announced_once_even_across_a_restart(
    telegram: LocalBotApiServer, feed_server: FeedServer, database: Database, bots: list[Bot]
) -> None:
    feed_server.serve("/igf.ics", calendar(*PROGRAMME_EVENTS))
    bot = Bot(telegram, database.url, [{"url": feed_server.url("/igf.ics"), "interval": 60}])
    bots.append(bot)
    await bot.start()
    await bot.first_poll()
    await bot.next_poll()  # 304
    assert channel_texts(telegram) == []  # a new programme is not announced session by session

    moved = [
        *PROGRAMME_EVENTS[:3],
        event("d@igf", "Closing", "2026-06-25T16:30", 30, "Plenary"),
        event("e@igf", "IFLA open session", "2026-06-25T10:00", 60, "Room A"),
    ]
    feed_server.serve("/igf.ics", calendar(*moved))
    await bot.next_poll()
    await telegram.wait_for_count(CHANNEL, 2)
    expected = ["moved: Closing at 16:30", "added: IFLA open session at 10:00"]
    assert sorted(channel_texts(telegram)) == sorted(expected)

    await bot.restart()
    await bot.next_poll()  # 304 after the restart
    feed_server.serve("/igf.ics", calendar(*moved, name="same programme, new bytes"))
    await bot.next_poll()
    await bot.sent_everything()
    assert sorted(channel_texts(telegram)) == sorted(expected)


async def test_a_new_feed_does_not_flood_and_new_entries_arrive_once(
    telegram: LocalBotApiServer, feed_server: FeedServer, database: Database, bots: list[Bot]
) -> None:
    feed_server.serve("/news", rss(*news_items(10)))
    source = {"url": feed_server.url("/news"), "format": "news", "interval": 60}
    bot = Bot(telegram, database.url, [source])
    bots.append(bot)
    await bot.start()
    await bot.first_poll()
    feed_server.serve("/news", rss(*news_items(12)))
    await bot.next_poll()
    await telegram.wait_for_count(CHANNEL, 2)
    assert channel_texts(telegram) == ["news: News 11", "news: News 12"]
    await bot.restart()
    await bot.next_poll()
    await bot.sent_everything()
    assert len(channel_texts(telegram)) == 2


async def test_the_admin_hears_once_that_a_source_is_down_and_once_that_it_is_back(
    telegram: LocalBotApiServer, feed_server: FeedServer, database: Database, bots: list[Bot]
) -> None:
    feed_server.fail("/igf.ics", 502)
    source = {"url": feed_server.url("/igf.ics"), "interval": 900, "name": "IGF 2026"}
    bot = Bot(telegram, database.url, [source])
    bots.append(bot)
    await bot.start()
    await bot.first_poll()
    while bot.clock.now() - START < timedelta(hours=25):
        await bot.next_poll()
    (down,) = await telegram.wait_for_count(ADMIN, 1)
    assert "IGF 2026" in (down.text or "") and "HTTP 502" in (down.text or "")

    await bot.restart()
    await bot.next_poll()
    feed_server.serve("/igf.ics", calendar(*PROGRAMME_EVENTS))
    await bot.next_poll()
    messages = await telegram.wait_for_count(ADMIN, 2)
    assert "works again" in (messages[1].text or "")
    await bot.next_poll()
    await bot.sent_everything()
    assert len(telegram.messages_to(ADMIN)) == 2
    assert channel_texts(telegram) == []


async def test_the_bot_keeps_answering_while_sources_drip_and_spew_garbage(
    telegram: LocalBotApiServer, feed_server: FeedServer, database: Database, bots: list[Bot]
) -> None:
    feed_server.drip("/drip.ics", calendar(*PROGRAMME_EVENTS), delay=0.5, chunk=4)
    feed_server.serve("/garbage.ics", bytes(range(256)) * 4000)
    feed_server.endless("/huge.ics", 50 * 1024 * 1024)
    sources = [
        {"url": feed_server.url(path)} for path in ("/drip.ics", "/garbage.ics", "/huge.ics")
    ]
    bot = Bot(telegram, database.url, sources)
    bots.append(bot)
    await bot.start()
    await telegram.wait_until(lambda: feed_server.hits["/drip.ics"] == 1)
    telegram.send_text(ADMIN, "/start")
    reply = await telegram.wait_for(chat_id=ADMIN)  # while the drip is still being read
    assert "RemoteHub" in (reply.text or "")
    health = {h.url: h for h in await bot.ingestion.source_health()}
    for _ in range(300):
        health = {h.url: h for h in await bot.ingestion.source_health()}
        if health[feed_server.url("/huge.ics")].last_error:
            break
        await asyncio.sleep(0.02)
    assert "cannot read the programme" in (health[feed_server.url("/garbage.ics")].last_error or "")
    assert "over the 10 MB limit" in (health[feed_server.url("/huge.ics")].last_error or "")
    assert health[feed_server.url("/drip.ics")].last_success_at is None  # still dripping
