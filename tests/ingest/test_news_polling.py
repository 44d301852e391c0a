"""News feeds: the first poll is a baseline, later polls bring only what is new, never twice."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from bot.ingest.outcomes import PollStatus
from bot.ingest.store import NEWS_BURST_LIMIT, NEWS_KEEP
from storage.models import FeedEntry
from tests.feedserver import FeedServer

from .rig import RigFactory, news_items, rss, started


async def test_first_poll_is_quiet_then_exactly_the_new_entries(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/feed", rss(*news_items(10)), content_type="application/rss+xml")
    rig = await started(rigs({"path": "/feed", "format": "news", "name": "IFLA news"}))
    (first,) = await rig.service.poll_due()
    assert (first.status, first.items, first.new_entries) == (PollStatus.UPDATED, 10, 10)
    assert rig.listener.news == []
    assert await rig.count(FeedEntry) == 10
    assert (await rig.source("/feed")).initialised

    feed_server.serve("/feed", rss(*news_items(12)))  # two more
    await rig.poll_when_due("/feed")
    (items,) = rig.listener.news
    assert [item.key for item in items] == ["urn:n11", "urn:n12"]  # oldest first
    assert items[0].source_name == "IFLA news"
    assert items[0].link == "https://ifla.example/n11"
    assert items[0].summary_html == "<p>About News 11</p>"
    assert items[0].entry_id > 0

    await rig.poll_when_due("/feed")  # 304
    feed_server.serve("/feed", rss(*news_items(12), title="IFLA news (renamed)"))
    await rig.poll_when_due("/feed")  # new bytes, nothing new
    assert len(rig.listener.news) == 1
    assert await rig.count(FeedEntry) == 12


async def test_entries_that_leave_the_feed_and_come_back_are_not_news(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/feed", rss(*news_items(5)))
    rig = await started(rigs({"path": "/feed", "format": "news"}))
    await rig.service.poll_due()
    feed_server.serve("/feed", rss(*news_items(3, first=3)))  # 1 and 2 fell off the end
    await rig.poll_when_due("/feed")
    feed_server.serve("/feed", rss(*news_items(5)))
    await rig.poll_when_due("/feed")
    assert rig.listener.news == []


async def test_a_feed_that_changes_its_guids_does_not_repost(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    items = news_items(4)
    feed_server.serve("/feed", rss(*items))
    rig = await started(rigs({"path": "/feed", "format": "news"}))
    await rig.service.poll_due()
    rekeyed = rss(*items).replace(b"<guid>urn:", b"<guid>https://ifla.example/?p=")
    feed_server.serve("/feed", rekeyed)
    await rig.poll_when_due("/feed")
    assert rig.listener.news == []
    assert await rig.count(FeedEntry) == 8  # the new keys are remembered for next time


async def test_a_burst_of_entries_announces_only_the_newest(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/feed", rss(*news_items(2)))
    rig = await started(rigs({"path": "/feed", "format": "news"}))
    await rig.service.poll_due()
    feed_server.serve("/feed", rss(*news_items(20)))
    await rig.poll_when_due("/feed")
    (items,) = rig.listener.news
    assert len(items) == NEWS_BURST_LIMIT
    assert [item.key for item in items] == [f"urn:n{n}" for n in range(16, 21)]
    assert await rig.count(FeedEntry) == 20


async def test_feed_title_names_an_unnamed_source(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/feed", rss(*news_items(1), title="Library news"))
    rig = await started(rigs({"path": "/feed"}))  # format detected
    await rig.service.poll_due()
    (health,) = await rig.service.source_health()
    assert health.name == "Library news"
    assert health.items == 1


async def test_entries_long_gone_are_forgotten_and_never_posted_again(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/feed", rss(*news_items(5)))
    rig = await started(rigs({"path": "/feed", "format": "news"}))
    await rig.service.poll_due()
    assert await rig.count(FeedEntry) == 5

    # Half a year on, 1 and 2 have left the feed: they are forgotten, the rest are kept.
    rig.clock.set(rig.clock.now() + NEWS_KEEP + timedelta(days=1))
    fresh = ("n99", "News 99", format_datetime(rig.clock.now()))
    feed_server.serve("/feed", rss(*news_items(3, first=3), fresh))
    await rig.poll_when_due("/feed")
    assert [item.key for call in rig.listener.news for item in call] == ["urn:n99"]
    assert await rig.count(FeedEntry) == 4

    # They come back (a feed that re-sorts its archive): published long ago, so not news.
    feed_server.serve("/feed", rss(*news_items(5), fresh))
    await rig.poll_when_due("/feed")
    assert [item.key for call in rig.listener.news for item in call] == ["urn:n99"]
    assert await rig.count(FeedEntry) == 6
