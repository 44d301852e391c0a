"""The transport on a real ``telegram.Bot``: outbox payloads in, domain errors out.

Payload values are plain Bot API JSON. The parameters a Bot method requires go as arguments;
everything else (``reply_markup``, ``parse_mode``, ``link_preview_options``...) goes through
``api_kwargs`` untouched, so any keyboard or option the services build reaches Telegram as is.
Files are the base64 dicts of :func:`bot.outbox.transport.attachment`.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.outbox.transport import (
    ChatMoved,
    ChatUnreachable,
    DeliveryError,
    PermanentFailure,
    RetryLater,
    TransientFailure,
    read_attachment,
)


@dataclass(frozen=True, slots=True)
class _Method:
    """How one Bot API method maps onto ``telegram.Bot``."""

    attribute: str
    required: tuple[str, ...]
    file: str | None = None


_METHODS = {
    "sendMessage": _Method("send_message", ("chat_id", "text")),
    "editMessageText": _Method("edit_message_text", ("text",)),
    "editMessageReplyMarkup": _Method("edit_message_reply_markup", ()),
    "sendDocument": _Method("send_document", ("chat_id", "document"), file="document"),
    "sendPhoto": _Method("send_photo", ("chat_id", "photo"), file="photo"),
    "deleteMessage": _Method("delete_message", ("chat_id", "message_id")),
}

# Bad Requests that mean the wanted state is already there: nothing left to do.
_ALREADY_DONE = ("message is not modified", "message to delete not found")
# Bad Requests that mean the chat is gone for good, like a 403.
_CHAT_GONE = ("chat not found", "group chat was deactivated", "peer_id_invalid")


def supported_methods() -> frozenset[str]:
    """The Bot API methods an outbox row may use."""
    return frozenset(_METHODS)


def _retry_seconds(exc: RetryAfter) -> float:
    """``retry_after`` in seconds, whatever PTB_TIMEDELTA says (and without its warning)."""
    with warnings.catch_warnings():  # synchronous block: safe under asyncio
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class PtbTransport:
    """A :class:`~bot.outbox.transport.MessageTransport` backed by python-telegram-bot."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def call(self, method: str, payload: dict[str, Any]) -> int | None:
        spec = _METHODS.get(method)
        if spec is None:
            raise PermanentFailure(f"unsupported outbox method {method!r}")
        arguments, extra = self._split(spec, payload)
        bound: Callable[..., Awaitable[Any]] = getattr(self._bot, spec.attribute)
        try:
            result = await bound(**arguments, api_kwargs=extra or None)
        except TelegramError as exc:
            error = self._translate(exc)
            if error is None:
                return None
            raise error from exc
        return result.message_id if isinstance(result, Message) else None

    @staticmethod
    def _split(spec: _Method, payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        missing = [name for name in spec.required if name not in payload]
        if missing:
            raise PermanentFailure(f"payload lacks {', '.join(missing)}")
        arguments = {name: payload[name] for name in spec.required}
        extra = {key: value for key, value in payload.items() if key not in arguments}
        if spec.file is not None:
            upload = read_attachment(payload[spec.file])
            if upload is not None:
                arguments[spec.file] = upload.data
                arguments["filename"] = upload.filename
                extra.pop("filename", None)
        return arguments, extra

    def _translate(self, exc: TelegramError) -> DeliveryError | None:
        """The domain error for ``exc``, or None when the call counts as done."""
        description = self._scrub(exc.message)
        if isinstance(exc, RetryAfter):
            return RetryLater(_retry_seconds(exc))
        if isinstance(exc, ChatMigrated):
            return ChatMoved(int(exc.new_chat_id))
        if isinstance(exc, Forbidden):
            return ChatUnreachable(description)
        if isinstance(exc, BadRequest):  # before NetworkError: BadRequest subclasses it
            lowered = description.lower()
            if any(marker in lowered for marker in _ALREADY_DONE):
                return None
            if any(marker in lowered for marker in _CHAT_GONE):
                return ChatUnreachable(description)
            return PermanentFailure(description)
        if isinstance(exc, NetworkError | InvalidToken):
            # Timeouts, 5xx, connection errors; a revoked token too: keep the queue, retry.
            return TransientFailure(description)
        # Unparseable answers and other surprises from the API are not worth losing a message.
        return TransientFailure(description)

    def _scrub(self, text: str) -> str:
        """Error texts end up in logs and in the database: never with the token."""
        token = self._bot.token
        return text.replace(token, "<token>") if token else text
