"""The bot's update queue and ``getUpdates`` long polling, with Telegram's semantics.

* ``offset`` confirms (drops) every update with a smaller ``update_id``; a negative offset
  keeps only the last ``-offset`` updates.
* A long poll returns as soon as an update arrives.
* A new ``getUpdates`` ends a poll that is still waiting with 409 Conflict.
* ``allowed_updates`` is remembered until changed and applies to updates created afterwards;
  by default ``chat_member`` and reaction updates are not delivered.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from itertools import islice
from typing import Any

from .errors import CONFLICT_OTHER_POLL, conflict

DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_UPDATE_TYPE_EXCLUDED = frozenset({"update_id"})


def update_type(update: dict[str, Any]) -> str:
    """The update's kind: ``message``, ``callback_query``, ..."""
    for key in update:
        if key not in _UPDATE_TYPE_EXCLUDED:
            return key
    return ""


class UpdateQueue:
    """Pending updates for the bot and the (single) long poll waiting for them."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._next_id = first_update_id
        self._allowed: frozenset[str] | None = None  # None: Telegram's default set
        self._poll: asyncio.Future[str] | None = None
        self._closed = False
        self.dropped_by_filter = 0
        # Every update the bot received: returned by getUpdates, or answered 2xx by a webhook.
        self.delivered: set[int] = set()
        # Called after each push (the webhook delivery starts its POSTs from it).
        self.on_push: Callable[[], None] | None = None

    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed by an offset."""
        return len(self._pending)

    @property
    def pending(self) -> list[dict[str, Any]]:
        """A copy of the unconfirmed updates."""
        return list(self._pending)

    @property
    def last_update_id(self) -> int:
        """The id the latest update got (0 before the first)."""
        return self._next_id - 1

    def allows(self, kind: str) -> bool:
        """True if updates of ``kind`` are delivered under the current ``allowed_updates``."""
        if self._allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self._allowed

    def set_allowed(self, allowed: list[str] | None) -> None:
        """Apply an ``allowed_updates`` list (an empty list restores the default)."""
        if allowed is None:
            return
        self._allowed = frozenset(allowed) if allowed else None

    def push(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Add an update (``update_id`` assigned here) and wake the long poll."""
        update = {"update_id": self._next_id, **fields}
        self._next_id += 1
        if not self.allows(update_type(update)):
            self.dropped_by_filter += 1
            return update
        self._pending.append(update)
        self._wake("update")
        if self.on_push is not None:
            self.on_push()
        return update

    def remove(self, update_id: int) -> None:
        """Drop one update a webhook acknowledged (they may be answered out of order)."""
        for index, update in enumerate(self._pending):
            if update["update_id"] == update_id:
                del self._pending[index]
                self.delivered.add(update_id)
                return

    def drop_pending(self) -> None:
        """Forget every pending update (``drop_pending_updates``)."""
        self._pending.clear()

    def confirm(self, offset: int | None) -> None:
        """Drop the updates an ``offset`` confirms."""
        if offset is None:
            return
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()

    async def get_updates(
        self, offset: int | None, limit: int, poll_seconds: float
    ) -> list[dict[str, Any]]:
        """Confirm by ``offset``; return up to ``limit`` updates, waiting ``poll_seconds``."""
        self.confirm(offset)
        self._wake("conflict")
        if not self._pending and poll_seconds > 0 and not self._closed:
            poll: asyncio.Future[str] = asyncio.get_running_loop().create_future()
            self._poll = poll
            try:
                reason = await asyncio.wait_for(poll, poll_seconds)
            except TimeoutError:
                reason = "timeout"
            finally:
                if self._poll is poll:
                    self._poll = None
            if reason == "conflict":
                raise conflict(CONFLICT_OTHER_POLL)
        batch = list(islice(self._pending, limit))
        self.delivered.update(update["update_id"] for update in batch)
        return batch

    def close(self) -> None:
        """Release a waiting poll (server shutting down) and stop waiting from now on."""
        self._closed = True
        self._wake("closed")

    def reopen(self) -> None:
        """Allow long polls again after ``close``."""
        self._closed = False

    def _wake(self, reason: str) -> None:
        poll = self._poll
        if poll is not None and not poll.done():
            poll.set_result(reason)
        self._poll = None
