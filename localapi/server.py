"""``LocalBotApiServer``: a Telegram Bot API server on loopback for tests, benchmarks, demos.

The bot talks to it over real HTTP exactly as to ``https://api.telegram.org``::

    async with LocalBotApiServer(token="123:ABC") as server:
        bot = telegram.Bot("123:ABC", base_url=server.base_url, base_file_url=server.base_file_url)
        server.add_user(42, "Ada")
        server.send_text(42, "/start")
        reply = await server.wait_for(lambda m: m.chat_id == 42)

Tests drive the world through the methods inherited from ``Simulator`` and read what the bot
did from ``sent``, ``requests``, ``callback_answers`` and ``settings``. Everything runs in
the event loop that started the server; call the test-side methods from that loop.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .core import BotSettings, CallbackAnswer, Core, RequestRecord
from .limits import FloodLimiter, RateLimits
from .simulate import Simulator
from .state import JSON, StoredMessage, User
from .transport import MAX_UPLOAD, HttpFront
from .webhook import WebhookDelivery


class LocalBotApiServer(Simulator):
    """A fake ``api.telegram.org`` on 127.0.0.1 with a Python API for tests."""

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "remotehub_test_bot",
        bot_first_name: str = "RemoteHub Test Bot",
        bot_id: int | None = None,
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = False,
        enforce_limits: bool = True,
        limits: RateLimits | None = None,
        clock: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] | None = None,
        strict_html: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        first_update_id: int = 1,
        log_requests: bool = True,
    ) -> None:
        """Configure the bot identity, the limits and the clocks (nothing runs until start).

        ``clock`` (monotonic seconds) drives the flood limits, outages and record times, so a
        test can move it by hand; ``wall_clock`` gives message ``date`` values.
        """
        prefix = token.split(":", 1)[0]
        bot = User(
            bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1),
            bot_first_name,
            username=bot_username,
            is_bot=True,
        )
        self.core = Core(
            token=token,
            bot=bot,
            can_join_groups=can_join_groups,
            can_read_all_group_messages=can_read_all_group_messages,
            supports_inline_queries=supports_inline_queries,
            limits=limits,
            enforce_limits=enforce_limits,
            clock=clock or time.monotonic,
            wall_clock=wall_clock or time.time,
            strict_html=strict_html,
            first_update_id=first_update_id,
        )
        self._init_simulator()
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self.http = HttpFront(self.core, self, log_requests=log_requests)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on ``host:port`` (0: a free port) and return the root URL."""
        if self._runner is not None:
            return self.root
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/{tail:.*}", self.http.handle)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0,
            handler_cancellation=True,
        )  # fmt: skip
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self._requested_port))
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._port = int(sock.getsockname()[1])
        self._runner = runner
        self.core.updates.reopen()
        return self.root

    async def stop(self) -> None:
        """Release waiting long polls and stop listening."""
        runner, self._runner = self._runner, None
        self.core.updates.close()
        await self.core.webhook.close()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (after ``start``)."""
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)`` / ``Bot(base_file_url=...)``."""
        return f"{self.root}/file/bot"

    @property
    def token(self) -> str:
        """The only token this server accepts."""
        return self.core.token

    @property
    def bot_user(self) -> JSON:
        """The bot's ``User`` JSON."""
        return self.core.world.bot.to_json()

    # -- what the bot did ------------------------------------------------------------------

    @property
    def sent(self) -> list[StoredMessage]:
        """Every message the bot sent, in order (edits update them in place)."""
        return self.core.world.sent

    def messages_to(self, chat_id: int, *, include_deleted: bool = False) -> list[StoredMessage]:
        """The bot's messages in one chat, in order."""
        messages = self.core.world.sent_by_chat.get(chat_id, [])
        return list(messages) if include_deleted else [m for m in messages if not m.deleted]

    def last_message_to(self, chat_id: int) -> StoredMessage | None:
        """The bot's latest message in a chat, if any."""
        messages = self.core.world.sent_by_chat.get(chat_id)
        return messages[-1] if messages else None

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """Any stored message (the bot's or a user's)."""
        return self.core.world.messages.get((chat_id, message_id))

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request the bot made (also refused and failed ones)."""
        return self.core.requests

    def requests_for(self, method: str) -> list[RequestRecord]:
        """Requests to one method (case-insensitive)."""
        key = method.lower()
        return [record for record in self.core.requests if record.method.lower() == key]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """``answerCallbackQuery`` calls, in order."""
        return self.core.callback_answers

    @property
    def settings(self) -> BotSettings:
        """Commands, descriptions, menu buttons and webhook the bot set."""
        return self.core.settings

    @property
    def commands(self) -> dict[tuple[str, str], list[dict[str, str]]]:
        """setMyCommands by ``(scope, language_code)``; scope like ``default``, ``chat:-100``."""
        return self.core.settings.commands

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[str]:
        """Command names set for one scope and language, in order."""
        return [item["command"] for item in self.commands.get((scope, language_code), [])]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates the bot has not confirmed yet."""
        return self.core.updates.pending

    @property
    def delivered_update_ids(self) -> set[int]:
        """Updates the bot received (returned by getUpdates, or answered 2xx by its webhook)."""
        return self.core.updates.delivered

    @property
    def last_update_id(self) -> int:
        """The ``update_id`` of the latest update a simulated user caused."""
        return self.core.updates.last_update_id

    @property
    def webhook(self) -> WebhookDelivery:
        """The webhook delivery: its ``attempts``, last error and retry pauses."""
        return self.core.webhook

    # -- waiting ---------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[StoredMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API reads best with a timeout
        *,
        chat_id: int | None = None,
    ) -> StoredMessage:
        """The first sent message matching (existing ones first, then new or edited ones)."""

        def matches(message: StoredMessage) -> bool:
            if chat_id is not None and message.chat_id != chat_id:
                return False
            return predicate is None or predicate(message)

        for message in self.core.world.sent:
            if matches(message):
                return message
        core = self.core
        cursor = len(core.changelog)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no matching message within {timeout}s; {self._recent()}")
            await core.wait_change(remaining)
            changed = core.changelog
            for message in changed[cursor:]:
                if matches(message):
                    return message
            cursor = len(changed)

    async def wait_for_count(
        self,
        chat_id: int,
        n: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API reads best with a timeout
    ) -> list[StoredMessage]:
        """Wait until the bot has sent ``n`` messages to a chat; returns them all."""
        by_chat = self.core.world.sent_by_chat

        def enough() -> bool:
            return len(by_chat.get(chat_id, ())) >= n

        try:
            await self.wait_until(enough, timeout)
        except TimeoutError:
            have = len(by_chat.get(chat_id, ()))
            raise TimeoutError(
                f"{have} of {n} messages to chat {chat_id} within {timeout}s"
            ) from None
        return list(by_chat[chat_id])

    async def wait_until(
        self,
        condition: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - the test API reads best with a timeout
    ) -> None:
        """Wait until ``condition()`` holds; it is checked after every request the bot makes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            await self.core.wait_change(remaining)

    def _recent(self) -> str:
        last = self.core.world.sent[-5:]
        if not last:
            return "the bot sent nothing"
        shown = "; ".join(
            f"chat {m.chat_id} #{m.message_id}: {(m.text or m.caption or m.method)[:60]!r}"
            for m in last
        )
        return f"last sent: {shown}"

    @property
    def internal_errors(self) -> list[BaseException]:
        """Exceptions the server itself raised while answering (should stay empty)."""
        return self.http.internal_errors

    # -- limits and faults -----------------------------------------------------------------

    @property
    def limiter(self) -> FloodLimiter:
        """The flood limiter (counters: ``throttled_*`` answered, ``violations_*`` if off)."""
        return self.core.limiter

    @property
    def enforce_limits(self) -> bool:
        """Whether over-limit sends answer 429 (otherwise they are only counted)."""
        return self.core.limiter.enforce

    @enforce_limits.setter
    def enforce_limits(self, value: bool) -> None:
        self.core.limiter.enforce = value

    @property
    def limits(self) -> RateLimits:
        """The limit numbers in force."""
        return self.core.limiter.limits

    @limits.setter
    def limits(self, value: RateLimits) -> None:
        self.core.limiter.limits = value

    @property
    def throttled_total(self) -> int:
        """429 answers given by flood control."""
        return self.core.limiter.throttled_total

    @property
    def throttled_by_chat(self) -> dict[int, int]:
        """429 answers per chat."""
        return dict(self.core.limiter.throttled_by_chat)

    def fail_next(
        self,
        n: int = 1,
        status: int = 502,
        method: str | None = None,
        *,
        proxy: bool = False,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``n`` requests (to ``method`` only, if given) with ``status``.

        The body is Telegram-like JSON, or an nginx error page with ``proxy=True``.
        """
        self.core.faults.fail_next(n, status, method, proxy=proxy, retry_after=retry_after)

    def outage(self, seconds: float, status: int = 502, *, proxy: bool = False) -> None:
        """Every request answers ``status`` for ``seconds`` (measured on ``clock``)."""
        self.core.faults.outage(seconds, status, proxy=proxy)

    def end_outage(self) -> None:
        """End an outage early."""
        self.core.faults.end_outage()

    @property
    def latency(self) -> float:
        """Seconds added before answering every request."""
        return self.core.faults.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.core.faults.latency = seconds

    def stats(self) -> dict[str, Any]:
        """Counters for benchmarks: sends, requests, 429s, limit violations, pending updates."""
        limiter = self.core.limiter
        return {
            "sent": len(self.core.world.sent),
            "requests": len(self.core.requests),
            "throttled_total": limiter.throttled_total,
            "violations_total": limiter.violations_total,
            "paid_total": limiter.paid_total,
            "pending_updates": self.core.updates.pending_count,
            "faults_injected": self.core.faults.injected,
        }
