"""Bad sources: hostile bodies, errors, backoff, and one report to the admins per outage."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.ingest.fetch import MEGABYTE, FetchLimits
from bot.ingest.outcomes import PollStatus
from bot.ingest.schedule import MAX_BACKOFF
from storage.models import Session
from storage.repos import chats
from tests.feedserver import FeedServer

from .helpers import FIXTURES_DIR, XML_BOMB
from .rig import PROGRAMME_EVENTS, RigFactory, calendar, started

GARBAGE = bytes((n * 7919) % 256 for n in range(200_000))


def _serve_hostile(server: FeedServer, kind: str) -> None:
    path = "/bad"
    if kind == "xml bomb (frab)":
        server.serve(path, XML_BOMB + b"<schedule><conference><title>&lol9;</title></conference>")
    elif kind == "50 MB body":
        server.endless(path, 50 * MEGABYTE)
    elif kind == "garbage bytes":
        server.serve(path, GARBAGE)
    elif kind == "truncated export":
        whole = (FIXTURES_DIR / "fosdem_2021.xml").read_bytes()
        server.serve(path, whole[: len(whole) // 2])
    elif kind == "html error page":
        server.serve(path, b"<!DOCTYPE html><html><body>Maintenance</body></html>")
    elif kind == "slow drip":
        server.drip(path, calendar(*PROGRAMME_EVENTS), delay=0.2, chunk=16)
    elif kind == "HTTP 500":
        server.fail(path, 500)
    else:
        raise AssertionError(kind)


HOSTILE = {
    "xml bomb (frab)": "cannot read the programme",
    "50 MB body": "over the 2 MB limit",
    "garbage bytes": "cannot read the programme",
    "truncated export": "cannot read the programme",
    "html error page": "HTML page",
    "slow drip": "total deadline",
    "HTTP 500": "HTTP 500",
}


@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_hostile_source_fails_alone_and_says_why(
    rigs: RigFactory, feed_server: FeedServer, kind: str
) -> None:
    _serve_hostile(feed_server, kind)
    feed_server.serve("/good.ics", calendar(*PROGRAMME_EVENTS))
    rig = await started(
        rigs(
            {"path": "/bad", "interval": 60},
            {"path": "/good.ics"},
            limits=FetchLimits(max_bytes=2 * MEGABYTE, total_timeout=1.0),
        )
    )
    outcomes = {o.name: o for o in await rig.service.poll_due()}
    bad, good = outcomes[feed_server.url("/bad")], outcomes[feed_server.url("/good.ics")]
    assert good.status is PollStatus.UPDATED and good.items == len(PROGRAMME_EVENTS)
    assert bad.status is PollStatus.FAILED
    assert bad.error is not None and HOSTILE[kind] in bad.error
    assert "\n" not in bad.error and "Traceback" not in bad.error
    source = await rig.source("/bad")
    assert source.last_error == bad.error
    assert source.consecutive_failures == 1
    assert source.next_poll_at == rig.clock.now() + timedelta(seconds=120)
    assert await rig.count(Session) == len(PROGRAMME_EVENTS)


async def test_an_xml_bomb_in_a_feed_is_read_without_expanding_it(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    bomb = XML_BOMB + b'<rss version="2.0"><channel><title>&lol9;</title><item><guid>g</guid>'
    feed_server.serve("/bomb.rss", bomb + b"<title>Entry &lol9;</title></item></channel></rss>")
    rig = await started(rigs({"path": "/bomb.rss", "format": "news"}))
    (outcome,) = await rig.service.poll_due()
    assert outcome.status is PollStatus.UPDATED  # feeds are read leniently, entities left as text
    (health,) = await rig.service.source_health()
    assert health.items == 1 and len(health.name) < 100


async def test_a_slow_source_does_not_hold_up_the_others(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.drip("/slow.ics", calendar(*PROGRAMME_EVENTS), delay=0.5, chunk=8)
    feed_server.serve("/fast.ics", calendar(*PROGRAMME_EVENTS))
    rig = await started(
        rigs({"path": "/slow.ics"}, {"path": "/fast.ics"}, limits=FetchLimits(total_timeout=30))
    )
    cycle = asyncio.create_task(rig.service.poll_due())
    fast_done = False

    async def check() -> None:
        nonlocal fast_done
        fast_done = (await rig.source("/fast.ics")).last_success_at is not None

    for _ in range(200):
        await check()
        if fast_done:
            break
        await asyncio.sleep(0.02)
    assert fast_done, "the fast source waited for the slow one"
    assert not cycle.done()  # the slow one is still dripping
    cycle.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cycle


async def test_backoff_doubles_to_six_hours_and_success_resets_it(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.fail("/flaky.ics", 503)
    rig = await started(rigs({"path": "/flaky.ics", "interval": 300}))
    delays = []
    for _ in range(9):
        before = rig.clock.now()
        await rig.service.poll_due()
        source = await rig.source("/flaky.ics")
        assert source.next_poll_at is not None
        delays.append(source.next_poll_at - before)
        rig.clock.set(source.next_poll_at)
    minutes = [int(d.total_seconds() // 60) for d in delays]
    assert minutes == [10, 20, 40, 80, 160, 320, 360, 360, 360]
    assert max(delays) == MAX_BACKOFF

    feed_server.serve("/flaky.ics", calendar(*PROGRAMME_EVENTS))
    await rig.service.poll_due()
    source = await rig.source("/flaky.ics")
    assert source.consecutive_failures == 0 and source.failing_since is None
    assert source.next_poll_at == rig.clock.now() + timedelta(seconds=300)
    assert source.last_error is not None  # kept for /sources, with its time


async def test_retry_after_is_respected(rigs: RigFactory, feed_server: FeedServer) -> None:
    feed_server.fail("/busy.ics", 429, {"Retry-After": "3600"})
    rig = await started(rigs({"path": "/busy.ics", "interval": 60}))
    await rig.service.poll_due()
    source = await rig.source("/busy.ics")
    assert source.next_poll_at == rig.clock.now() + timedelta(hours=1)


async def test_a_day_of_failures_is_reported_once_and_the_recovery_once(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.fail("/igf.ics", 500)
    rig = await started(rigs({"path": "/igf.ics", "interval": 900, "name": "IGF programme"}))
    async with rig.database.transaction() as db:  # one admin reads Russian
        await chats.remember_chat(db, chat_id=222, type="private", title=None, now=rig.clock.now())
        await chats.set_language(db, 222, "ru", rig.clock.now())
    day_later = rig.clock.now() + timedelta(hours=24)
    while (await rig.source("/igf.ics")).next_poll_at < day_later:  # type: ignore[operator]
        await rig.poll_when_due("/igf.ics")
    assert (await rig.source("/igf.ics")).consecutive_failures == 7
    assert await rig.outbox("source_down") == []

    for _ in range(5):  # the first poll after 24 hours reports; the next ones do not
        await rig.poll_when_due("/igf.ics")
    down = await rig.outbox("source_down")
    assert sorted(m.chat_id for m in down) == [111, 222]
    english = next(m for m in down if m.chat_id == 111).payload["text"]
    russian = next(m for m in down if m.chat_id == 222).payload["text"]
    assert "IGF programme" in english and "HTTP 500" in english and "hours" in english
    assert "не отвечает" in russian
    assert rig.woken[0] >= 1

    restarted = rigs({"path": "/igf.ics", "interval": 900, "name": "IGF programme"})
    restarted.clock.set(rig.clock.now())
    await restarted.service.sync_configured_sources()
    for _ in range(3):
        await restarted.poll_when_due("/igf.ics")
    assert len(await rig.outbox("source_down")) == 2  # a restart reports nothing again

    feed_server.serve("/igf.ics", calendar(*PROGRAMME_EVENTS))
    await restarted.poll_when_due("/igf.ics")
    await restarted.poll_when_due("/igf.ics")
    up = await rig.outbox("source_up")
    assert sorted(m.chat_id for m in up) == [111, 222]
    assert "works again" in next(m for m in up if m.chat_id == 111).payload["text"]
    assert "снова работает" in next(m for m in up if m.chat_id == 222).payload["text"]

    feed_server.fail("/igf.ics", 500)  # a short outage later: no report at all
    for _ in range(3):
        await restarted.poll_when_due("/igf.ics")
    feed_server.serve("/igf.ics", calendar(*PROGRAMME_EVENTS))
    await restarted.poll_when_due("/igf.ics")
    assert len(await rig.outbox("source_down")) == 2
    assert len(await rig.outbox("source_up")) == 2
