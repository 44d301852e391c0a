"""A broadcast at Telegram's real pace ends by its due time, and a paid one goes faster.

The real application against the local Bot API server with Telegram's limits enforced:
600 subscribers take about 20 s at 30 a second, so the fan-out must start about that long
before the reminders are due. Before it did, the last one left 20 s late. Once, on SQLite:
the pace is the sender's, not the backend's.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.reminders.batches import BroadcastPace
from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness

from .helpers import add_session, subscribe_everyone

pytestmark = pytest.mark.e2e

TITLE = "IFLA: Libraries on time"


def _arrivals(server: LocalBotApiServer) -> list[float]:
    """Server clock (monotonic) of each reminder the local server accepted."""
    return sorted(m.time for m in server.sent if m.text and TITLE in m.text)


async def _broadcast(
    server: LocalBotApiServer, database: Database, chats: range, *, paid: bool, lead_in: float
) -> tuple[list[float], float]:
    """Subscribe ``chats``, start the bot, wait for the reminders; returns arrivals, due."""
    now = datetime.now(UTC)
    for chat_id in chats:
        server.add_user(chat_id, f"Librarian {chat_id}")
    await subscribe_everyone(database, chats, now - timedelta(hours=1))
    due = now + timedelta(seconds=lead_in)
    due_on_server = time.monotonic() + lead_in
    await add_session(database, TITLE, due + timedelta(minutes=5), is_ifla=True)
    bot = BotHarness(
        server, database.url, overrides={"reminder_minutes": [5], "broadcast": {"paid": paid}}
    )
    await bot.start()
    try:
        await server.wait_until(lambda: len(_arrivals(server)) >= len(chats), lead_in + 60)
    finally:
        await bot.stop()
    return _arrivals(server), due_on_server


async def test_the_last_reminder_leaves_by_its_due_time(
    local_api: LocalBotApiServer, sqlite_database: Database
) -> None:
    chats = range(400_001, 400_601)
    arrivals, due = await _broadcast(local_api, sqlite_database, chats, paid=False, lead_in=30)
    assert len(arrivals) == len(chats) and local_api.throttled_total == 0
    length = arrivals[-1] - arrivals[0]
    assert length > 600 / 30.5  # Telegram's pace was kept
    assert arrivals[-1] <= due + 0.5, f"last reminder {arrivals[-1] - due:.1f} s after its time"
    # Early by about its own length, not more than a minute beyond it.
    assert arrivals[0] >= due - (length + 60)
    assert arrivals[0] <= due - length * 0.8
    assert local_api.stats()["paid_total"] == 0


async def test_a_paid_broadcast_goes_past_thirty_a_second(
    local_api: LocalBotApiServer, sqlite_database: Database
) -> None:
    chats = range(410_001, 410_601)
    arrivals, due = await _broadcast(local_api, sqlite_database, chats, paid=True, lead_in=12)
    assert len(arrivals) == len(chats) and local_api.throttled_total == 0
    assert local_api.stats()["paid_total"] == len(chats)
    length = arrivals[-1] - arrivals[0]
    assert len(chats) / length > 60, f"{len(chats) / length:.0f} messages a second"
    assert arrivals[-1] <= due + 0.5
    # Planned for the paid pace: it starts seconds ahead, not the 20 s a free one needs.
    free = BroadcastPace(per_second=29.5 * 0.9).length(len(chats)).total_seconds()
    assert arrivals[0] > due - free / 2
