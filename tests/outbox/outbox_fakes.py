"""A scripted in-memory transport (the sender's seam) and small helpers for outbox tests."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.outbox.transport import ChatMoved, ChatUnreachable, TransientFailure
from storage.db import Database
from storage.repos import chats, outbox
from storage.repos.outbox import NewMessage, Priority


@dataclass(frozen=True)
class Call:
    """One call the transport received (sent or not), at event-loop time ``at``."""

    at: float
    method: str
    chat_id: int
    payload: dict[str, Any]


class FakeTransport:
    """Implements ``MessageTransport``; failures are scripted per chat or for a time window."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.calls: list[Call] = []
        self.sent: list[Call] = []
        self.blocked: set[int] = set()
        self.moved: dict[int, int] = {}
        self.scripted: dict[int, list[Exception]] = defaultdict(list)
        self.down_until = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self._next_id = 1
        self._changed = asyncio.Event()

    def fail_next(self, chat_id: int, *errors: Exception) -> None:
        self.scripted[chat_id].extend(errors)

    def outage(self, seconds: float) -> None:
        self.down_until = asyncio.get_running_loop().time() + seconds

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [
            str(call.payload.get("text"))
            for call in self.sent
            if chat_id is None or call.chat_id == chat_id
        ]

    async def call(self, method: str, payload: dict[str, Any]) -> int | None:
        loop = asyncio.get_running_loop()
        chat_id = int(payload["chat_id"])
        call = Call(loop.time(), method, chat_id, dict(payload))
        self.calls.append(call)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self._changed.set()
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            if call.at < self.down_until:
                raise TransientFailure("Bad Gateway (502)")
            if chat_id in self.blocked:
                raise ChatUnreachable("Forbidden: bot was blocked by the user")
            if chat_id in self.moved:
                raise ChatMoved(self.moved[chat_id])
            if self.scripted[chat_id]:
                raise self.scripted[chat_id].pop(0)
        finally:
            self.in_flight -= 1
            self._changed.set()
        self.sent.append(call)
        self._next_id += 1
        return self._next_id

    async def wait_until(self, check: Callable[[], bool], within: float = 10.0) -> None:
        """Wait until ``check()`` holds; it is re-checked whenever a call starts or ends."""
        async with asyncio.timeout(within):
            while not check():
                self._changed.clear()
                await self._changed.wait()

    async def wait_sent(self, count: int, within: float = 10.0) -> None:
        await self.wait_until(lambda: len(self.sent) >= count, within)


def message(
    key: str,
    chat_id: int,
    now: datetime,
    *,
    priority: int = Priority.BULK,
    delay: float = 0.0,
    expires_in: float | None = None,
    kind: str = "test",
) -> NewMessage:
    return NewMessage(
        key=key,
        chat_id=chat_id,
        kind=kind,
        payload={"text": key},
        not_before=now + timedelta(seconds=delay),
        priority=priority,
        expires_at=None if expires_in is None else now + timedelta(seconds=expires_in),
    )


async def enqueue(database: Database, clock: Clock, *messages: NewMessage) -> None:
    async with database.transaction() as db:
        for item in messages:
            await outbox.enqueue(db, item, now=clock.now())


async def add_chats(database: Database, clock: Clock, *chat_ids: int) -> None:
    async with database.transaction() as db:
        for chat_id in chat_ids:
            kind = "private" if chat_id > 0 else "group"
            await chats.remember_chat(db, chat_id=chat_id, type=kind, title=None, now=clock.now())


async def statuses(database: Database) -> dict[str, str]:
    """Idempotency key -> status, for assertions."""
    from sqlalchemy import select

    from storage.models import OutboxMessage

    async with database.transaction() as db:
        rows = await db.execute(select(OutboxMessage.idempotency_key, OutboxMessage.status))
        return {key: status for key, status in rows}


def gaps(calls: list[Call]) -> list[float]:
    return [later.at - earlier.at for earlier, later in itertools.pairwise(calls)]


def most_in_window(calls: list[Call], window: float) -> int:
    """The most calls that fall inside any ``window`` seconds."""
    times = sorted(call.at for call in calls)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
