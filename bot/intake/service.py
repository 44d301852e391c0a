"""``Intake``: every update stored in the inbox first, then handled in order per chat.

Polling and the webhook endpoint both call ``accept``; once it returns, the updates are
committed and it is safe to tell Telegram (the next ``getUpdates`` offset, or the 200).
On start the updates stored but never marked handled (the process died) are handled again,
each chat's in order, before anything new. Handled rows are pruned after ``keep``.

When several processes share the database (``leading`` is given), only the leader replays
at its start, and it goes on rescuing, every ``RESCUE_EVERY`` seconds, what another process
stored and left undone for longer than ``ORPHAN_AFTER`` (that process died).

Given an ``IntakeThread``, the inbox writer runs on that thread's loop with a database engine
of its own (and so may the fetcher, through ``run_here``); handling stays on the caller's
loop. ``remotehub run`` does this; a test may leave everything on one loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.clock import Clock
from bot.intake.dispatcher import ChatOrderedDispatcher, Handle
from bot.intake.inbox import InboxWriter
from bot.intake.keys import chat_key
from bot.intake.thread import IntakeThread
from storage.db import Database
from storage.repos import inbox as repo
from storage.repos.inbox import StoredUpdate

log = logging.getLogger(__name__)

# An update replayed this many times without finishing is given up (logged), not retried.
MAX_ATTEMPTS = 3
PRUNE_EVERY = 3600.0
RESCUE_EVERY = 10.0
ORPHAN_AFTER = timedelta(seconds=30)
# How often a fetcher on the intake thread looks again while the handlers are too far behind.
CAPACITY_POLL = 0.05

T = TypeVar("T")


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
        thread: IntakeThread | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._keep = keep
        self.buffer = buffer
        self._thread = thread
        # The writer's engine is used on the intake thread's loop only (connections belong to
        # the loop that opened them); it retries a failed write, so it needs no pre-ping.
        self._writer_database = (
            Database(database.url, pool_size=2, pre_ping=False) if thread else database
        )
        self.writer = InboxWriter(self._writer_database, clock)
        self.dispatcher = ChatOrderedDispatcher(handle, self._finished, concurrency=concurrency)
        self._handling_loop: asyncio.AbstractEventLoop | None = None
        self._leading = leading
        self._open = False
        self._pruner: asyncio.Task[None] | None = None
        self._rescuer: asyncio.Task[None] | None = None

    async def start(self) -> int:
        """Start writing and handling; replay what a previous process left. Returns that count."""
        self._handling_loop = asyncio.get_running_loop()
        if self._thread is not None:
            self._thread.start()
            await self._thread.call(self._start_writer())
        else:
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
        new_ids = await self.run_here(self.writer.store(items))
        fresh = [item for item in items if item.update_id in new_ids]
        handlers_loop = self._handlers_elsewhere()
        if handlers_loop is None:
            self._submit(fresh)
        else:
            handlers_loop.call_soon_threadsafe(self._submit, fresh)
        return new_ids

    async def run_here(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` where the inbox writer runs (the intake thread, if there is one)."""
        if self._thread is None:
            return await coroutine
        return await self._thread.call(coroutine)

    async def wait_capacity(self) -> None:
        """Wait while too many updates are waiting to be handled (the fetcher holds back)."""
        if self._handlers_elsewhere() is None:
            await self.dispatcher.wait_below(self.buffer)
            return
        # The dispatcher's events belong to the other loop: look at its count (an int read
        # across threads) every CAPACITY_POLL seconds instead.
        while self.dispatcher.outstanding >= self.buffer:  # noqa: ASYNC110
            await asyncio.sleep(CAPACITY_POLL)

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
        if self._thread is None:
            await self.writer.stop()
            return
        await self._thread.call(self._stop_writer())
        await self._thread.stop()

    async def _start_writer(self) -> None:
        self.writer.start()

    async def _stop_writer(self) -> None:
        await self.writer.stop()
        await self._writer_database.dispose()

    def _handlers_elsewhere(self) -> asyncio.AbstractEventLoop | None:
        """The handlers' loop, when the caller runs on another (the intake thread's)."""
        loop = self._handling_loop
        return None if loop is None or loop is asyncio.get_running_loop() else loop

    def _submit(self, items: list[StoredUpdate]) -> None:
        for item in items:
            self.dispatcher.submit(item)

    def _finished(self, update_id: int) -> None:
        """A handled update: its mark goes to the writer, on the writer's loop."""
        if self._thread is None:
            self.writer.mark_done(update_id)
        else:
            self._thread.call_soon(self.writer.mark_done, update_id)

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
                    self._finished(row.update_id)
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
