"""Webhook mode end to end: the real application behind its endpoint, the local Bot API
server POSTing to it. Delivered, retried after failed POSTs, a wrong secret refused."""

from __future__ import annotations

import socket

import httpx
import pytest

from bot.intake.webhook import SECRET_HEADER, derived_secret
from localapi import LocalBotApiServer
from storage.db import Database
from storage.repos import inbox
from tests.harness import TOKEN, BotHarness
from tests.questions.e2e_support import live_session
from tests.questions.support import questions_in

from .support import acknowledged, question_text

pytestmark = pytest.mark.e2e

PATH = "/telegram/webhook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def webhook_bot(api: LocalBotApiServer, database: Database, port: int) -> BotHarness:
    return BotHarness(
        api,
        database.url,
        overrides={
            "telegram": {"mode": "webhook", "max_connections": 8},
            "web": {"listen": f"127.0.0.1:{port}"},
            "questions": {"cooldown_seconds": 0},
        },
    )


async def test_questions_arrive_by_webhook_and_survive_a_down_bot(
    local_api: LocalBotApiServer, sqlite_database: Database
) -> None:
    api, database = local_api, sqlite_database
    session_id = await live_session(database)
    users = list(range(2000, 2010))
    for user in users:
        api.add_user(user, f"Person {user}")
    port = free_port()
    bot = webhook_bot(api, database, port)
    await bot.start()
    assert api.settings.webhook is not None
    assert api.settings.webhook["url"] == f"http://127.0.0.1:{port}{PATH}"
    assert api.settings.webhook["secret_token"] == derived_secret(TOKEN)
    for user in users[:5]:
        api.send_text(user, question_text(user))
    await api.wait_until(lambda: _acks(api) == set(users[:5]), 20)

    # The bot goes away (the webhook stays set): POSTs fail, updates wait at the Bot API.
    await bot.stop()
    failed_before = _failed(api)
    for user in users[5:]:
        api.send_text(user, question_text(user))
    await api.wait_until(lambda: _failed(api) >= failed_before + 2, 10)
    assert len(api.pending_updates) == 5
    await bot.start()
    try:
        await api.wait_until(lambda: _acks(api) == set(users), 20)
    finally:
        await bot.stop()
    stored = await questions_in(database, session_id)
    assert sorted(q.author_id for q in stored) == users  # each once
    async with database.transaction() as db:
        assert set(await inbox.stored_ids(db)) == api.delivered_update_ids
        assert await inbox.counts(db) == (len(api.delivered_update_ids), 0)
    info = api.webhook
    assert info.last_error_message == "Connection refused" or info.last_error_message is None


async def test_the_endpoint_checks_the_secret_and_the_body(
    local_api: LocalBotApiServer, sqlite_database: Database
) -> None:
    port = free_port()
    bot = webhook_bot(local_api, sqlite_database, port)
    await bot.start()
    url = f"http://127.0.0.1:{port}{PATH}"
    good = {SECRET_HEADER: derived_secret(TOKEN)}
    update = {
        "update_id": 990001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 77, "type": "private", "first_name": "X"},
            "from": {"id": 77, "is_bot": False, "first_name": "X"},
            "text": "/help",
        },
    }
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            missing = await client.post(url, json=update)
            wrong = await client.post(url, json=update, headers={SECRET_HEADER: "nope"})
            not_json = await client.post(url, content=b"{", headers=good)
            not_update = await client.post(url, json={"hello": 1}, headers=good)
            array = await client.post(url, json=[1], headers=good)
            taken = await client.post(url, json=update, headers=good)
            again = await client.post(url, json=update, headers=good)
            assert [r.status_code for r in (missing, wrong, not_json, not_update, array)] == [
                401,
                403,
                400,
                400,
                400,
            ]
            assert (taken.status_code, again.status_code) == (200, 200)
    finally:
        await bot.stop()
    async with sqlite_database.transaction() as db:
        assert await inbox.stored_ids(db) == [990001]


def _acks(api: LocalBotApiServer) -> set[int]:
    return set(acknowledged(api))


def _failed(api: LocalBotApiServer) -> int:
    return sum(1 for attempt in api.webhook.attempts if attempt.status != 200)
