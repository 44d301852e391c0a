"""kill -9 of ``remotehub run`` during a burst of questions, by polling and by webhook: every
question the Bot API delivered is stored exactly once after the restart (none lost, none twice).

One backend per mode is enough here (the inbox itself is tested on both): polling on SQLite,
the webhook on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.repos import inbox
from tests.conftest import _truncate_all
from tests.harness import BotProcess
from tests.questions.e2e_support import live_session
from tests.questions.support import questions_in

from .support import acknowledged, question_text
from .test_webhook_e2e import free_port

pytestmark = pytest.mark.e2e

PEOPLE = 150
KILL_AFTER_ACKS = 30


@pytest.fixture(
    params=[
        ("polling", "sqlite"),
        pytest.param(("webhook", "postgresql"), marks=pytest.mark.postgres),
    ],
    ids=["polling-sqlite", "webhook-postgresql"],
)
async def mode_and_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[str, Database]]:
    mode, backend = request.param
    if backend == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'kill.db'}")
        await upgrade_to_head(database)
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        await _truncate_all(database)
    try:
        yield mode, database
    finally:
        await database.dispose()


def bot_process(api: LocalBotApiServer, database: Database, mode: str, port: int) -> BotProcess:
    env = {"REMOTEHUB_QUESTIONS__COOLDOWN_SECONDS": "0"}
    if mode == "webhook":
        env |= {"REMOTEHUB_TELEGRAM__MODE": "webhook", "REMOTEHUB_WEB__LISTEN": f"127.0.0.1:{port}"}
    return BotProcess(api.root, database.url, env=env)


async def test_kill_9_mid_burst_loses_no_delivered_question(
    local_api: LocalBotApiServer, mode_and_database: tuple[str, Database], tmp_path: Path
) -> None:
    api = local_api
    mode, database = mode_and_database
    session_id = await live_session(database)
    users = range(1000, 1000 + PEOPLE)
    for user in users:
        api.add_user(user, f"Person {user}", "en")
    port = free_port()
    first = bot_process(api, database, mode, port)
    first.start(tmp_path / "first.log")
    try:
        ready = "setWebhook" if mode == "webhook" else "getUpdates"
        await api.wait_until(lambda: bool(api.requests_for(ready)), 30)
        question_of: dict[int, int] = {}  # update id -> asker
        for user in users:
            api.send_text(user, question_text(user))
            question_of[api.last_update_id] = user
            await asyncio.sleep(0.01)
        await api.wait_until(lambda: len(acknowledged(api)) >= KILL_AFTER_ACKS, 60)
        first.kill()  # SIGKILL: no shutdown, no flushing, nothing
    finally:
        if first.process is not None and first.process.poll() is None:
            first.kill()
    delivered_before = {u for u in api.delivered_update_ids if u in question_of}
    assert len(acknowledged(api)) < PEOPLE, "the kill came too late to test"
    assert len(delivered_before) > len(acknowledged(api)), "nothing was in flight at the kill"

    second = bot_process(api, database, mode, port)
    second.start(tmp_path / "second.log")
    try:
        await api.wait_until(lambda: set(acknowledged(api)) == set(users), 90)
        second.signal(signal.SIGTERM)
        assert await second.wait(30) == 0, second.output()[-2000:]
    finally:
        if second.process is not None and second.process.poll() is None:
            second.kill()
    delivered = {u for u in api.delivered_update_ids if u in question_of}
    assert delivered == set(question_of)  # everything sent reached the bot in the end
    stored = await questions_in(database, session_id)
    authors = [q.author_id for q in stored]
    assert sorted(authors) == sorted(set(authors)) == sorted(question_of[u] for u in delivered)
    assert sorted(q.number for q in stored) == list(range(1, PEOPLE + 1))
    async with database.transaction() as db:
        assert set(await inbox.stored_ids(db)) >= delivered
        assert (await inbox.counts(db))[1] == 0
