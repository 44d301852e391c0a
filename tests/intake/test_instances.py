"""Three ``remotehub run --webhook`` processes on one PostgreSQL behind a round-robin proxy,
against the local Bot API server delivering by webhook (with Telegram's pace enforced).

Questions, votes and moderation go through all three; then the leader is killed with
kill -9 in the middle of a 2,000-chat reminder broadcast, another process takes the lease,
and every chat gets its reminder, repeated at most for the messages that were in flight.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.outbox import SendLimits
from localapi import LocalBotApiServer
from localapi.proxy import RoundRobinProxy
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.models import OutboxMessage
from tests.conftest import _truncate_all
from tests.harness import BotProcess
from tests.questions.e2e_support import Chat as Person
from tests.questions.e2e_support import data_with, live_session, number_in
from tests.questions.support import E2E_MODERATOR as MODERATOR
from tests.reminders.helpers import add_session, subscribe_everyone

from .support import question_text
from .test_webhook_e2e import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

CHATS = range(400_001, 402_001)
KILL_AFTER = 600
TITLE = "IFLA: Libraries in three processes"
LEADS = re.compile(r"leadership: this process leads")


@pytest.fixture
async def shared_database(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url)
    await upgrade_to_head(database)
    await _truncate_all(database)  # the per-run database is shared by the PostgreSQL tests
    try:
        yield database
    finally:
        await database.dispose()


def _reminded(api: LocalBotApiServer) -> Counter[int]:
    return Counter(m.chat_id for m in api.sent if m.text and TITLE in m.text)


async def test_three_instances_share_the_work_and_survive_the_leader(
    local_api: LocalBotApiServer, shared_database: Database, tmp_path: Path
) -> None:
    api, database = local_api, shared_database
    api.add_user(MODERATOR, "Mark", "en", "mark_mod")
    askers = list(range(5001, 5007))
    for user in askers:
        api.add_user(user, f"Person {user}", "en")
    for chat_id in CHATS:
        api.add_user(chat_id, f"Librarian {chat_id}")
    now = datetime.now(UTC)
    session_id = await live_session(database)
    await subscribe_everyone(database, CHATS, now - timedelta(hours=1))
    # The broadcast comes due once the question round below is over.
    await add_session(database, TITLE, now + timedelta(minutes=5, seconds=40), is_ifla=True)

    proxy = RoundRobinProxy()
    await proxy.start()
    ports = [free_port() for _ in range(3)]
    proxy.backends.extend(f"http://127.0.0.1:{port}" for port in ports)
    processes = [
        BotProcess(
            api.root,
            database.url,
            env={
                "REMOTEHUB_TELEGRAM__MODE": "webhook",
                "REMOTEHUB_WEB__LISTEN": f"127.0.0.1:{port}",
                "REMOTEHUB_WEB__PUBLIC_URL": proxy.url,
                "REMOTEHUB_MODERATORS": f"[{MODERATOR}]",
                "REMOTEHUB_QUESTIONS__COOLDOWN_SECONDS": "0",
                # The broadcast's session does not take questions yet (only the live one).
                "REMOTEHUB_QUESTIONS__OPEN_BEFORE_MINUTES": "1",
                "REMOTEHUB_REMINDER_MINUTES": "[5]",
                "REMOTEHUB_TIMEZONE": "Asia/Baku",
            },
        )
        for port in ports
    ]
    for number, process in enumerate(processes):
        process.start(tmp_path / f"instance-{number}.log")
    try:
        await api.wait_until(lambda: len(api.requests_for("setWebhook")) >= 3, 60)
        await api.wait_until(lambda: _leaders(processes) == 1, 30)

        # Questions, votes and moderation, each update through whichever instance is next.
        people = [Person(api, user) for user in askers]
        for user, person in zip(askers, people, strict=True):
            ack = await person.send(question_text(user))
            assert "Received" in (ack.text or "")
        listing = await people[0].send("/questions")
        for votes, person in enumerate(people[1:4], start=1):
            own_list = await person.send("/questions")
            vote = next(
                str(button["callback_data"])
                for button in own_list.buttons
                if str(button["text"]).endswith("#6")
            )
            await person.press(own_list, vote)
            await person.edited(own_list, f"✅ {votes} · #6")
        assert listing.text
        moderator = Person(api, MODERATOR)
        picker = await moderator.send("/moderate")
        await moderator.press(picker, f"mod:s:{session_id}")
        await moderator.edited(picker, "You moderate")
        card = await moderator.send("/next")
        assert number_in(card.text) == 6  # the most votes first, whoever stored them
        await moderator.press(card, data_with(card, "mq:ans:")[0])
        await people[5].next(lambda m: "answered" in (m.text or ""))
        assert all(proxy.handled[backend] > 0 for backend in proxy.backends), proxy.handled

        # The broadcast; the leader dies in its middle.
        await api.wait_until(lambda: sum(_reminded(api).values()) >= KILL_AFTER, 90)
        leader = next(p for p in processes if LEADS.search(p.output()))
        leader.kill()
        killed_at = time.monotonic()
        at_kill = sum(_reminded(api).values())
        async with database.transaction() as db:
            in_flight = await db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "sending")
            )
        assert KILL_AFTER <= at_kill < len(CHATS)
        await api.wait_until(lambda: sum(_reminded(api).values()) > at_kill + 10, 30)
        took_over = time.monotonic() - killed_at
        survivors = [p for p in processes if p is not leader]
        await api.wait_until(lambda: _leaders(survivors) == 1, 5)
        await api.wait_until(lambda: len(_reminded(api)) == len(CHATS), 150)
        await asyncio.sleep(1.0)  # a repeat still on its way would show now

        # The survivors still take questions.
        ack = await people[0].send("/ask After the failover, are recordings kept?")
        assert "Received" in (ack.text or "")
        for process in survivors:
            process.signal(signal.SIGTERM)
        for process in survivors:
            assert await process.wait(timeout=30) == 0, process.output()
    finally:
        for process in processes:
            if process.process is not None and process.process.poll() is None:
                process.kill()
        await proxy.stop()

    reminded = _reminded(api)
    repeats = sum(reminded.values()) - len(reminded)
    assert set(reminded) == set(CHATS)
    assert repeats <= (in_flight or 0) <= SendLimits().max_in_flight, (repeats, in_flight)
    assert took_over < 15, took_over
    print(f"failover: the new leader's first reminder {took_over:.1f} s after the kill")
    for process in processes:
        assert "Traceback" not in process.output(), process.output()


def _leaders(processes: list[BotProcess]) -> int:
    """How many processes lead now (took the lease after their last step down, if any)."""
    count = 0
    for process in processes:
        if process.process is None or process.process.poll() is not None:
            continue
        lines = [
            line
            for line in process.output().splitlines()
            if "leadership: this process leads" in line or "lost the lease" in line
        ]
        if lines and "leads" in lines[-1]:
            count += 1
    return count
