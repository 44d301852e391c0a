"""Fault injection: failing requests, outages and latency, as PTB experiences them."""

from __future__ import annotations

import time

import httpx
import pytest
import telegram
from localapi_support import USER, ManualClock, call, retry_seconds
from telegram.error import NetworkError, RetryAfter

from localapi import LocalBotApiServer

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_fail_next_502_is_a_network_error(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.fail_next(2, status=502)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "lost")
    await bot.send_message(USER, "delivered")
    assert [m.text for m in server.sent] == ["delivered"]
    assert [r.status for r in server.requests_for("sendMessage")] == [502, 502, 200]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_fail_next_bodies(
    http: httpx.AsyncClient, server: LocalBotApiServer, status: int
) -> None:
    server.fail_next(1, status=status)
    response = await call(http, "getMe")
    assert response.status_code == status
    assert response.json()["ok"] is False and response.json()["error_code"] == status
    server.fail_next(1, status=status, proxy=True)
    response = await call(http, "getMe")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<h1>{status} " in response.text


async def test_proxy_502_is_a_network_error_too(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.fail_next(1, status=502, proxy=True)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "lost")


async def test_fail_next_can_target_one_method(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.fail_next(1, status=500, method="sendDocument")
    await bot.send_message(USER, "text goes through")
    with pytest.raises(NetworkError):
        await bot.send_document(USER, b"data", filename="a.txt")
    await bot.send_document(USER, b"data", filename="a.txt")


async def test_injected_429_carries_retry_after(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.fail_next(1, status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert retry_seconds(caught.value) == 7


async def test_outage_window_on_the_server_clock(clock: ManualClock) -> None:
    async with LocalBotApiServer("1:A", clock=clock) as server:
        server.add_user(USER, "Ada")
        async with telegram.Bot("1:A", base_url=server.base_url) as bot:
            server.outage(30, status=503)
            for _ in range(3):
                with pytest.raises(NetworkError):
                    await bot.send_message(USER, "down")
            clock.advance(29.9)
            with pytest.raises(NetworkError):
                await bot.get_me()
            clock.advance(0.2)
            await bot.send_message(USER, "up again")
            server.outage(60)
            server.end_outage()
            await bot.send_message(USER, "ended early")
    assert server.core.faults.injected == 4


async def test_latency_delays_every_answer(server: LocalBotApiServer, bot: telegram.Bot) -> None:
    server.latency = 0.2
    started = time.monotonic()
    await bot.send_message(USER, "slow")
    assert time.monotonic() - started >= 0.19
    server.latency = 0.0
