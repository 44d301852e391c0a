"""The announce channel through the real pipeline: a local feed server, ingestion, the
announcer, the outbox and the local Bot API server. Announcements once, one notice per real
move, no flood from a new feed, one post per new entry, nothing repeated after a restart;
and the admin's /sources and /poll on the real ingestion service.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot import services as root
from bot.clock import FrozenClock
from bot.ingest.service import IngestionService
from bot.programme import announcer as announcer_module
from localapi import LocalBotApiServer
from storage.db import Database
from tests.feedserver import FeedServer
from tests.harness import BotHarness
from tests.ingest.rig import calendar, event, news_items, rss

pytestmark = pytest.mark.e2e

CHANNEL = -1001700000001
ADMIN, ADA = 2001, 2002
START = datetime(2026, 6, 22, 6, 0, tzinfo=UTC)  # 10:00 in Baku


@pytest.fixture(autouse=True)
def fast_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingestion's poll job and the announcer's tick every fraction of a second."""
    monkeypatch.setattr(root, "POLL_EVERY_SECONDS", 0.1)
    monkeypatch.setattr(announcer_module, "TICK_SECONDS", 0.2)


def programme(ifla_start: str, ifla_room: str = "Room A") -> bytes:
    return calendar(
        event("ifla@igf", "IFLA: Libraries & open data", ifla_start, 90, ifla_room),
        event("plenary@igf", "Plenary on cybersecurity", "2026-06-22T09:00", 60, "Plenary"),
        event("later@igf", "IFLA: next week", "2026-06-29T09:00", 60, "Room B"),
    )


class Hub:
    """The bot on a frozen clock, polling the feed server; polls on demand through the service."""

    def __init__(self, telegram: LocalBotApiServer, feeds: FeedServer, database_url: str) -> None:
        self.telegram = telegram
        self.harness = BotHarness(
            telegram,
            database_url,
            overrides={
                "sources": [
                    {"url": feeds.url("/igf.ics"), "name": "IGF 2026", "interval": 3600},
                    {"url": feeds.url("/news"), "name": "IFLA news", "format": "news"},
                ],
                "announce_chat_id": CHANNEL,
                "admins": [ADMIN],
                "announce": {"digest_time": None},
            },
            clock=FrozenClock(START),
        )

    @property
    def ingestion(self) -> IngestionService:
        service = self.harness.services.ingestion
        assert isinstance(service, IngestionService)
        return service

    async def start(self) -> None:
        """Start, and wait until the poll job has made each source's first (silent) poll."""
        await self.harness.start()
        for _ in range(500):
            health = await self.ingestion.source_health()
            if all(source.last_success_at for source in health):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the first polls did not happen")

    async def poll(self) -> None:
        outcomes = await self.ingestion.poll_all()
        assert all(outcome.status != "failed" for outcome in outcomes), outcomes

    async def settle(self) -> None:
        await self.harness.services.announcer.run_due()
        await self.harness.services.sender.run_until_idle(10)  # type: ignore[attr-defined]

    def channel(self) -> list[str]:
        return [message.text or "" for message in self.telegram.messages_to(CHANNEL)]


@pytest.fixture
async def hub(
    local_api: LocalBotApiServer, feed_server: FeedServer, database: Database
) -> AsyncIterator[Hub]:
    local_api.add_channel(CHANNEL, "IFLA at the IGF")
    local_api.add_user(ADMIN, "Org")
    local_api.add_user(ADA, "Ada")
    feed_server.serve("/igf.ics", programme("2026-06-22T08:00"))
    feed_server.serve("/news", rss(*news_items(5)), content_type="application/rss+xml")
    made = Hub(local_api, feed_server, database.url)
    try:
        yield made
    finally:
        await made.harness.stop()


async def test_announce_move_news_and_restart(
    hub: Hub, local_api: LocalBotApiServer, feed_server: FeedServer
) -> None:
    await hub.start()
    # The first programme poll is a baseline (no change notices); the IFLA session in the
    # window is announced from the poll itself (not the plenary, not next week's), and the
    # new feed posts nothing.
    [announcement] = await local_api.wait_for_count(CHANNEL, 1, timeout=10)
    assert "IFLA: Libraries & open data" in (announcement.text or "")
    assert "12:00–13:30 (Asia/Baku)" in (announcement.text or "")
    await hub.settle()
    assert len(hub.channel()) == 1

    feed_server.serve("/igf.ics", programme("2026-06-22T09:30"))
    await hub.poll()
    await hub.poll()  # the same programme again: nothing new
    await hub.settle()
    assert len(hub.channel()) == 2
    assert "New time" in hub.channel()[1] and "13:30–15:00" in hub.channel()[1]

    feed_server.serve("/igf.ics", programme("2026-06-22T11:00"))  # a second, real move
    feed_server.serve("/news", rss(*news_items(7)), content_type="application/rss+xml")
    await hub.poll()
    await hub.settle()
    texts = hub.channel()
    assert len(texts) == 5
    assert sum("New time" in text for text in texts) == 2
    assert sorted(text.split("\n")[0] for text in texts if "📰 IFLA news" in text) == [
        "News 6",
        "News 7",
    ]

    await hub.harness.restart()
    await hub.poll()
    await hub.settle()
    assert len(hub.channel()) == 5


async def test_the_first_poll_announces_at_once_without_waiting_for_the_tick(
    hub: Hub, local_api: LocalBotApiServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tick (the safety net) is an hour away: only the poll's own transaction can announce.
    monkeypatch.setattr(announcer_module, "TICK_SECONDS", 3600)
    await hub.start()
    [announcement] = await local_api.wait_for_count(CHANNEL, 1, timeout=5)
    assert "IFLA: Libraries & open data" in (announcement.text or "")
    await hub.harness.services.sender.run_until_idle(5)  # type: ignore[attr-defined]
    assert len(hub.channel()) == 1  # nothing else in the window, no flood of the baseline


async def test_admin_sources_and_poll(hub: Hub, local_api: LocalBotApiServer) -> None:
    await hub.start()
    local_api.send_text(ADA, "/sources")
    refusal = await local_api.wait_for(chat_id=ADA, timeout=10)
    assert "only moderators and organisers" in (refusal.text or "")

    local_api.send_text(ADMIN, "/sources")
    health = await local_api.wait_for(lambda m: "IGF 2026" in (m.text or ""), 10, chat_id=ADMIN)
    text = health.text or ""
    assert "✅ IGF 2026" in text and "✅ IFLA news" in text
    assert "3 items" in text and "5 items" in text

    local_api.send_text(ADMIN, "/poll")
    await local_api.wait_for(lambda m: "Polling every source" in (m.text or ""), 10, chat_id=ADMIN)
    summary = await local_api.wait_for(
        lambda m: "Polled 2 sources" in (m.text or ""), 10, chat_id=ADMIN
    )
    assert "IGF 2026: no changes" in (summary.text or "")
