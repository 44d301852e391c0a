"""Webhook delivery as Telegram does it: POST with the secret header, retry until a 2xx, at most
``max_connections`` in flight, one chat's updates in order; getUpdates answers 409 meanwhile."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web
from localapi_support import OTHER_USER, USER, call

from localapi import LocalBotApiServer
from tests.harness import eventually

SECRET = "s3cret_token-1"


@dataclass
class Receiver:
    """A webhook endpoint on loopback that records what arrives and answers as told."""

    statuses: list[int] = field(default_factory=list)  # answers to give first, then 200
    delay: float = 0.0
    received: list[tuple[int, str | None]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    url: str = ""
    runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            body: dict[str, Any] = json.loads(await request.read())
            if self.delay:
                await asyncio.sleep(self.delay)
            status = self.statuses.pop(0) if self.statuses else 200
            if status == 200:
                header = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
                self.received.append((body["update_id"], header))
            return web.Response(status=status)
        finally:
            self.in_flight -= 1

    @property
    def ids(self) -> list[int]:
        return [update_id for update_id, _ in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    target.runner = web.AppRunner(app)
    await target.runner.setup()
    site = web.TCPSite(target.runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    target.url = f"http://127.0.0.1:{port}/hook"
    yield target
    await target.runner.cleanup()


async def set_webhook(http: httpx.AsyncClient, url: str, **params: Any) -> dict[str, Any]:
    response = await call(http, "setWebhook", url=url, secret_token=SECRET, **params)
    body: dict[str, Any] = response.json()
    assert body["ok"], body
    return body


async def info(http: httpx.AsyncClient) -> dict[str, Any]:
    result: dict[str, Any] = (await call(http, "getWebhookInfo")).json()["result"]
    return result


async def test_updates_are_posted_with_the_secret_and_polling_conflicts(
    server: LocalBotApiServer, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    server.send_text(USER, "before the webhook")  # pending updates are kept and delivered
    await set_webhook(http, receiver.url, allowed_updates=["message"])
    server.send_text(USER, "hello")
    await eventually(lambda: len(receiver.received) == 2)
    assert receiver.received == [(1, SECRET), (2, SECRET)]
    assert server.pending_updates == [] and server.delivered_update_ids == {1, 2}
    polled = await call(http, "getUpdates")
    assert polled.status_code == 409
    assert "webhook is active" in polled.json()["description"]
    details = await info(http)
    assert details["url"] == receiver.url and details["pending_update_count"] == 0
    assert details["allowed_updates"] == ["message"] and "last_error_date" not in details


async def test_a_failed_post_is_retried_until_a_2xx_and_reported(
    server: LocalBotApiServer, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.statuses = [500, 502, 403]
    await set_webhook(http, receiver.url)
    server.send_text(USER, "one")
    server.send_text(USER, "two")  # same chat: waits until "one" is through
    await eventually(lambda: len(receiver.received) == 2)
    assert receiver.ids == [1, 2]
    statuses = [(a.update_id, a.status) for a in server.webhook.attempts]
    assert statuses == [(1, 500), (1, 502), (1, 403), (1, 200), (2, 200)]
    times = [a.time for a in server.webhook.attempts[:4]]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps == sorted(gaps)  # backing off
    details = await info(http)
    assert details["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert isinstance(details["last_error_date"], int)


async def test_an_unreachable_webhook_keeps_updates_pending(
    server: LocalBotApiServer, http: httpx.AsyncClient
) -> None:
    await set_webhook(http, "http://127.0.0.1:9/nowhere")
    server.send_text(USER, "lost?")
    await eventually(lambda: len(server.webhook.attempts) >= 2)
    details = await info(http)
    assert details["pending_update_count"] == 1
    assert details["last_error_message"] == "Connection refused"
    # deleteWebhook: the update is still there for getUpdates.
    assert (await call(http, "deleteWebhook")).json()["ok"]
    polled = (await call(http, "getUpdates")).json()["result"]
    assert [update["message"]["text"] for update in polled] == ["lost?"]


async def test_at_most_max_connections_in_flight_and_each_chat_in_order(
    server: LocalBotApiServer, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.delay = 0.05
    users = [USER, OTHER_USER, *range(3000, 3010)]
    for user in users[2:]:
        server.add_user(user, f"U{user}")
    await set_webhook(http, receiver.url, max_connections=4)
    for round_ in range(3):
        for user in users:
            server.send_text(user, f"{user}:{round_}")
    await eventually(lambda: len(receiver.received) == 36, timeout=15)
    assert receiver.most_in_flight == 4
    assert server.webhook.most_in_flight == 4
    for user in users:
        mine = [
            a.update_id
            for a in server.webhook.attempts
            if (a.update_id - 1) % 12 == users.index(user)
        ]
        assert mine == sorted(mine)
    assert sorted(receiver.ids) == list(range(1, 37))


async def test_drop_pending_updates_and_bad_settings(
    server: LocalBotApiServer, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    server.send_text(USER, "old")
    await set_webhook(http, receiver.url, drop_pending_updates=True)
    server.send_text(USER, "new")
    await eventually(lambda: len(receiver.received) == 1)
    assert receiver.ids == [2]
    again = await set_webhook(http, receiver.url)
    assert again["description"] == "Webhook is already set"
    too_many = await call(http, "setWebhook", url=receiver.url, max_connections=101)
    assert too_many.status_code == 400
    bad_secret = await call(http, "setWebhook", url=receiver.url, secret_token="no spaces")
    assert bad_secret.status_code == 400
