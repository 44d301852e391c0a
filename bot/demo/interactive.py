"""``--interactive``: the person at the keyboard is one of the remote participants.

Each line typed goes to the bot as that participant's message (as a reply when the bot asked
a question with ForceReply, like a Telegram client does); a number presses that button of
the bot's latest message to them, shown as numbered choices. End of input (Ctrl-D, or the
end of a pipe) just closes the keyboard: the day goes on without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TextIO

from bot.demo.cast import KEYBOARD_KEY
from bot.demo.stage import ActorGaveUp, Stage
from bot.demo.watch import BotWatcher
from localapi import StoredMessage

ANSWER_WAIT = 10.0  # real seconds to let the bot answer before reading the next line


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


class KeyboardParticipant:
    """Turns typed lines into the participant's messages and button presses."""

    def __init__(self, stage: Stage, watcher: BotWatcher, stream: TextIO) -> None:
        self._stage = stage
        self._actor = stage.actor(KEYBOARD_KEY)
        self._stream = stream
        self._latest: StoredMessage | None = None
        watcher.hooks.append(self._on_bot_message)

    def _on_bot_message(self, message: StoredMessage, _edited: bool) -> None:
        if message.chat_id != self._actor.chat_id:
            return
        self._latest = message
        labels = [str(button.get("text", "")) for button in self._pressable(message)]
        if labels:
            self._stage.transcript.choices(labels)

    @staticmethod
    def _pressable(message: StoredMessage) -> list[dict[str, object]]:
        return [button for button in message.buttons if "callback_data" in button]

    async def run(self) -> None:
        """Act on each typed line until the end of input."""
        hint = self._stage.t("demo.interactive.hint", name=self._actor.person.name)
        self._stage.transcript.note(hint)
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
        self._stage.catch_up()  # the bot's latest message is the one shown last
        latest = self._latest
        if text.isdigit() and latest is not None:
            buttons = self._pressable(latest)
            number = int(text)
            if not 1 <= number <= len(buttons):
                missing = self._stage.t("demo.interactive.no_button", number=number)
                self._stage.transcript.note(missing)
                return
            chosen = buttons[number - 1]
            await self._actor.press(latest, lambda button: button is chosen)
        else:
            asks = latest is not None and bool((latest.reply_markup or {}).get("force_reply"))
            await self._actor.say(text, reply_to=latest if asks else None)
        await self._actor.reply(within=ANSWER_WAIT)
