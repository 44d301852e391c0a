"""``--interactive``: the person at the keyboard is one of the remote participants.

Their own conversation is shown whole: each bot message with all its text and a number,
``[N]``, and under it each button on a line of its own, ``N.M``. Each line typed goes to the
bot as that participant's message (as a reply when the bot asked a question with ForceReply,
like a Telegram client does); ``N.M`` presses button M of message N, however many messages
came since, and a bare ``M`` a button of the message shown last (unless that message asks
for an answer: then the number is the answer). End of input (Ctrl-D, or the end of a pipe) just
closes the keyboard: the day goes on without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from typing import Any, TextIO

from bot.demo.cast import KEYBOARD_KEY
from bot.demo.stage import ActorGaveUp, Button, Stage
from bot.demo.watch import BotWatcher, visible_text
from localapi import StoredMessage

ANSWER_WAIT = 10.0  # real seconds to let the bot answer before reading the next line
BUTTON_REFERENCE = re.compile(r"(?:(\d+)\.)?(\d+)")  # "2.1": message 2, button 1; "1": latest


def read_lines(stream: TextIO) -> asyncio.Queue[str | None]:
    """Lines from ``stream`` in a daemon thread (a terminal read cannot be cancelled);
    ``None`` marks the end of input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
        except (OSError, ValueError):
            pass  # the stream was closed under us: same as the end of input
        finally:
            with contextlib.suppress(RuntimeError):  # the demo is over and its loop closed
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="demo-keyboard", daemon=True).start()
    return queue


class NoSuchButton(Exception):
    """A typed reference names no button; ``message_id`` says why, for the terminal."""

    def __init__(self, message_id: str, **params: Any) -> None:
        super().__init__(f"{message_id} {params}")
        self.message_id = message_id
        self.params = params


class KeyboardParticipant:
    """Turns typed lines into the participant's messages and button presses, and shows the
    bot's messages to them in full."""

    def __init__(self, stage: Stage, watcher: BotWatcher, stream: TextIO) -> None:
        self._stage = stage
        self._actor = stage.actor(KEYBOARD_KEY)
        self._stream = stream
        self._messages: list[StoredMessage] = []  # the bot's messages to them; [N] is N - 1
        self._numbers: dict[int, int] = {}  # message id -> N
        self._latest = 0  # N of the message shown last (sent or edited): what "M" refers to
        watcher.printers[self._actor.chat_id] = self._show

    def _show(self, message: StoredMessage, edited: bool) -> None:
        number = self._numbers.get(message.message_id)
        if number is None:
            self._messages.append(message)
            number = self._numbers[message.message_id] = len(self._messages)
        self._latest = number
        buttons: list[tuple[str, str]] = []
        pressable = 0  # links are shown too, but only buttons that call the bot get numbers
        for button in message.buttons:
            if "callback_data" in button:
                pressable += 1
                buttons.append((f"{number}.{pressable})", str(button.get("text", ""))))
            else:
                buttons.append(("🔗", _link_label(button)))
        self._stage.transcript.in_full(
            self._actor.speaker, number, visible_text(message), buttons, edited=edited
        )

    @staticmethod
    def _pressable(message: StoredMessage) -> list[Button]:
        return [button for button in message.buttons if "callback_data" in button]

    async def run(self) -> None:
        """Act on each typed line until the end of input."""
        hint = self._stage.t("demo.interactive.hint", name=self._actor.person.name)
        self._stage.transcript.note(hint, whole=True)
        lines = read_lines(self._stream)
        while (line := await lines.get()) is not None:
            text = line.strip()
            if not text:
                continue
            # The bot may stay silent (a pop-up is all a button gets, say): read on.
            with contextlib.suppress(ActorGaveUp):
                await self._act(text)
        self._stage.transcript.note(self._stage.t("demo.interactive.closed"))

    async def _act(self, text: str) -> None:
        self._stage.catch_up()  # every message shown, so the numbers are the ones on screen
        latest = self._messages[self._latest - 1] if self._latest else None
        asks = latest is not None and bool((latest.reply_markup or {}).get("force_reply"))
        reference = BUTTON_REFERENCE.fullmatch(text)
        if reference is not None and not (asks and reference.group(1) is None):
            try:
                message, chosen = self._button(reference.group(1), int(reference.group(2)))
            except NoSuchButton as wrong:
                refusal = self._stage.t(wrong.message_id, **wrong.params)
                self._stage.transcript.note(refusal, whole=True)
                return
            await self._actor.press(message, lambda button: button is chosen)
        else:
            await self._actor.say(text, reply_to=latest if asks else None)
        await self._actor.reply(within=ANSWER_WAIT)

    def _button(self, message_ref: str | None, number: int) -> tuple[StoredMessage, Button]:
        """The message and button a reference names; ``NoSuchButton`` says what is wrong."""
        if not self._messages:
            raise NoSuchButton("demo.interactive.no_messages")
        last = len(self._messages)
        index = int(message_ref) if message_ref is not None else self._latest
        if not 1 <= index <= last:
            raise NoSuchButton("demo.interactive.no_message", message=index, last=last)
        message = self._messages[index - 1]
        if message.deleted:
            raise NoSuchButton("demo.interactive.deleted", message=index)
        buttons = self._pressable(message)
        if not buttons:
            raise NoSuchButton("demo.interactive.no_buttons", message=index)
        if not 1 <= number <= len(buttons):
            names = ", ".join(f"{index}.{n}" for n in range(1, len(buttons) + 1))
            raise NoSuchButton(
                "demo.interactive.no_button", message=index, button=number, buttons=names
            )
        return message, buttons[number - 1]


def _link_label(button: Button) -> str:
    """A button that opens something instead of calling the bot: its label and address."""
    target = button.get("url") or (button.get("login_url") or button.get("web_app") or {})
    address = target if isinstance(target, str) else target.get("url", "")
    label = str(button.get("text", ""))
    return f"{label} · {address}" if address else label
