"""Acting as users against the local Bot API server, for the relay's end-to-end tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from localapi import LocalBotApiServer, StoredMessage
from storage.db import Database

from .support import add_session

TIMEOUT = 10.0


async def live_session(database: Database, title: str = "Libraries and AI") -> int:
    """A session that started five minutes ago (the bot runs on the real clock)."""
    return await add_session(database, title=title, start=datetime.now(UTC) - timedelta(minutes=5))


class Chat:
    """One chat seen from a user's side: what they send, what the bot answered since."""

    def __init__(self, api: LocalBotApiServer, user_id: int, chat_id: int | None = None) -> None:
        self.api, self.user_id = api, user_id
        self.chat_id = chat_id if chat_id is not None else user_id
        self._seen = len(api.messages_to(self.chat_id))

    def _group(self) -> int | None:
        return None if self.chat_id == self.user_id else self.chat_id

    async def send(self, text: str, *, reply_to: int | None = None) -> StoredMessage:
        """Send ``text``; return the bot's next new message in this chat."""
        self.send_only(text, reply_to=reply_to)
        return await self.next()

    def send_only(self, text: str, *, reply_to: int | None = None) -> int:
        """Send without waiting (later bot messages count as new); return the message id."""
        self._seen = len(self.api.messages_to(self.chat_id))
        sent = self.api.send_text(self.user_id, text, self._group(), reply_to=reply_to)
        return int(sent["message_id"])

    async def press(self, message: StoredMessage, data: str, *, check: bool = True) -> None:
        """Press a button; the answer is an edit or a new message (see ``edited``/``next``)."""
        self.api.press_button(self.user_id, message.message_id, data, self._group(), check=check)

    async def next(self, predicate: Callable[[StoredMessage], bool] | None = None) -> StoredMessage:
        """The bot's next new message in this chat (matching ``predicate``)."""
        while True:
            messages = await self.api.wait_for_count(self.chat_id, self._seen + 1, TIMEOUT)
            message = messages[self._seen]
            self._seen += 1
            if predicate is None or predicate(message):
                return message

    async def edited(self, message: StoredMessage, contains: str) -> StoredMessage:
        """Wait until the bot edited ``message`` to show ``contains`` (text or a button)."""

        def shows() -> bool:
            labels = [str(button.get("text")) for button in message.buttons]
            return contains in (message.text or "") or contains in labels

        await self.api.wait_until(shows, TIMEOUT)
        return message

    async def alert(self, before: int) -> str:
        """The text of the first callback answer after ``before`` answers were given."""
        await self.api.wait_until(lambda: len(self.api.callback_answers) > before, TIMEOUT)
        return self.api.callback_answers[before].text or ""


def number_in(text: str | None) -> int:
    """The question number an acknowledgement or notice names ("#3" / "№3")."""
    found = re.search(r"[#№](\d+)", text or "")
    assert found, f"no question number in {text!r}"
    return int(found.group(1))


def data_with(message: StoredMessage, prefix: str) -> list[str]:
    return [data for data in message.callback_data if data.startswith(prefix)]
