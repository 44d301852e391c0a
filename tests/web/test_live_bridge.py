"""Live changes reach the pages of every process sharing PostgreSQL (``bot.live_bridge``).

Two hubs stand for two processes; each has a bridge with a connection of its own to the
per-run PostgreSQL database, on a channel of the test's own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.live import LiveHub
from bot.live_bridge import LiveBridge
from storage.db import asyncpg_dsn
from tests.harness import eventually

pytestmark = pytest.mark.postgres


@pytest.fixture
async def two_processes(postgres_url: str) -> AsyncIterator[tuple[LiveHub, LiveHub, str]]:
    channel = f"remotehub_live_test_{uuid.uuid4().hex[:8]}"
    here, there = LiveHub(), LiveHub()
    bridges = [
        LiveBridge(postgres_url, here, channel=channel, retry_seconds=0.2),
        LiveBridge(postgres_url, there, channel=channel, retry_seconds=0.2),
    ]
    for bridge in bridges:
        await bridge.start()
        assert bridge.listening
    try:
        yield here, there, channel
    finally:
        for bridge in bridges:
            await bridge.stop()


async def test_a_change_here_reaches_the_other_process_once(
    two_processes: tuple[LiveHub, LiveHub, str],
) -> None:
    here, there, _ = two_processes
    waiting = asyncio.create_task(there.wait(7, seen=0, patience=5))
    here.publish(7)
    assert await asyncio.wait_for(waiting, 5) == 1
    await asyncio.sleep(0.3)  # an echo, if there were one, would have come back by now
    assert here.version(7) == 1  # its own notice is not counted again
    assert there.version(7) == 1  # and the other does not send it back
    assert there.version(8) == 0  # only the session that changed


async def test_changes_made_while_a_notice_is_on_its_way_go_together(
    two_processes: tuple[LiveHub, LiveHub, str],
) -> None:
    here, there, _ = two_processes
    for _ in range(50):
        here.publish(3)
    here.publish(4)
    await eventually(lambda: there.version(3) >= 1 and there.version(4) == 1)
    await asyncio.sleep(0.3)
    # Fifty changes in one moment: far fewer renders over there, and at least one.
    assert 1 <= there.version(3) < 50
    assert here.version(3) == 50


async def test_after_losing_its_connection_it_listens_again_and_counts_what_it_missed(
    two_processes: tuple[LiveHub, LiveHub, str], postgres_url: str
) -> None:
    here, there, _ = two_processes
    here.publish(5)
    await eventually(lambda: there.version(5) == 1)
    dsn = asyncpg_dsn(postgres_url)
    admin = await asyncpg.connect(dsn)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE application_name = 'remotehub-live' AND datname = current_database()"
        )
    finally:
        await admin.close()
    assert killed >= 2  # both bridges' connections (other tests' bridges are stopped)
    # Each reconnects; the session it knew counts as changed, since notices may be lost.
    await eventually(lambda: there.version(5) >= 2)
    await eventually(lambda: here.version(5) >= 2)
    before = there.version(6)
    here.publish(6)
    await eventually(lambda: there.version(6) == before + 1)


async def test_notices_of_other_kinds_are_ignored(
    two_processes: tuple[LiveHub, LiveHub, str], postgres_url: str
) -> None:
    _, there, channel = two_processes
    dsn = asyncpg_dsn(postgres_url)
    stranger = await asyncpg.connect(dsn)
    try:
        for payload in ("no colon", "someone:", "someone:x1", "someone:-3", "someone:12"):
            await stranger.execute("SELECT pg_notify($1, $2)", channel, payload)
    finally:
        await stranger.close()
    await eventually(lambda: there.version(12) == 1)
    assert there.version(1) == 0


async def test_a_question_asked_through_one_process_wakes_the_pages_of_another(
    postgres_url: str,
) -> None:
    """Two composition roots on one PostgreSQL, as two instances are: the live bridge is
    part of starting, and a question stored by one is a change for the other's pages."""
    from bot.clock import FrozenClock
    from bot.services import Services, build_services
    from config.settings import Settings
    from tests.questions.support import NOW, Acks, add_session, asker

    def instance() -> Services:
        settings = Settings(
            database_url=postgres_url, web={"enabled": False}, questions={"cooldown_seconds": 0}
        )
        return build_services(settings, clock=FrozenClock(NOW))

    first, second = instance(), instance()
    try:
        for services in (first, second):
            await services.start(bot_username="bridge_bot")
            assert "live" in services.started
        session_id = await add_session(first.database, title="IFLA: two instances")
        before = second.live.version(session_id)
        waiting = asyncio.create_task(second.live.wait(session_id, seen=before, patience=5))
        await first.questions.asking.submit(
            asker(31), session_id, "Will the slides be shared with remote hubs?", None, Acks()
        )
        assert await asyncio.wait_for(waiting, 6) == before + 1
        for services in (first, second):
            stopped = await services.stop()
            assert "live" in stopped and services.live_bridge is None
    finally:
        for services in (first, second):
            if services.started:
                await services.stop()
            await services.database.dispose()
