"""Acting on the local Bot API server exactly as Telegram users would: typing messages,
replying, pressing the buttons the bot offered, waiting for the bot's answer.

An actor never makes up what the bot said: it reads the server's records (the changelog of
sent and edited messages) and presses only buttons found in the bot's own ``reply_markup``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, ScaledClock
from bot.demo.cast import Cast, Group, Person
from bot.demo.transcript import Speaker, Transcript
from bot.i18n import Translator
from bot.scheduling import real_delay
from localapi import LocalBotApiServer, StoredMessage

Button = dict[str, Any]
MessageTest = Callable[[StoredMessage], bool]
ButtonTest = Callable[[Button], bool]
HELD_LOOK_SECONDS = 0.01  # how often a waiting scene looks at a held clock again


class ActorGaveUp(Exception):
    """The bot did not answer as the scene expected; ``message_id`` says how, for the terminal."""

    def __init__(self, message_id: str, **params: Any) -> None:
        super().__init__(f"{message_id} {params}")
        self.message_id = message_id
        self.params = params


def has_button(*prefixes: str) -> MessageTest:
    """A message with an inline button whose callback data starts with one of ``prefixes``."""
    return lambda message: any(data.startswith(prefixes) for data in message.callback_data)


def data_starts(prefix: str) -> ButtonTest:
    return lambda button: str(button.get("callback_data", "")).startswith(prefix)


def label_has(*words: str) -> ButtonTest:
    """A button whose label contains any of ``words`` (case-insensitive)."""
    folded = [word.casefold() for word in words]
    return lambda button: any(word in str(button.get("text", "")).casefold() for word in folded)


def both(first: ButtonTest, second: ButtonTest) -> ButtonTest:
    return lambda button: first(button) and second(button)


def offers(message: StoredMessage, choose: ButtonTest) -> bool:
    """Whether ``message`` has a button ``choose`` accepts."""
    return any(choose(button) for button in message.buttons)


class Cues:
    """What people wait for from each other ("the hub is registered", "four questions are
    in"), so the story holds at any speed: the per-chat pace is real time, bot time is not."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._changed = asyncio.Condition()

    async def give(self, name: str) -> None:
        async with self._changed:
            self._counts[name] = self._counts.get(name, 0) + 1
            self._changed.notify_all()

    async def wait(self, name: str, count: int = 1, *, within: float) -> bool:
        """Wait until ``name`` was given ``count`` times; False if that took too long."""

        async def reached() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: self._counts.get(name, 0) >= count)

        try:
            await asyncio.wait_for(reached(), within)
        except TimeoutError:
            return False
        return True


class Stage:
    """The world the scenes play in: the server, the bot's clock, the cast and the printer."""

    def __init__(
        self,
        server: LocalBotApiServer,
        clock: Clock,
        day: date,
        zone: ZoneInfo,
        cast: Cast,
        transcript: Transcript,
        translator: Translator,
        terminal_language: str,
        *,
        reply_timeout: float = 15.0,
    ) -> None:
        self.server = server
        self.clock = clock
        self.day = day
        self.zone = zone
        self.cast = cast
        self.transcript = transcript
        self.translator = translator
        self.language = terminal_language
        self.reply_timeout = reply_timeout
        self.query_owner: dict[str, Speaker] = {}
        self.gave_up: list[str] = []
        self.cues = Cues()
        # Prints what the bot sent so far, so a reaction never shows above its cause.
        self.catch_up: Callable[[], None] = lambda: None

    def moment(self, hours: int, minutes: int = 0) -> datetime:
        """A venue-local time on the demo's day."""
        return datetime.combine(self.day, time(hours, minutes), self.zone)

    async def at(self, hours: int, minutes: int = 0) -> None:
        """Wait until the bot's clock shows this venue-local time (at once if it is past).

        The clock may be held meanwhile (the bot is busy), so look again after each sleep.
        """
        moment = self.moment(hours, minutes)
        while True:
            delay = real_delay(self.clock, moment)
            if delay <= 0:
                return
            await asyncio.sleep(max(delay, HELD_LOOK_SECONDS))

    def hold(self) -> None:
        """Stop the bot's clock (someone waits for the bot), if it is the rehearsal's."""
        if isinstance(self.clock, ScaledClock):
            self.clock.hold()

    def release(self) -> None:
        if isinstance(self.clock, ScaledClock):
            self.clock.release()

    def t(self, message_id: str, **params: Any) -> str:
        """A demo text in the terminal's language."""
        return self.translator.t(self.language, message_id, **params)

    def actor(self, key: str, group: Group | None = None) -> Actor:
        return Actor(self, self.cast.person(key), group)


