"""Polling programmes end to end below Telegram: real HTTP, real parsers, both databases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.errors import UserFacingError
from bot.ingest.outcomes import PollStatus
from bot.programme.events import ChangeKind
from storage.db import Database
from storage.models import Session
from tests.feedserver import FeedServer

from .helpers import utc
from .rig import PROGRAMME_EVENTS, RigFactory, calendar, event, started

PROGRAMME = PROGRAMME_EVENTS


async def test_first_poll_stores_utc_sessions_quietly_then_304_costs_no_parse(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/igf.ics", calendar(*PROGRAMME), content_type="text/calendar")
    rig = await started(rigs({"path": "/igf.ics", "interval": 600}))

    (first,) = await rig.service.poll_due()
    assert (first.status, first.items) == (PollStatus.UPDATED, 4)
    assert rig.listener.changes == []  # a new programme is a baseline, not four announcements
    assert len(rig.listener.baselines) == 4  # ... told in the poll's transaction as such
    assert rig.parse.calls == 1
    stored = await rig.sessions("/igf.ics")
    assert stored["a@igf"].start_at == utc("2026-06-23T10:00")
    assert stored["a@igf"].end_at == utc("2026-06-23T11:30")
    assert stored["a@igf"].timezone == "Asia/Baku"
    assert [key for key, row in sorted(stored.items()) if row.is_ifla] == ["a@igf", "c@igf"]

    assert await rig.service.poll_due() == []  # nothing is due before the interval
    rig.clock.advance(timedelta(seconds=600))
    (second,) = await rig.service.poll_due()
    assert second.status is PollStatus.NOT_MODIFIED
    assert rig.parse.calls == 1
    assert feed_server.not_modified["/igf.ics"] == 1
    source = await rig.source("/igf.ics")
    assert source.last_success_at == rig.clock.now()
    assert source.next_poll_at == rig.clock.now() + timedelta(seconds=600)


async def test_server_without_validators_costs_no_parse_for_the_same_body(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    route = feed_server.serve("/plain.ics", calendar(*PROGRAMME), etag=False)
    route.last_modified = None
    rig = await started(rigs({"path": "/plain.ics"}))
    await rig.service.poll_due()
    await rig.poll_when_due("/plain.ics")
    assert (await rig.source("/plain.ics")).last_success_at == rig.clock.now()
    assert rig.parse.calls == 1
    assert feed_server.hits["/plain.ics"] == 2


async def test_changes_are_emitted_exactly_once(rigs: RigFactory, feed_server: FeedServer) -> None:
    feed_server.serve("/igf.ics", calendar(*PROGRAMME))
    rig = await started(rigs({"path": "/igf.ics"}))
    await rig.service.poll_due()
    before = await rig.sessions("/igf.ics")

    changed = [
        event("a@igf", "IFLA: Libraries and the SDGs", "2026-06-23T14:00", 90, "Room A"),
        event("b@igf", "Cybersecurity main session", "2026-06-23T12:00", 60, "Room B2"),
        event("c@igf", "Роль библиотек в цифровой среде", "2026-06-24T09:00", 60, "Room C",
              status="CANCELLED"),
        event("d@igf", "Closing ceremony", "2026-06-25T15:00", 30, "Plenary"),
        event("e@igf", "IFLA open session", "2026-06-25T10:00", 60, "Room A"),
    ]  # fmt: skip
    feed_server.serve("/igf.ics", calendar(*changed))
    await rig.poll_when_due("/igf.ics")
    (call,) = rig.listener.changes
    kinds = {rig_key(before, change.session_id): change.kind for change in call}
    new_id = {c.session_id for c in call} - {row.id for row in before.values()}
    assert len(new_id) == 1
    assert kinds == {
        "a@igf": ChangeKind.MOVED,
        "b@igf": ChangeKind.ROOM_CHANGED,
        "c@igf": ChangeKind.CANCELLED,
        "d@igf": ChangeKind.UPDATED,
        None: ChangeKind.ADDED,
    }
    moved = next(c for c in call if c.kind is ChangeKind.MOVED)
    assert (moved.old_start, moved.new_start) == (utc("2026-06-23T10:00"), utc("2026-06-23T14:00"))
    assert moved.is_ifla and moved.needs_notice
    room = next(c for c in call if c.kind is ChangeKind.ROOM_CHANGED)
    assert (room.old_room, room.new_room) == ("Room B", "Room B2")
    assert rig.woken[0] >= 1

    await rig.poll_when_due("/igf.ics")  # 304
    feed_server.serve("/igf.ics", calendar(*changed, name="Same programme, new bytes"))
    await rig.poll_when_due("/igf.ics")  # parsed again: nothing changed
    assert rig.parse.calls == 3
    assert len(rig.listener.changes) == 1
    after = await rig.sessions("/igf.ics")
    assert after["c@igf"].cancelled and not after["c@igf"].vanished
    assert after["a@igf"].start_at == utc("2026-06-23T14:00")


def rig_key(rows: dict[str, Session], session_id: int) -> str | None:
    return next((key for key, row in rows.items() if row.id == session_id), None)


async def test_vanished_sessions_are_cancelled_not_deleted_and_can_return(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/igf.ics", calendar(*PROGRAMME))
    rig = await started(rigs({"path": "/igf.ics"}))
    await rig.service.poll_due()
    feed_server.serve("/igf.ics", calendar(*PROGRAMME[:3]))
    await rig.poll_when_due("/igf.ics")
    (call,) = rig.listener.changes
    assert [(c.kind, c.title) for c in call] == [(ChangeKind.CANCELLED, "Closing")]
    closing = (await rig.sessions("/igf.ics"))["d@igf"]
    assert closing.cancelled and closing.vanished

    feed_server.serve("/igf.ics", calendar(*PROGRAMME))
    await rig.poll_when_due("/igf.ics")
    assert [c.kind for c in rig.listener.changes[-1]] == [ChangeKind.RESTORED]
    closing = (await rig.sessions("/igf.ics"))["d@igf"]
    assert not closing.cancelled and not closing.vanished
    assert await rig.count(Session) == 4


async def test_an_empty_programme_never_cancels_anything(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/igf.ics", calendar(*PROGRAMME))
    rig = await started(rigs({"path": "/igf.ics"}))
    await rig.service.poll_due()
    feed_server.serve("/igf.ics", calendar())
    await rig.poll_when_due("/igf.ics")
    source = await rig.source("/igf.ics")
    assert source.last_error is not None and "no sessions" in source.last_error
    assert source.consecutive_failures == 1
    assert not any(row.cancelled for row in (await rig.sessions()).values())
    assert rig.listener.changes == []


async def test_a_programme_that_loses_most_sessions_must_be_seen_twice(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    many = [
        event(f"s{n}@igf", f"Session {n}", f"2026-06-23T{8 + n % 10:02d}:00") for n in range(12)
    ]
    feed_server.serve("/igf.ics", calendar(*many))
    rig = await started(rigs({"path": "/igf.ics"}))
    await rig.service.poll_due()
    feed_server.serve("/igf.ics", calendar(*many[:2]))  # a truncated export looks like this
    await rig.poll_when_due("/igf.ics")
    held = await rig.source("/igf.ics")
    assert held.held_hash is not None and "vanish" in (held.last_error or "")
    assert rig.listener.changes == []
    assert not any(row.cancelled for row in (await rig.sessions()).values())

    (outcome,) = await rig.service.poll_all()  # the same programme again: now it is believed
    assert outcome.status is PollStatus.UPDATED
    assert [c.kind for c in rig.listener.all_changes] == [ChangeKind.CANCELLED] * 10
    assert (await rig.source("/igf.ics")).held_hash is None


async def test_keys_are_stable_without_uids_and_with_repeated_uids(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    awkward = [
        event(None, "No UID one", "2026-06-23T10:00"),
        event(None, "No UID two", "2026-06-23T11:00", room="Room B"),
        event("same", "Repeated UID", "2026-06-23T12:00"),
        event("same", "Repeated UID", "2026-06-24T12:00"),
    ]
    feed_server.serve("/awkward.ics", calendar(*awkward))
    rig = await started(rigs({"path": "/awkward.ics"}))
    await rig.service.poll_due()
    keys = set(await rig.sessions())
    assert len(keys) == 4
    feed_server.serve("/awkward.ics", calendar(*awkward, name="re-exported"))
    await rig.poll_when_due("/awkward.ics")
    assert rig.parse.calls == 2
    assert set(await rig.sessions()) == keys
    assert rig.listener.changes == []


async def test_a_failing_listener_rolls_the_poll_back_and_it_is_retried(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/igf.ics", calendar(*PROGRAMME))
    rig = await started(rigs({"path": "/igf.ics"}))
    await rig.service.poll_due()
    feed_server.serve(
        "/igf.ics", calendar(*PROGRAMME[:3], event("d@igf", "Closing", "2026-06-25T16:00"))
    )
    rig.listener.fail_with = RuntimeError("listener bug")
    await rig.poll_when_due("/igf.ics")
    source = await rig.source("/igf.ics")
    assert source.last_error == "internal error (RuntimeError)"
    assert (await rig.sessions())["d@igf"].start_at == utc("2026-06-25T15:00")  # rolled back

    rig.listener.fail_with = None
    await rig.poll_when_due("/igf.ics")
    assert [c.kind for c in rig.listener.all_changes] == [ChangeKind.MOVED]
    assert (await rig.sessions())["d@igf"].start_at == utc("2026-06-25T16:00")


async def test_permanent_redirect_is_polled_directly_afterwards(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.serve("/new.ics", calendar(*PROGRAMME))
    feed_server.redirect("/old.ics", feed_server.url("/new.ics"), 301)
    rig = await started(rigs({"path": "/old.ics"}))
    await rig.service.poll_due()
    assert (await rig.source("/old.ics")).permanent_url == feed_server.url("/new.ics")
    await rig.poll_when_due("/old.ics")
    assert feed_server.hits["/old.ics"] == 1
    assert feed_server.hits["/new.ics"] == 2
    assert feed_server.not_modified["/new.ics"] == 1


async def test_configuration_sync(rigs: RigFactory, feed_server: FeedServer) -> None:
    rig = await started(rigs({"path": "/a.ics", "name": "A"}, {"path": "/b.ics", "interval": 60}))
    health = {h.url: h for h in await rig.service.source_health()}
    assert [h.enabled for h in health.values()] == [True, True]
    assert health[feed_server.url("/a.ics")].name == "A"
    assert health[feed_server.url("/b.ics")].next_poll_at == rig.clock.now()

    later = rigs({"path": "/b.ics", "interval": 120, "format": "ical"})
    await later.service.sync_configured_sources()
    health = {h.url: h for h in await later.service.source_health()}
    assert not health[feed_server.url("/a.ics")].enabled  # removed from the config
    assert health[feed_server.url("/a.ics")].next_poll_at is None
    assert health[feed_server.url("/b.ics")].format == "ical"
    assert len(health) == 2


async def test_poll_source_and_in_flight_skipping(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    feed_server.drip("/slow.ics", calendar(*PROGRAMME), delay=0.01, chunk=64)
    rig = await started(rigs({"path": "/slow.ics"}))
    source = await rig.source("/slow.ics")
    first = asyncio.create_task(rig.service.poll_source(source.id))
    await asyncio.sleep(0.05)
    second = await rig.service.poll_source(source.id)
    assert second.status is PollStatus.SKIPPED
    assert (await first).status is PollStatus.UPDATED
    feed_server.serve("/slow.ics", calendar(*PROGRAMME[1:]))
    woken = rig.woken[0]
    cancelled = await rig.service.poll_source(source.id)
    assert [c.kind for c in cancelled.changes] == [ChangeKind.CANCELLED]
    assert rig.woken[0] == woken + 1  # after the commit, the sender is told
    with pytest.raises(UserFacingError) as caught:
        await rig.service.poll_source(999_999)
    assert caught.value.message_id == "ingest.unknown_source"


async def test_sessions_of_other_sources_are_untouched(
    rigs: RigFactory, feed_server: FeedServer, database: Database
) -> None:
    feed_server.serve("/one.ics", calendar(*PROGRAMME[:2]))
    feed_server.serve("/two.ics", calendar(*PROGRAMME[2:]))
    rig = await started(rigs({"path": "/one.ics"}, {"path": "/two.ics"}))
    await rig.service.poll_due()
    feed_server.serve("/one.ics", calendar(*PROGRAMME[:1]))
    await rig.poll_when_due("/one.ics")
    async with database.transaction() as db:
        cancelled = (await db.scalars(select(Session.key).where(Session.cancelled))).all()
    assert cancelled == ["b@igf"]
