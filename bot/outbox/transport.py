"""The seam between the sender and Telegram: one call per outbox row, domain errors out.

Nothing here imports ``telegram``: services and the sender's tests use this module only, and
``bot.outbox.ptb_transport`` is the one implementation that talks to a real Bot API.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Protocol


class MessageTransport(Protocol):
    """Performs one Bot API call; the payload is plain Telegram JSON (``chat_id`` included)."""

    async def call(self, method: str, payload: dict[str, Any]) -> int | None:
        """Return the Telegram ``message_id`` of the sent or edited message, if there is one.

        Raises one of the ``DeliveryError`` subclasses below; anything else is a bug.
        """
        ...


class DeliveryError(Exception):
    """Base of the errors a transport may raise; ``description`` is safe to log and store."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class RetryLater(DeliveryError):
    """429: the bot hit flood control; nothing may be sent for ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Too Many Requests: retry after {seconds:g}")
        self.seconds = seconds


class ChatUnreachable(DeliveryError):
    """403 (blocked, kicked, user deactivated) or a chat that no longer exists: stop writing."""


class ChatMoved(DeliveryError):
    """The group became a supergroup; resend to ``new_chat_id``."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"group chat was upgraded to a supergroup chat {new_chat_id}")
        self.new_chat_id = new_chat_id


class TransientFailure(DeliveryError):
    """5xx, timeouts and network errors: the same call may succeed later."""


class PermanentFailure(DeliveryError):
    """Any other rejection (400): the call will never succeed as it is."""


# Files travel inside the JSON payload, base64-encoded, so a queued document survives a
# restart and needs no shared disk; exports and QR codes are small (well under 1 MB).
FILE_KEY = "base64"


def attachment(data: bytes, filename: str) -> dict[str, str]:
    """The payload value for a file to upload (``document`` of sendDocument, ``photo``...)."""
    return {FILE_KEY: base64.b64encode(data).decode("ascii"), "filename": filename}


@dataclass(frozen=True, slots=True)
class Attachment:
    """A decoded upload: bytes and the name Telegram shows."""

    data: bytes
    filename: str


def read_attachment(value: Any) -> Attachment | None:
    """The upload in ``value`` if it was made by :func:`attachment`; None for a file_id/URL."""
    if isinstance(value, dict) and FILE_KEY in value:
        return Attachment(base64.b64decode(value[FILE_KEY]), str(value.get("filename") or "file"))
    return None