class Actor:
    """One person in one chat (their private chat with the bot, or a group)."""

    def __init__(self, stage: Stage, person: Person, group: Group | None = None) -> None:
        self.stage = stage
        self.person = person
        self.group = group
        self.chat_id = group.chat_id if group is not None else person.user_id
        self.speaker = Speaker(person.label, person.style)
        self.where = Speaker(group.label, group.style) if group is not None else None
        self._cursor = len(stage.server.core.changelog)
        self._holding = False  # this actor holds the clock until the bot answers

    def _wait_for_bot(self) -> None:
        """From a message or a press until its answer, the bot's lag costs no story time."""
        if not self._holding:
            self._holding = True
            self.stage.hold()

    def _answered(self) -> None:
        if self._holding:
            self._holding = False
            self.stage.release()

    def line(self, message_id: str) -> str:
        """This person's scripted words, in the language they write."""
        return self.stage.translator.t(self.person.writes, message_id)

    def _mark(self) -> None:
        self._cursor = len(self.stage.server.core.changelog)

    async def say(self, text: str, *, reply_to: StoredMessage | None = None) -> int:
        """Send a text message (a command or words); returns its message id."""
        self._mark()
        self._wait_for_bot()
        self.stage.catch_up()
        try:
            data = self.stage.server.send_text(
                self.person.user_id,
                text,
                chat_id=self.group.chat_id if self.group is not None else None,
                reply_to=reply_to.message_id if reply_to is not None else None,
            )
        except BaseException:
            self._answered()
            raise
        self.stage.transcript.said(self.speaker, self.where, text)
        return int(data["message_id"])

    async def press(self, message: StoredMessage, choose: ButtonTest) -> str:
        """Press the first button of ``message`` that ``choose`` accepts; returns its label."""
        button = next((b for b in message.buttons if "callback_data" in b and choose(b)), None)
        if button is None:
            labels = [str(b.get("text")) for b in message.buttons]
            raise ActorGaveUp(
                "demo.gave_up.no_button", name=self.person.name, labels=", ".join(labels)
            )
        self._mark()
        self._wait_for_bot()
        self.stage.catch_up()
        try:
            query_id = self.stage.server.press_button(
                self.person.user_id,
                message.message_id,
                str(button["callback_data"]),
                chat_id=self.group.chat_id if self.group is not None else None,
            )
        except BaseException:
            self._answered()
            raise
        self.stage.query_owner[query_id] = self.speaker
        label = str(button.get("text", ""))
        self.stage.transcript.pressed(
            self.speaker, self.where, label, self.stage.t("demo.transcript.presses")
        )
        return label

    async def reply(
        self, test: MessageTest | None = None, *, within: float | None = None
    ) -> StoredMessage:
        """The bot's next message or edit in this chat since this actor last acted."""
        try:
            return await self._next_message(test, within)
        finally:
            self._answered()

    async def _next_message(self, test: MessageTest | None, within: float | None) -> StoredMessage:
        core = self.stage.server.core
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.stage.reply_timeout if within is None else within)
        while True:
            changes = core.changelog
            for index in range(self._cursor, len(changes)):
                message = changes[index]
                if message.chat_id != self.chat_id or message.deleted:
                    continue
                if test is None or test(message):
                    self._cursor = index + 1
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ActorGaveUp("demo.gave_up.silence", name=self.person.name)
            await core.wait_change(min(remaining, 0.25))

    async def press_and_wait(
        self, message: StoredMessage, choose: ButtonTest, test: MessageTest | None = None
    ) -> StoredMessage:
        await self.press(message, choose)
        return await self.reply(test)

    async def say_and_wait(self, text: str, test: MessageTest | None = None) -> StoredMessage:
        await self.say(text)
        return await self.reply(test)
