"""Telegram's sending limits as the sender keeps them: one global pace, one per chat.

Telegram allows about 30 messages a second per bot, one a second per private chat and 20 a
minute per group or channel; crossing a limit earns a 429 and a pause for the whole bot.
Slots are handed out evenly (no bursts of 30) on a fixed beat, so timer overshoot does not
add up into a slower pace; a slot handed out late moves the beat, so a stalled event loop
cannot release a backlog all at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SendLimits:
    """How fast the sender may go; the defaults sit just under Telegram's limits."""

    per_second: float = 29.5
    # Hard cap on calls Telegram may count in one sliding window (see ``Pacer``).
    per_window: int = 30
    window: float = 1.0
    # Messages sent with ``allow_paid_broadcast`` have a budget of their own (1,000 a second).
    paid_per_second: float = 900.0
    paid_per_window: int = 1000
    private_interval: float = 1.0
    group_interval: float = 3.0
    # Rows held in memory at once (waiting for a slot or on the wire); caps concurrent calls.
    max_in_flight: int = 16
    # Claim from the database once this many places are free (fewer round trips).
    claim_batch: int = 8
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    # Outcomes are written in batches, at the latest after this long.
    record_delay: float = 0.2
    # Look at the table at least this often even if nobody wakes the sender.
    idle_poll: float = 5.0

    @classmethod
    def paid_broadcast(cls) -> SendLimits:
        """For a bot that pays for broadcasts: enough calls in flight to use the paid pace."""
        return cls(max_in_flight=128, claim_batch=32)

    def chat_interval(self, chat_id: int) -> float:
        """Minimum gap between two messages to one chat: private chats have positive ids."""
        return self.private_interval if chat_id > 0 else self.group_interval


def backoff_delay(
    attempt: int, *, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None
) -> float:
    """Seconds to wait before retry number ``attempt``: 1, 2, 4... capped, minus up to 25%.

    The jitter keeps a crowd of failed sends from coming back in step; taking it off (not
    adding it) keeps every wait within the cap.
    """
    step = min(cap, base * 2.0 ** max(0, attempt - 1))
    return step * (rng or random).uniform(0.75, 1.0)


class ChatSchedule:
    """When each chat may get its next message (event-loop seconds); forgets passed times."""

    def __init__(self, limits: SendLimits) -> None:
        self._limits = limits
        self._ready: dict[int, float] = {}

    def ready_at(self, chat_id: int) -> float:
        return self._ready.get(chat_id, 0.0)

    def note_call(self, chat_id: int, finished_at: float) -> None:
        """A call to the chat ended: Telegram has seen it, so the gap starts now."""
        until = finished_at + self._limits.chat_interval(chat_id)
        self._ready[chat_id] = max(until, self._ready.get(chat_id, 0.0))

    def paced(self, now: float) -> dict[int, float]:
        """Chats that must still wait, with their ready times; passed entries are dropped."""
        self._ready = {chat: ready for chat, ready in self._ready.items() if ready > now}
        return dict(self._ready)


class Slot:
    """A granted send; ``release`` it when the call has ended, whatever its outcome."""

    __slots__ = ("ended",)

    def __init__(self) -> None:
        self.ended = math.inf

    def release(self, now: float) -> None:
        self.ended = min(self.ended, now)


class Pacer:
    """Hands out send slots evenly at ``rate`` a second, the most urgent waiter first.

    Two rules, both must allow a slot:

    * the beat: slot k+1 is due one interval after slot k, unless slot k went out more than
      ``slack`` late (a stall), then the beat restarts from that moment: no bursts, and timer
      overshoot does not add up into a slower pace;
    * the window: at most ``per_window`` calls that may fall into any ``window`` seconds on
      the server. A call is counted from its grant until ``window`` after it ended (Telegram
      handled it somewhere in between), so no network jitter can squeeze 31 into a second.

    ``pause`` stops all slots for a while (a 429 is per bot, not per chat).
    """

    def __init__(
        self,
        rate: float,
        *,
        per_window: int = 30,
        window: float = 1.0,
        slack: float | None = None,
    ) -> None:
        if rate <= 0 or per_window < 1:
            raise ValueError("rate and per_window must be positive")
        self._interval = 1.0 / rate
        self._slack = self._interval / 4 if slack is None else slack
        self._per_window = per_window
        self._window = window
        self._recent: list[Slot] = []
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._waiters: list[tuple[int, int, asyncio.Future[Slot]]] = []
        self._order = itertools.count()
        self._released = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None

    @property
    def paused_until(self) -> float:
        return self._paused_until

    async def acquire(self, priority: int) -> Slot:
        """Wait for a slot; lower ``priority`` values are served first."""
        future: asyncio.Future[Slot] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="outbox-pacer")
        return await future

    def release(self, slot: Slot) -> None:
        """The call of ``slot`` has ended: its window can start closing."""
        slot.release(asyncio.get_running_loop().time())
        self._released.set()

    def pause(self, seconds: float) -> None:
        """No slot for ``seconds`` from now (extends, never shortens, a running pause)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)

    async def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            await asyncio.gather(self._dispatcher, return_exceptions=True)
            self._dispatcher = None

    def window_free_at(self, now: float) -> float:
        """When the window rule allows one more call (``inf``: after a running call ends)."""
        cutoff = now - self._window
        self._recent = [slot for slot in self._recent if slot.ended > cutoff]
        excess = len(self._recent) - self._per_window + 1
        if excess <= 0:
            return now
        ended = sorted(slot.ended for slot in self._recent if not math.isinf(slot.ended))
        return ended[excess - 1] + self._window if len(ended) >= excess else math.inf

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiters:
            now = loop.time()
            slot_at = max(self._next_slot, self._paused_until)
            ready = max(slot_at, self.window_free_at(now))
            if ready > now:
                # Re-check on every release (the window may free) and when the time comes
                # (a pause may have grown meanwhile).
                self._released.clear()
                timeout = None if math.isinf(ready) else ready - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._released.wait(), timeout)
                continue
            _, _, future = heapq.heappop(self._waiters)
            if future.done():  # its worker was cancelled
                continue
            slot = Slot()
            self._recent.append(slot)
            future.set_result(slot)
            self._next_slot = max(slot_at + self._interval, now + self._interval - self._slack)
