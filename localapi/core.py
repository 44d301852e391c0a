"""The emulator without HTTP: world state, update queue, limits, faults and what the bot did."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, forbidden, too_many_requests
from .faults import FaultInjector
from .limits import ChatKind, FloodLimiter, RateLimits
from .params import Params
from .state import JSON, Chat, StoredMessage, User, World
from .updates import UpdateQueue
from .webhook import WebhookDelivery


@dataclass(slots=True)
class RequestRecord:
    """One request the bot made: method as called, parameters, server time, HTTP status."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200
    description: str | None = None


@dataclass(slots=True)
class CallbackAnswer:
    """One ``answerCallbackQuery`` call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    time: float


@dataclass(slots=True)
class OpenQuery:
    """A callback query the bot has not answered yet."""

    user_id: int
    chat_id: int
    message_id: int
    data: str


@dataclass(slots=True)
class BotSettings:
    """What the bot stored with the set* methods, readable by tests."""

    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    menu_buttons: dict[int | None, JSON] = field(default_factory=dict)
    webhook: JSON | None = None
    closed: int = 0
    logged_out: int = 0


class Core:
    """State and rules shared by the HTTP methods and the test-side API."""

    def __init__(
        self,
        *,
        token: str,
        bot: User,
        can_join_groups: bool,
        can_read_all_group_messages: bool,
        supports_inline_queries: bool,
        limits: RateLimits | None,
        enforce_limits: bool,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        strict_html: bool,
        first_update_id: int,
    ) -> None:
        self.token = token
        self.clock = clock
        self.world = World(bot, wall_clock)
        self.updates = UpdateQueue(first_update_id)
        self.webhook = WebhookDelivery(self.updates, clock, wall_clock)
        self.limiter = FloodLimiter(limits, clock, enforce=enforce_limits)
        self.faults = FaultInjector(clock)
        self.settings = BotSettings()
        self.can_join_groups = can_join_groups
        self.can_read_all_group_messages = can_read_all_group_messages
        self.supports_inline_queries = supports_inline_queries
        self.strict_html = strict_html
        self.requests: list[RequestRecord] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.open_queries: dict[str, OpenQuery] = {}
        # Every sent, edited or deleted bot message, in order: waiters scan only what is new.
        self.changelog: list[StoredMessage] = []
        self._changed: asyncio.Event | None = None

    # -- change notification ---------------------------------------------------------------

    def notify(self, message: StoredMessage | None = None) -> None:
        """Record a change (a bot message sent or edited) and wake anyone waiting."""
        if message is not None:
            self.changelog.append(message)
        event = self._changed
        if event is not None:
            self._changed = None
            event.set()

    async def wait_change(self, seconds: float) -> None:
        """Wait until the next change, at most ``seconds``."""
        if self._changed is None:
            self._changed = asyncio.Event()
        event = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    # -- rules -----------------------------------------------------------------------------

    def chat(self, ref: int | str) -> Chat:
        """A chat the bot knows, or 400 ``chat not found``; migrated groups answer 400 too."""
        chat = self.world.find_chat(ref)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def writable_chat(self, params: Params) -> Chat:
        """The chat of ``chat_id`` if the bot may post there, else Telegram's 400/403."""
        chat = self.chat(params.chat_id())
        if chat.type == "private":
            user = chat.user
            if user is not None and user.deactivated:
                raise forbidden("user is deactivated")
            if user is not None and user.blocked_bot:
                raise forbidden("bot was blocked by the user")
        elif chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.kind_phrase}")
        elif chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.kind_phrase}")
        elif chat.type == "channel" and chat.bot_status != "administrator":
            raise bad_request("need administrator rights in the channel chat")
        return chat

    def throttle(self, method: str, chat: Chat, *, paid: bool = False) -> None:
        """Apply flood control to a sending method, raising 429 if over a limit."""
        if not self.limiter.counts(method):
            return
        kind: ChatKind = "private" if chat.type == "private" else "group"
        retry_after = self.limiter.acquire(chat.id, kind, paid=paid)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def reply_target(self, chat: Chat, params: Params) -> int | None:
        """The message a send replies to (``reply_parameters`` or ``reply_to_message_id``)."""
        reply = params.get_json("reply_parameters", "can't parse reply parameters JSON object")
        allow_missing = params.get_bool("allow_sending_without_reply")
        target_id: int | None
        if isinstance(reply, dict):
            target_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            other_chat = reply.get("chat_id")
            if other_chat not in (None, chat.id, chat.username and f"@{chat.username}"):
                return None  # replies to other chats are not modelled: sent without a reply
        else:
            target_id = params.get_int("reply_to_message_id")
        if not isinstance(target_id, int) or target_id == 0:
            return None
        target = self.world.messages.get((chat.id, target_id))
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return target_id

    def publish(self, message: StoredMessage) -> JSON:
        """Store a message the bot sent and return its JSON."""
        self.world.store(message)
        data = self.world.message_json(message)
        self.notify(message)
        return data

    def bot_message(self, params: Params) -> tuple[Chat, StoredMessage]:
        """The bot's own, not deleted message named by ``chat_id`` + ``message_id``, to edit."""
        if params.has("inline_message_id") and not params.has("chat_id"):
            raise bad_request("inline messages are not supported by the local Bot API server")
        chat = self.writable_chat(params)
        message_id = params.get_int("message_id", required="message identifier is not specified")
        assert message_id is not None
        message = self.world.messages.get((chat.id, message_id))
        if message is None or message.deleted:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return chat, message
