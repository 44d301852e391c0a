"""One writer for the inbox: updates stored and handled marks written in shared transactions.

Whoever stores waits for the commit (that is what makes it safe to tell Telegram); handled
marks are written with the next transaction, or ``mark_delay`` after the first of them at the
latest, and nobody waits for them (a lost mark only means the update is handled again after
a crash, and handlers are idempotent). Under load the writes of many requests share one
commit: on SQLite every write transaction takes the one writer's lock the handlers need too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.clock import Clock
from storage.db import Database
from storage.repos import inbox as repo
from storage.repos.inbox import StoredUpdate

log = logging.getLogger(__name__)

StoredListener = Callable[[list[int]], None]


@dataclass(slots=True)
class _Store:
    items: list[StoredUpdate]
    done: asyncio.Future[set[int]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class InboxWriter:
    """Batches inbox writes; ``store`` returns once the rows are committed."""

    def __init__(
        self, database: Database, clock: Clock, *, max_batch: int = 500, mark_delay: float = 0.25
    ) -> None:
        self._database = database
        self._clock = clock
        self._max_batch = max_batch
        self._mark_delay = mark_delay
        self._mark_timer: asyncio.TimerHandle | None = None
        self._stores: list[_Store] = []
        self._done_ids: list[int] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self._failures = 0
        # Told the new ids after each commit (benchmarks measure update -> stored with it).
        self.stored_listeners: list[StoredListener] = []

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self, flush_seconds: float = 5.0) -> None:
        """Write what is queued (for at most ``flush_seconds``), then stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flush(), flush_seconds)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def store(self, items: list[StoredUpdate]) -> set[int]:
        """Store ``items``; the ids that were not in the inbox yet, once committed."""
        if self._task is None:
            raise RuntimeError("the inbox writer is not running")
        request = _Store(items)
        self._stores.append(request)
        self._poke()
        return await request.done

    def mark_done(self, update_id: int) -> None:
        """Record (soon) that an update was handled."""
        self._done_ids.append(update_id)
        self._idle.clear()
        if self._mark_timer is None:
            loop = asyncio.get_running_loop()
            self._mark_timer = loop.call_later(self._mark_delay, self._poke)

    async def flush(self) -> None:
        """Wait until everything queued so far is written (or given up on)."""
        if self._task is not None:
            if self._done_ids:
                self._poke()
            await self._idle.wait()

    def _poke(self) -> None:
        if self._mark_timer is not None:
            self._mark_timer.cancel()
            self._mark_timer = None
        self._idle.clear()
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._stores or self._done_ids:
                await self._write_once()
            self._idle.set()

    async def _write_once(self) -> None:
        stores, self._stores = self._stores[: self._max_batch], self._stores[self._max_batch :]
        done_ids, self._done_ids = self._done_ids, []
        items = [item for request in stores for item in request.items]
        try:
            async with self._database.transaction() as db:
                now = self._clock.now()
                new_ids = await repo.store(db, items, now=now)
                await repo.mark_done(db, done_ids, now=now)
        except Exception as exc:
            self._failures += 1
            log.warning(
                "inbox write failed (%d stored, %d marks): %r", len(items), len(done_ids), exc
            )
            for request in stores:
                if not request.done.done():
                    request.done.set_exception(exc)
            self._done_ids[:0] = done_ids  # the marks wait for the next transaction
            await asyncio.sleep(min(0.05 * 2**self._failures, 2.0))
            return
        self._failures = 0
        committed = sorted(new_ids)
        # One id is new for the first request that carried it only (a webhook retry racing
        # the original must not be handled twice).
        for request in stores:
            mine = {item.update_id for item in request.items} & new_ids
            new_ids -= mine
            if not request.done.done():
                request.done.set_result(mine)
        if committed:
            for listener in self.stored_listeners:
                listener(committed)
