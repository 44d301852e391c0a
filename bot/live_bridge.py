"""Live changes carried between processes that share one PostgreSQL.

With several instances behind a load balancer, a question may arrive through one process
while a moderator's console is connected to another. Each process therefore tells the others
what it published (``NOTIFY remotehub_live, '<origin>:<session id>'``, sent after the commit,
so a listener that renders at once sees the committed rows) and turns what it hears from the
others into changes of its own ``LiveHub``. A change carries no data, as inside one process.

One connection of its own does both. Changes published while a notice is on its way are
sent together, once per session. If the connection drops, the bridge connects again every
``retry_seconds``; since it may have missed notices meanwhile, every session it knows then
counts as changed (a page renders once more, which costs little and is never wrong).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

import asyncpg

from bot.live import LiveHub
from storage.db import asyncpg_dsn

log = logging.getLogger(__name__)

LIVE_CHANNEL = "remotehub_live"
CONNECT_TIMEOUT = 10.0
# With nothing to send, the connection is checked this often (a dead one hears nothing).
KEEPALIVE_SECONDS = 5.0


class LiveBridge:
    """Sends this process's live changes to the others and publishes theirs here."""

    def __init__(
        self,
        database_url: str,
        hub: LiveHub,
        *,
        channel: str = LIVE_CHANNEL,
        retry_seconds: float = 2.0,
    ) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._hub = hub
        self._channel = channel
        self._retry_seconds = retry_seconds
        self._origin = uuid.uuid4().hex[:12]  # this process, so it skips its own notices
        self._pending: set[int] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    async def start(self, *, within: float = CONNECT_TIMEOUT) -> None:
        """Start carrying changes; returns once listening (or after ``within`` seconds, the
        bridge then goes on trying in the background)."""
        if self._task is not None:
            return
        self._hub.outgoing = self._queue
        self._task = asyncio.create_task(self._run(), name="live-bridge")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), within)

    async def stop(self) -> None:
        self._hub.outgoing = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def _queue(self, session_id: int) -> None:
        self._pending.add(session_id)
        self._wake.set()

    async def _run(self) -> None:
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self._dsn,
                    timeout=CONNECT_TIMEOUT,
                    server_settings={"application_name": "remotehub-live"},
                )
                connection.add_termination_listener(lambda _connection: self._wake.set())
                await connection.add_listener(self._channel, self._heard)
                if self._listening.is_set():  # a reconnection: notices may have been missed
                    self._hub.publish_heard_all()
                self._listening.set()
                await self._carry(connection)
            except Exception as exc:  # whatever broke, the bridge must go on: connect again
                log.warning(
                    "live bridge: lost PostgreSQL (%r); again in %.0fs", exc, self._retry_seconds
                )
            finally:
                if connection is not None:
                    connection.terminate()
            await asyncio.sleep(self._retry_seconds)

    async def _carry(self, connection: asyncpg.Connection) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), KEEPALIVE_SECONDS)
            self._wake.clear()
            if connection.is_closed():
                raise OSError("the connection closed")
            sessions, self._pending = self._pending, set()
            if not sessions:
                await connection.fetchval("SELECT 1")
                continue
            payloads = [f"{self._origin}:{session_id}" for session_id in sorted(sessions)]
            try:
                await connection.execute(
                    "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
                    self._channel,
                    payloads,
                )
            except BaseException:
                self._pending |= sessions  # sent with the next connection
                raise

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        origin, _, session = payload.partition(":")
        if origin == self._origin or not session.isdigit():
            return
        self._hub.publish_heard(int(session))
