"""Following what the bot did on the local Bot API server, and printing it as it happens.

The server records every message the bot sent or edited (``core.changelog``) and every
callback answer; the watcher prints each once, in order, naming the chat by the cast.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from bot.demo.cast import Cast
from bot.demo.transcript import Speaker, Transcript
from localapi import LocalBotApiServer, StoredMessage

MessageHook = Callable[[StoredMessage, bool], None]


def visible_text(message: StoredMessage) -> str:
    """What a Telegram client shows of a bot message: text, or a file with its caption."""
    if message.document is not None:
        name = message.document.filename or "file"
        caption = message.caption or ""
        return f"📎 {name}" + (f" · {caption}" if caption else "")
    if message.photo is not None:
        return "🖼 " + (message.caption or "")
    return message.text or message.caption or ""


class BotWatcher:
    """Prints the bot's messages, edits and button answers from the server's records."""

    def __init__(
        self,
        server: LocalBotApiServer,
        cast: Cast,
        transcript: Transcript,
        *,
        query_owner: dict[str, Speaker],
        toast_label: str,
    ) -> None:
        self._server = server
        self._cast = cast
        self._transcript = transcript
        self._query_owner = query_owner
        self._toast_label = toast_label
        self._changes = 0
        self._answers = 0
        self._seen: set[tuple[int, int]] = set()
        self._task: asyncio.Task[None] | None = None
        # Chats whose messages someone else prints (the keyboard's own conversation, in full).
        self.printers: dict[int, MessageHook] = {}

    def speaker_for(self, chat_id: int) -> Speaker:
        party = self._cast.by_chat(chat_id)
        if party is None:
            return Speaker(str(chat_id))
        return Speaker(party.label, party.style)

    def start(self) -> None:
        self._task = asyncio.create_task(self._follow(), name="demo:watch")

    async def stop(self) -> None:
        """Print what is left, then stop following."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.catch_up()

    async def _follow(self) -> None:
        core = self._server.core
        while True:
            await core.wait_change(0.25)
            self.catch_up()

    def catch_up(self) -> None:
        """Print every change the server recorded since the last call."""
        core = self._server.core
        changes = core.changelog
        while self._changes < len(changes):
            message = changes[self._changes]
            self._changes += 1
            self._show(message)
        answers = core.callback_answers
        while self._answers < len(answers):
            answer = answers[self._answers]
            self._answers += 1
            owner = self._query_owner.get(answer.callback_query_id)
            if answer.text and owner is not None:
                arrow = "⚠" if answer.show_alert else "⇢"
                self._transcript.bot_said(
                    owner, f"({self._toast_label}) {answer.text}", arrow=arrow
                )

    def _show(self, message: StoredMessage) -> None:
        if message.deleted:
            return
        key = (message.chat_id, message.message_id)
        edited = key in self._seen
        self._seen.add(key)
        printer = self.printers.get(message.chat_id)
        if printer is not None:
            printer(message, edited)
            return
        self._transcript.bot_said(
            self.speaker_for(message.chat_id), visible_text(message), arrow="✎" if edited else "→"
        )
