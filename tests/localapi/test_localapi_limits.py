"""Flood control: Telegram's 429 answers, deterministic on a manual clock."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import telegram
from localapi_support import GROUP, TOKEN, USER, ManualClock, call, make_bot, retry_seconds
from telegram.error import RetryAfter

from localapi import FloodLimiter, LocalBotApiServer, RateLimits

# PTB warns about its own future timedelta type whenever it touches retry_after.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_burst_to_one_private_chat_is_throttled(
    clocked_server: LocalBotApiServer, clocked_bot: telegram.Bot, clock: ManualClock
) -> None:
    for n in range(3):  # the burst
        await clocked_bot.send_message(USER, f"burst {n}")
    with pytest.raises(RetryAfter) as caught:
        await clocked_bot.send_message(USER, "one too many")
    assert retry_seconds(caught.value) == 1
    clock.advance(1.0)
    await clocked_bot.send_message(USER, "after waiting")
    with pytest.raises(RetryAfter):
        await clocked_bot.send_message(USER, "again too soon")
    assert clocked_server.throttled_total == 2
    assert clocked_server.throttled_by_chat == {USER: 2}
    assert len(clocked_server.sent) == 4


async def test_429_body_is_telegrams(
    clocked_server: LocalBotApiServer, clocked_bot: telegram.Bot
) -> None:
    for _ in range(3):
        await clocked_bot.send_message(USER, "x")
    async with httpx.AsyncClient(base_url=clocked_server.root) as http:
        response = await call(http, "sendMessage", chat_id=USER, text="x")
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_31_messages_in_one_second_to_different_chats(
    clocked_server: LocalBotApiServer, clocked_bot: telegram.Bot, clock: ManualClock
) -> None:
    for user_id in range(2000, 2031):
        clocked_server.add_user(user_id, f"U{user_id}")
    for user_id in range(2000, 2030):
        await clocked_bot.send_message(user_id, "news")
        clock.advance(0.02)
    with pytest.raises(RetryAfter) as caught:
        await clocked_bot.send_message(2030, "the 31st")
    assert retry_seconds(caught.value) == 1
    clock.advance(0.5)  # the first send leaves the 1-second window
    await clocked_bot.send_message(2030, "the 31st, later")
    assert clocked_server.throttled_by_chat == {2030: 1}


async def test_21_messages_in_a_minute_to_a_group(
    clocked_server: LocalBotApiServer, clocked_bot: telegram.Bot, clock: ManualClock
) -> None:
    for n in range(20):
        await clocked_bot.send_message(GROUP, f"update {n}")
        clock.advance(2.0)  # well within every per-second limit
    with pytest.raises(RetryAfter) as caught:
        await clocked_bot.send_message(GROUP, "the 21st")
    assert retry_seconds(caught.value) == 20  # the first send leaves the window at t=60
    clock.advance(20.0)
    await clocked_bot.send_message(GROUP, "the 21st, later")


async def test_edits_count_as_sends(
    clocked_server: LocalBotApiServer, clocked_bot: telegram.Bot
) -> None:
    message = await clocked_bot.send_message(USER, "v0")
    await clocked_bot.edit_message_text("v1", chat_id=USER, message_id=message.message_id)
    await clocked_bot.edit_message_text("v2", chat_id=USER, message_id=message.message_id)
    with pytest.raises(RetryAfter):
        await clocked_bot.edit_message_text("v3", chat_id=USER, message_id=message.message_id)


async def test_limits_switch_off_and_count_violations(
    clocked_server: LocalBotApiServer, clocked_bot: telegram.Bot
) -> None:
    clocked_server.enforce_limits = False
    for n in range(6):
        await clocked_bot.send_message(USER, f"fast {n}")
    assert clocked_server.throttled_total == 0
    assert clocked_server.limiter.violations_total == 3
    assert clocked_server.limiter.violations_by_chat == {USER: 3}
    clocked_server.enforce_limits = True
    with pytest.raises(RetryAfter):
        await clocked_bot.send_message(USER, "now refused")


async def test_limit_numbers_are_configurable(clock: ManualClock) -> None:
    limits = RateLimits(private_burst=1, private_per_second=0.5, group_per_window=2)
    async with LocalBotApiServer(TOKEN, limits=limits, clock=clock) as server:
        server.add_user(USER, "Ada")
        async with make_bot(server) as bot:
            await bot.send_message(USER, "one")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER, "two")
    assert retry_seconds(caught.value) == 2


async def test_real_clock_with_short_windows() -> None:
    """No manual clock: a 0.2 s group window really opens again after 0.2 s."""
    limits = RateLimits(group_per_window=2, group_window=0.2)
    async with LocalBotApiServer(TOKEN, limits=limits) as server:
        server.add_group(GROUP, "Room")
        async with make_bot(server) as bot:
            await bot.send_message(GROUP, "1")
            await bot.send_message(GROUP, "2")
            with pytest.raises(RetryAfter):
                await bot.send_message(GROUP, "3")
            await asyncio.sleep(0.25)
            await bot.send_message(GROUP, "3")


def test_limiter_unit_private_bucket_refills(clock: ManualClock) -> None:
    limiter = FloodLimiter(RateLimits(), clock)
    assert [limiter.acquire(1, "private") for _ in range(4)] == [None, None, None, 1]
    clock.advance(0.5)
    assert limiter.acquire(1, "private") == 1  # half a token: still a second to wait, rounded
    clock.advance(0.5)
    assert limiter.acquire(1, "private") is None
    clock.advance(10)
    assert [limiter.acquire(1, "private") for _ in range(4)] == [None, None, None, 1]


def test_limiter_unit_chats_are_independent(clock: ManualClock) -> None:
    limiter = FloodLimiter(RateLimits(), clock)
    for chat in range(5):
        for _ in range(3):
            assert limiter.acquire(chat, "private") is None
    assert limiter.acquire(0, "private") == 1
    assert limiter.acquire(-5, "group") is None


def test_limiter_unit_global_window_is_sliding(clock: ManualClock) -> None:
    limiter = FloodLimiter(RateLimits(), clock)
    for chat in range(30):
        assert limiter.acquire(chat, "private") is None
        clock.advance(0.01)
    assert limiter.acquire(99, "private") == 1
    clock.advance(0.71)  # now 1.01 s after the first send
    assert limiter.acquire(99, "private") is None
    assert limiter.acquire(100, "private") == 1
    limiter.reset()
    assert limiter.throttled_total == 0
