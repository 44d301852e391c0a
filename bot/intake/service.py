"""``Intake``: every update stored in the inbox first, then handled in order per chat.

Polling and the webhook endpoint both call ``accept``; once it returns, the updates are
committed and it is safe to tell Telegram (the next ``getUpdates`` offset, or the 200).
On start the updates stored but never marked handled (the process died) are handled again,
each chat's in order, before anything new. Handled rows are pruned after ``keep``.

When several processes share the database (``leading`` is given), only the leader replays
at its start, and it goes on rescuing, every ``RESCUE_EVERY`` seconds, what another process
stored and left undone for longer than ``ORPHAN_AFTER`` (that process died).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.intake.dispatcher import ChatOrderedDispatcher, Handle
from bot.intake.inbox import InboxWriter
from bot.intake.keys import chat_key
from storage.db import Database
from storage.repos import inbox as repo
from storage.repos.inbox import StoredUpdate

log = logging.getLogger(__name__)

# An update replayed this many times without finishing is given up (logged), not retried.
MAX_ATTEMPTS = 3
PRUNE_EVERY = 3600.0
RESCUE_EVERY = 10.0
ORPHAN_AFTER = timedelta(seconds=30)


class IntakeClosed(Exception):
    """The intake is stopping: the update is not taken (Telegram will send it again)."""


class Intake:
    """The inbox writer and the per-chat dispatcher, started and stopped together."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        handle: Handle,
        *,
        concurrency: int = 16,
        keep: timedelta = timedelta(hours=48),
        buffer: int = 2000,
        leading: Callable[[], bool] | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._keep = keep
        self.buffer = buffer
        self.writer = InboxWriter(database, clock)
        self.dispatcher = ChatOrderedDispatcher(
            handle, self.writer.mark_done, concurrency=concurrency
        )
        self._leading = leading
        self._open = False
        self._pruner: asyncio.Task[None] | None = None
        self._rescuer: asyncio.Task[None] | None = None

    async def start(self) -> int:
        """Start writing and handling; replay what a previous process left. Returns that count."""
        self.writer.start()
        self.dispatcher.start()
        replayed = 0
        if self._leading is None or self._leading():
            replayed = await self._replay()
        self._open = True
        self._pruner = asyncio.create_task(self._prune_loop(), name="inbox-pruner")
        if self._leading is not None:
            self._rescuer = asyncio.create_task(self._rescue_loop(), name="inbox-rescuer")
        return replayed

    async def accept(self, payloads: list[dict[str, Any]]) -> set[int]:
        """Store updates durably, then queue the new ones for handling; returns those ids."""
        if not self._open:
            raise IntakeClosed
        items = [
            StoredUpdate(payload["update_id"], chat_key(payload), payload) for payload in payloads
        ]
        new_ids = await self.writer.store(items)
        for item in items:
            if item.update_id in new_ids:
                self.dispatcher.submit(item)
        return new_ids

    async def wait_capacity(self) -> None:
        """Wait while too many updates are waiting to be handled (the fetcher holds back)."""
        await self.dispatcher.wait_below(self.buffer)

    async def stop(self, drain_seconds: float = 10.0) -> None:
        """Take nothing new, finish what is queued (at most ``drain_seconds``), write the marks."""
        self._open = False
        for task in (self._pruner, self._rescuer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._pruner = self._rescuer = None
        if not await self.dispatcher.join(drain_seconds):
            log.warning(
                "stopping with %d updates unhandled; they are handled at the next start",
                self.dispatcher.outstanding,
            )
        await self.dispatcher.stop()
        await self.writer.stop()

    async def prune(self) -> int:
        """Delete handled updates older than ``keep``."""
        async with self._database.transaction() as db:
            return await repo.prune(db, done_before=self._clock.now() - self._keep)

    async def _replay(self, received_before: datetime | None = None) -> int:
        after: int | None = None
        replayed = 0
        while True:
            async with self._database.transaction() as db:
                rows = await repo.undone(
                    db, after=after, limit=1000, received_before=received_before
                )
                await repo.note_attempts(db, [row.update_id for row in rows])
            if not rows:
                return replayed
            for row in rows:
                if row.attempts >= MAX_ATTEMPTS:
                    log.error("update %s failed %d times; giving up", row.update_id, row.attempts)
                    self.writer.mark_done(row.update_id)
                    continue
                self.dispatcher.submit(row)
                replayed += 1
            after = rows[-1].update_id
            if replayed:
                log.info("handling %d updates a previous run stored but did not finish", replayed)

    async def _rescue_loop(self) -> None:
        while True:
            await asyncio.sleep(RESCUE_EVERY)
            if self._leading is None or not self._leading():
                continue
            try:
                rescued = await self._replay(received_before=self._clock.now() - ORPHAN_AFTER)
                if rescued:
                    log.info("handling %d updates another process stored and left", rescued)
            except Exception as exc:
                log.warning("inbox rescue failed: %r", exc)

    async def _prune_loop(self) -> None:
        while True:
            try:
                pruned = await self.prune()
                if pruned:
                    log.info("pruned %d handled updates from the inbox", pruned)
            except Exception as exc:
                log.warning("inbox pruning failed: %r", exc)
            await asyncio.sleep(PRUNE_EVERY)
