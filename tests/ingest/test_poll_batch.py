"""Unchanged polls are written together, once per cycle: every source still gets its own row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.ingest.outcomes import PollStatus
from storage.db import Database
from storage.repos import programme
from tests.feedserver import FeedServer

from .rig import PROGRAMME_EVENTS, RigFactory, calendar, started

INTERVALS = [300, 600, 900, 1200, 1500, 1800]


@contextmanager
def source_updates(database: Database) -> Iterator[list[int]]:
    """Counts UPDATE statements on ``sources`` (an executemany counts once) with their rows."""
    seen: list[int] = []

    def count(*args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, executemany = args
        if statement.lstrip().upper().startswith("UPDATE SOURCES"):
            seen.append(len(parameters) if executemany else 1)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_a_cycle_of_304s_is_one_write_that_records_every_source(
    rigs: RigFactory, feed_server: FeedServer, database: Database
) -> None:
    paths = [f"/p{n}.ics" for n in range(len(INTERVALS))]
    for path in paths:
        feed_server.serve(path, calendar(*PROGRAMME_EVENTS), content_type="text/calendar")
    rig = await started(
        rigs(*({"path": path, "interval": s} for path, s in zip(paths, INTERVALS, strict=True)))
    )
    assert {o.status for o in await rig.service.poll_due()} == {PollStatus.UPDATED}

    rig.clock.advance(timedelta(seconds=max(INTERVALS)))  # all due again, each its own way
    with source_updates(database) as updates:
        outcomes = await rig.service.poll_due()
    assert [o.status for o in outcomes] == [PollStatus.NOT_MODIFIED] * len(paths)
    assert updates == [len(paths)]  # one statement for all of them
    now = rig.clock.now()
    for path, interval in zip(paths, INTERVALS, strict=True):
        source = await rig.source(path)
        assert source.last_success_at == now
        assert source.next_poll_at == now + timedelta(seconds=interval)
        assert source.etag is not None and source.consecutive_failures == 0
    assert await rig.service.poll_due() == []  # recorded: nothing is due any more


async def test_a_cycle_mixing_304s_failures_and_changes_keeps_each_outcome(
    rigs: RigFactory, feed_server: FeedServer
) -> None:
    paths = ("/same.ics", "/moved.ics", "/broken.ics")
    for path in paths:
        feed_server.serve(path, calendar(*PROGRAMME_EVENTS), content_type="text/calendar")
    rig = await started(rigs(*({"path": path, "interval": 300} for path in paths)))
    await rig.service.poll_due()
    feed_server.serve("/moved.ics", calendar(*PROGRAMME_EVENTS[1:]))
    feed_server.fail("/broken.ics", 500)
    rig.clock.advance(timedelta(seconds=300))
    statuses = [o.status for o in await rig.service.poll_due()]
    assert sorted(statuses) == sorted(
        [PollStatus.NOT_MODIFIED, PollStatus.UPDATED, PollStatus.FAILED]
    )
    now = rig.clock.now()
    same, moved, broken = [await rig.source(path) for path in paths]
    assert same.last_success_at == moved.last_success_at == now
    assert same.next_poll_at == moved.next_poll_at == now + timedelta(seconds=300)
    assert broken.consecutive_failures == 1 and broken.last_success_at != now
    assert broken.next_poll_at == now + timedelta(seconds=600)  # backoff kept


async def test_a_failed_batch_write_leaves_the_sources_due_for_the_next_cycle(
    rigs: RigFactory, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.serve("/igf.ics", calendar(*PROGRAMME_EVENTS), content_type="text/calendar")
    rig = await started(rigs({"path": "/igf.ics", "interval": 300}))
    await rig.service.poll_due()
    rig.clock.advance(timedelta(seconds=300))

    async def broken(*_args: Any) -> None:
        raise RuntimeError("database went away")

    with monkeypatch.context() as patched:
        patched.setattr(programme, "update_sources", broken)
        (outcome,) = await rig.service.poll_due()
    assert outcome.status is PollStatus.NOT_MODIFIED
    assert (await rig.source("/igf.ics")).last_success_at != rig.clock.now()
    (again,) = await rig.service.poll_due()  # still due, polled again, recorded this time
    assert again.status is PollStatus.NOT_MODIFIED
    assert (await rig.source("/igf.ics")).last_success_at == rig.clock.now()
