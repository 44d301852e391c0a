"""Handle updates of different chats side by side and updates of one chat strictly in order.

A fixed number of workers take chats, not updates, from a ready queue: a chat with work is
in that queue at most once and never while a worker holds it, so its updates run one after
another, by ``update_id``. After each update the worker puts the chat back at the end of the
queue, so one busy chat cannot starve the others.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable

from storage.repos.inbox import StoredUpdate

log = logging.getLogger(__name__)

Handle = Callable[[StoredUpdate], Awaitable[None]]
Finished = Callable[[int], None]


def order_key(item: StoredUpdate) -> Hashable:
    """Updates with a chat are ordered within it; one without a chat stands alone."""
    return item.chat_key if item.chat_key is not None else ("update", item.update_id)


class ChatOrderedDispatcher:
    """At most ``concurrency`` updates at once, never two of one chat."""

    def __init__(self, handle: Handle, finished: Finished, *, concurrency: int) -> None:
        self._handle = handle
        self._finished = finished
        self._concurrency = concurrency
        self._queues: dict[Hashable, list[tuple[int, StoredUpdate]]] = {}
        self._ready: asyncio.Queue[Hashable] = asyncio.Queue()
        self._scheduled: set[Hashable] = set()  # in the ready queue or held by a worker
        self._queued_ids: set[int] = set()
        self._workers: list[asyncio.Task[None]] = []
        self._outstanding = 0
        self._changed = asyncio.Event()
        self.running_now = 0
        self.most_at_once = 0

    @property
    def outstanding(self) -> int:
        """Updates submitted and not finished yet."""
        return self._outstanding

    def start(self) -> None:
        if not self._workers:
            self._workers = [
                asyncio.create_task(self._work(), name=f"intake-worker-{n}")
                for n in range(self._concurrency)
            ]

    def submit(self, item: StoredUpdate) -> None:
        """Queue an update behind its chat's earlier ones (a late arrival sorts in by id)."""
        if item.update_id in self._queued_ids:
            return
        self._queued_ids.add(item.update_id)
        key = order_key(item)
        bisect.insort(self._queues.setdefault(key, []), (item.update_id, item), key=_first)
        self._outstanding += 1
        if key not in self._scheduled:
            self._scheduled.add(key)
            self._ready.put_nowait(key)

    async def wait_below(self, limit: int) -> None:
        """Wait until fewer than ``limit`` updates are outstanding (back-pressure)."""
        while self._outstanding >= limit:
            await self._wait_change()

    async def join(self, within: float | None = None) -> bool:
        """Wait until every submitted update is finished; False if ``within`` seconds ran out."""
        try:
            async with asyncio.timeout(within):
                while self._outstanding:
                    await self._wait_change()
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Cancel the workers; unfinished updates stay undone in the inbox for the next start."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    async def _wait_change(self) -> None:
        self._changed.clear()
        await self._changed.wait()

    async def _work(self) -> None:
        while True:
            key = await self._ready.get()
            queue = self._queues[key]
            update_id, item = queue.pop(0)
            self.running_now += 1
            self.most_at_once = max(self.most_at_once, self.running_now)
            try:
                await self._handle(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The handler's own error handling failed: log it, do not retry it forever.
                log.exception("update %s could not be handled", update_id)
            finally:
                self.running_now -= 1
            self._finished(update_id)
            self._queued_ids.discard(update_id)
            self._outstanding -= 1
            if queue:
                self._ready.put_nowait(key)
            else:
                del self._queues[key]
                self._scheduled.discard(key)
            self._changed.set()


def _first(entry: tuple[int, StoredUpdate]) -> int:
    return entry[0]
