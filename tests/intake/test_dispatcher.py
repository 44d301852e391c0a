"""The dispatcher: one chat's updates strictly in order, different chats side by side, bounded."""

from __future__ import annotations

import asyncio
import random

from bot.intake.dispatcher import ChatOrderedDispatcher
from storage.repos.inbox import StoredUpdate
from tests.harness import eventually


def item(update_id: int, chat: int | None) -> StoredUpdate:
    return StoredUpdate(update_id, chat, {"update_id": update_id})


async def test_one_chat_in_order_chats_concurrently_within_the_bound() -> None:
    rng = random.Random(3)
    handled: dict[int | None, list[int]] = {}
    running_by_chat: dict[int | None, int] = {}
    overlap_in_a_chat = []
    finished: list[int] = []

    async def handle(update: StoredUpdate) -> None:
        running_by_chat[update.chat_key] = running_by_chat.get(update.chat_key, 0) + 1
        if running_by_chat[update.chat_key] > 1:
            overlap_in_a_chat.append(update.update_id)
        await asyncio.sleep(rng.uniform(0, 0.01))
        handled.setdefault(update.chat_key, []).append(update.update_id)
        running_by_chat[update.chat_key] -= 1

    dispatcher = ChatOrderedDispatcher(handle, finished.append, concurrency=8)
    dispatcher.start()
    chats = list(range(20))
    for update_id in range(1, 401):
        dispatcher.submit(item(update_id, rng.choice(chats)))
    assert await dispatcher.join(within=20)
    await dispatcher.stop()
    assert overlap_in_a_chat == []
    for ids in handled.values():
        assert ids == sorted(ids)
    assert sorted(finished) == list(range(1, 401))
    assert dispatcher.most_at_once == 8  # concurrent, and never past the bound


async def test_a_late_arrival_sorts_in_and_a_duplicate_is_ignored() -> None:
    order: list[int] = []
    gate = asyncio.Event()

    async def handle(update: StoredUpdate) -> None:
        if update.update_id == 1:
            await gate.wait()
        order.append(update.update_id)

    dispatcher = ChatOrderedDispatcher(handle, lambda _id: None, concurrency=4)
    dispatcher.start()
    dispatcher.submit(item(1, 7))
    await asyncio.sleep(0.01)  # update 1 is being handled
    dispatcher.submit(item(5, 7))
    dispatcher.submit(item(3, 7))
    dispatcher.submit(item(3, 7))
    gate.set()
    assert await dispatcher.join(within=5)
    await dispatcher.stop()
    assert order == [1, 3, 5]


async def test_a_slow_chat_does_not_hold_up_the_others() -> None:
    slow_started = asyncio.Event()
    release = asyncio.Event()
    done: list[int] = []

    async def handle(update: StoredUpdate) -> None:
        if update.chat_key == 1:
            slow_started.set()
            await release.wait()
        done.append(update.update_id)

    dispatcher = ChatOrderedDispatcher(handle, lambda _id: None, concurrency=2)
    dispatcher.start()
    dispatcher.submit(item(1, 1))
    dispatcher.submit(item(2, 1))  # waits behind update 1: same chat
    for update_id in range(3, 13):
        dispatcher.submit(item(update_id, 2 + update_id % 3))
    dispatcher.submit(item(13, None))  # no chat: stands alone
    await slow_started.wait()
    await eventually(lambda: len(done) == 11)
    assert 2 not in done
    release.set()
    assert await dispatcher.join(within=5)
    await dispatcher.stop()
    assert done[-2:] == [1, 2]


async def test_a_failing_handler_is_logged_and_the_chat_goes_on() -> None:
    done: list[int] = []

    async def handle(update: StoredUpdate) -> None:
        if update.update_id == 1:
            raise RuntimeError("boom")
        done.append(update.update_id)

    finished: list[int] = []
    dispatcher = ChatOrderedDispatcher(handle, finished.append, concurrency=1)
    dispatcher.start()
    dispatcher.submit(item(1, 5))
    dispatcher.submit(item(2, 5))
    assert await dispatcher.join(within=5)
    await dispatcher.stop()
    assert done == [2] and finished == [1, 2]
