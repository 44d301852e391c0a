"""Webhook delivery the way Telegram does it.

While a webhook is set, each pending update is POSTed to its URL as JSON with the
``X-Telegram-Bot-Api-Secret-Token`` header; only a 2xx answer removes it from the queue.
Anything else (an error status, a refused connection, a timeout) is retried with a growing
pause, and ``getWebhookInfo`` shows the last error. At most ``max_connections`` requests are in
flight, and never two updates of one chat at once, so each chat's updates arrive in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import aiohttp

from .updates import UpdateQueue

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def delivery_key(update: dict[str, Any]) -> Hashable:
    """The chat (or user) whose updates go one at a time; an update alone if neither."""
    for name, body in update.items():
        if name == "update_id" or not isinstance(body, dict):
            continue
        for holder in (body, body.get("message")):
            if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
                return ("chat", holder["chat"].get("id"))
        for field in ("from", "user"):
            who = body.get(field)
            if isinstance(who, dict):
                return ("chat", who.get("id"))
    return ("update", update.get("update_id"))


@dataclass(slots=True)
class WebhookAttempt:
    """One POST: which update, the HTTP status (0: no answer) and when."""

    update_id: int
    status: int
    time: float


class WebhookDelivery:
    """POSTs pending updates to the webhook until each gets a 2xx."""

    def __init__(
        self,
        updates: UpdateQueue,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        *,
        first_retry: float = 0.05,
        max_retry: float = 2.0,
        request_timeout: float = 10.0,
    ) -> None:
        self._updates = updates
        self._clock = clock
        self._wall_clock = wall_clock
        self.first_retry = first_retry
        self.max_retry = max_retry
        self.request_timeout = request_timeout
        self.url: str | None = None
        self.secret_token: str | None = None
        self.max_connections = 40
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.attempts: list[WebhookAttempt] = []
        self.most_in_flight = 0
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._busy: set[Hashable] = set()
        self._session: aiohttp.ClientSession | None = None
        updates.on_push = self.wake

    @property
    def active(self) -> bool:
        return self.url is not None

    def configure(self, url: str, secret_token: str | None, max_connections: int) -> None:
        """Deliver to ``url`` from now on (a new URL takes over; updates in flight finish)."""
        self.url, self.secret_token = url, secret_token
        self.max_connections = max_connections
        self.last_error_date = self.last_error_message = None
        self.wake()

    async def remove(self) -> None:
        """deleteWebhook: stop delivering; updates not answered stay pending for getUpdates."""
        self.url = None
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        """The server stops."""
        await self.remove()
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def wake(self) -> None:
        """Start deliveries for what is pending, within the limits."""
        if self.url is None:
            return
        for update in self._updates.pending:
            if len(self._in_flight) >= self.max_connections:
                return
            update_id = update["update_id"]
            key = delivery_key(update)
            if update_id in self._in_flight or key in self._busy:
                continue
            self._busy.add(key)
            self._in_flight[update_id] = asyncio.get_running_loop().create_task(
                self._deliver(update, key), name=f"webhook-{update_id}"
            )
            self.most_in_flight = max(self.most_in_flight, len(self._in_flight))

    async def _deliver(self, update: dict[str, Any], key: Hashable) -> None:
        update_id = update["update_id"]
        pause = self.first_retry
        try:
            while self.url is not None:
                status = await self._post(self.url, update)
                self.attempts.append(WebhookAttempt(update_id, status, self._clock()))
                if 200 <= status < 300:
                    self._updates.remove(update_id)
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.max_retry)
        finally:
            self._busy.discard(key)
            self._in_flight.pop(update_id, None)
            if self.url is not None:
                self.wake()

    async def _post(self, url: str, update: dict[str, Any]) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100),
                timeout=aiohttp.ClientTimeout(total=self.request_timeout),
            )
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        body = json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    self._error(
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
                return response.status
        except (aiohttp.ClientError, OSError) as exc:
            self._error(_connection_error(exc))
        except TimeoutError:
            self._error("Read timeout expired")
        return 0

    def _error(self, message: str) -> None:
        self.last_error_date = int(self._wall_clock())
        self.last_error_message = message


def _connection_error(exc: BaseException) -> str:
    cause = exc.os_error if isinstance(exc, aiohttp.ClientConnectorError) else exc
    if isinstance(cause, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(cause, ConnectionResetError | aiohttp.ServerDisconnectedError):
        return "Connection reset by peer"
    return "Failed to connect"
