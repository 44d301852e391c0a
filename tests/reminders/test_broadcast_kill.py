"""kill -9 in the middle of a 2,000-chat reminder broadcast, then a restart: nobody is missed.

``remotehub run`` runs as a real process against the local Bot API server with Telegram's
limits enforced (about 30 messages a second), so the broadcast takes a little over a minute
of the test's time budget; the assertion is that every chat got the reminder and that the
repeats are no more than the messages that were in flight (claimed, maybe on the wire) when
the process died.

At Telegram's real pace this runs once, on SQLite: the same kill on PostgreSQL, of the
leader of three processes, is tests/intake/test_instances.py.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.outbox import SendLimits
from localapi import LocalBotApiServer
from storage.db import Database
from storage.models import OutboxMessage
from tests.harness import BotProcess

from .helpers import add_session, subscribe_everyone

pytestmark = pytest.mark.e2e

CHATS = range(300_001, 302_001)
KILL_AFTER = 600  # reminders the server has accepted when the process is killed
TITLE = "IFLA: Libraries in the broadcast"


def _received(server: LocalBotApiServer) -> Counter[int]:
    return Counter(m.chat_id for m in server.sent if m.text and TITLE in m.text)


async def test_kill_9_mid_broadcast_then_restart_delivers_to_every_chat(
    local_api: LocalBotApiServer, sqlite_database: Database, tmp_path: Path
) -> None:
    database = sqlite_database
    now = datetime.now(UTC)
    for chat_id in CHATS:
        local_api.add_user(chat_id, f"Librarian {chat_id}")
    await subscribe_everyone(database, CHATS, now - timedelta(hours=1))
    # Due two seconds from now: while the process starts, or right after.
    await add_session(database, TITLE, now + timedelta(minutes=5, seconds=2), is_ifla=True)
    environment = {"REMOTEHUB_REMINDER_MINUTES": "[5]", "REMOTEHUB_TIMEZONE": "Asia/Baku"}

    first = BotProcess(local_api.root, database.url, env=environment)
    first.start(tmp_path / "first.log")
    try:
        await local_api.wait_until(lambda: sum(_received(local_api).values()) >= KILL_AFTER, 60)
    finally:
        first.kill()
    at_kill = sum(_received(local_api).values())
    async with database.transaction() as db:
        in_flight = await db.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sending")
        )
    assert KILL_AFTER <= at_kill < len(CHATS), first.output()

    second = BotProcess(local_api.root, database.url, env=environment)
    second.start(tmp_path / "second.log")
    try:
        await local_api.wait_until(lambda: len(_received(local_api)) == len(CHATS), 120)
        await asyncio.sleep(1.0)  # anything still coming would be a repeat: let it show
        second.signal(signal.SIGTERM)
        assert await second.wait(timeout=30) == 0, second.output()
    finally:
        if second.process is not None and second.process.poll() is None:
            second.kill()

    received = _received(local_api)
    repeats = sum(received.values()) - len(received)
    assert set(received) == set(CHATS)
    assert repeats <= (in_flight or 0) <= SendLimits().max_in_flight, (repeats, in_flight)
    assert "Traceback" not in first.output() + second.output()
    async with database.transaction() as db:
        statuses = dict(
            (
                await db.execute(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.kind == "reminder")
                    .group_by(OutboxMessage.status)
                )
            ).all()
        )
    assert statuses == {"sent": len(CHATS)}
