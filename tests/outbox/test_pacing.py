"""Pacing maths: backoff steps, per-chat gaps, the global pace, priority and pauses."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest

from bot.outbox.pacing import ChatSchedule, Pacer, SendLimits, backoff_delay


@pytest.mark.parametrize(
    ("attempt", "step"), [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, 60.0), (30, 60.0)]
)
def test_backoff_doubles_up_to_the_cap_with_jitter_below_the_step(
    attempt: int, step: float
) -> None:
    rng = random.Random(7)
    delays = [backoff_delay(attempt, rng=rng) for _ in range(200)]
    assert all(0.75 * step <= delay <= step for delay in delays)
    assert max(delays) - min(delays) > 0.1 * step  # really jittered


def test_chat_interval_private_versus_group() -> None:
    limits = SendLimits()
    assert limits.chat_interval(12345) == 1.0
    assert limits.chat_interval(-100123) == 3.0
    assert limits.chat_interval(-1001234567890) == 3.0


def test_chat_schedule_counts_the_gap_from_the_end_of_a_call_and_forgets() -> None:
    schedule = ChatSchedule(SendLimits())
    schedule.note_call(5, finished_at=10.0)
    schedule.note_call(-7, finished_at=10.0)
    assert schedule.ready_at(5) == 11.0
    assert schedule.ready_at(-7) == 13.0
    assert schedule.ready_at(99) == 0.0
    assert schedule.paced(now=12.0) == {-7: 13.0}
    assert schedule.paced(now=13.0) == {}


async def test_pacer_spaces_slots_evenly() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(rate=50.0)
    granted: list[float] = []

    async def take() -> None:
        slot = await pacer.acquire(0)
        granted.append(loop.time())
        pacer.release(slot)

    await asyncio.gather(*(take() for _ in range(20)))
    await pacer.close()
    spacing = [b - a for a, b in itertools.pairwise(granted)]
    assert min(spacing) >= 0.02 * 0.75 - 0.001  # the interval minus the slack, at worst
    assert granted[-1] - granted[0] == pytest.approx(19 * 0.02, abs=0.05)


async def test_pacer_serves_the_most_urgent_waiter_first() -> None:
    pacer = Pacer(rate=20.0)
    order: list[str] = []

    async def take(name: str, priority: int) -> None:
        pacer.release(await pacer.acquire(priority))
        order.append(name)

    bulk = [asyncio.create_task(take(f"bulk{i}", 50)) for i in range(6)]
    await asyncio.sleep(0.01)  # bulk0 got the first slot; the rest wait
    reply = asyncio.create_task(take("reply", 0))
    await asyncio.gather(reply, *bulk)
    await pacer.close()
    assert order[0] == "bulk0"
    assert order[1] == "reply"


async def test_pacer_pause_holds_every_slot() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(rate=100.0)
    await pacer.acquire(0)
    pacer.pause(0.3)
    started = loop.time()
    await pacer.acquire(0)
    assert loop.time() - started >= 0.29
    await pacer.close()


async def test_cancelled_waiter_does_not_take_a_slot() -> None:
    pacer = Pacer(rate=10.0)
    await pacer.acquire(0)
    doomed = asyncio.create_task(pacer.acquire(0))
    await asyncio.sleep(0)
    doomed.cancel()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await pacer.acquire(0)
    assert loop.time() - started <= 0.15  # the next slot went to us, not to the cancelled one
    await pacer.close()


async def test_window_counts_a_call_until_a_window_after_it_ended() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(rate=1000.0, per_window=3, window=0.3)
    slots = [await pacer.acquire(0) for _ in range(3)]  # three at the beat, then full
    waiting = asyncio.create_task(pacer.acquire(0))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # all three still on the wire
    pacer.release(slots[1])
    released = loop.time()
    pacer.release(await waiting)
    assert loop.time() - released >= 0.29  # counted until a window after it ended
    for slot in slots:
        pacer.release(slot)
    await pacer.close()


async def test_a_stall_moves_the_beat_instead_of_bursting() -> None:
    loop = asyncio.get_running_loop()
    pacer = Pacer(rate=100.0)
    pacer.release(await pacer.acquire(0))
    await asyncio.sleep(0.2)  # idle: twenty slots went unused; none may be caught up
    granted = []
    for _ in range(5):
        pacer.release(await pacer.acquire(0))
        granted.append(loop.time())
    spacing = [b - a for a, b in itertools.pairwise(granted)]
    assert min(spacing) >= 0.01 - 0.0025 - 0.001  # interval minus slack
    await pacer.close()
