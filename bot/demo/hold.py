"""Holding the rehearsal's clock while the bot works, so every speed tells the same story.

The bot keeps Telegram's real pace (a message a second per chat): at 1,200 times real time
that second is twenty minutes of the day, enough for a reminder to expire in the outbox.
So the clock stands still while the outbox has messages due and not yet sent; the actors
hold it too while they wait for the bot's answer (``bot.demo.stage``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.clock import ScaledClock
from storage.db import Database
from storage.repos import rehearsal

log = logging.getLogger(__name__)

POLL_SECONDS = 0.02  # how often the outbox is looked at while the clock is held
LONGEST_SECONDS = 15.0  # a stuck message never stops the day for longer than this


class OutboxHold:
    """Holds ``clock`` from each commit that queued a message until nothing due is unsent."""

    def __init__(self, database: Database, clock: ScaledClock) -> None:
        self._database = database
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def attach(self) -> None:
        """Hear every commit that queued a message (as the outbox sender does)."""
        self._database.outbox_wakers.append(self.wake)
        self._clock.held_while_sending = True  # a broadcast need not start early

    def wake(self) -> None:
        """A message was queued: hold the clock until it has left."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._hold_until_sent(), name="demo:outbox-hold"
            )

    async def _hold_until_sent(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LONGEST_SECONDS
        with self._clock.holding():
            while loop.time() < deadline:
                self._again = False
                try:
                    async with self._database.transaction() as db:
                        waiting = await rehearsal.undelivered(db, self._clock.now())
                except Exception:
                    log.exception("demo: could not look at the outbox; the clock goes on")
                    return
                if not waiting and not self._again:
                    return
                await asyncio.sleep(POLL_SECONDS)
            log.warning("demo: the outbox is still sending after %.0fs", LONGEST_SECONDS)

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self._database.outbox_wakers.remove(self.wake)
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
