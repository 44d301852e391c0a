"""``--interactive`` against the local Bot API server with a hand-driven "bot": the person at
the keyboard reads whole messages, sees every button, and presses buttons of earlier messages
by ``N.M``; a bad reference gets a clear answer."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.demo.interactive import KeyboardParticipant
from localapi import LocalBotApiServer

from .conftest import Scene
from .support import bot_call, bot_request

SESSIONS = [
    f"#{n} {9 + n}:00 Session {n}: libraries, public access and the Internet (hall {n})"
    for n in range(1, 9)
]
LONG_LINE = "A line longer than any terminal: " + "word " * 60
CARD = "\n".join(["Sessions today:", *SESSIONS, "", LONG_LINE.strip()])
OPTIONS = [f"🔔 Remind me of #{n}" for n in range(1, 7)]


def _keyboard(labels: list[str], prefix: str) -> dict[str, Any]:
    buttons = [
        {"text": label, "callback_data": f"{prefix}:{n}"} for n, label in enumerate(labels, 1)
    ]
    return {
        "inline_keyboard": [
            buttons[:3],
            buttons[3:],
            [{"text": "Webcast", "url": "https://x.example/live"}],
        ]
    }


async def _send(server: LocalBotApiServer, **params: Any) -> None:
    """sendMessage at the pace the server allows in one chat (it answers 429 when faster)."""
    while True:
        body = await bot_request(server, "sendMessage", **params)
        if body["ok"]:
            return
        assert body["error_code"] == 429, body
        await asyncio.sleep(body["parameters"]["retry_after"])


async def _answer(server: LocalBotApiServer, update: dict[str, Any]) -> None:
    """The "bot": a card with six buttons, a second card, and a line for each press."""
    if "callback_query" in update:
        query = update["callback_query"]
        await bot_call(server, "answerCallbackQuery", callback_query_id=query["id"])
        chat = query["message"]["chat"]["id"]
        await _send(server, chat_id=chat, text=f"pressed {query['data']}")
        return
    message = update["message"]
    chat, text = message["chat"]["id"], message["text"]
    if text == "/many":
        await _send(server, chat_id=chat, text=CARD, reply_markup=_keyboard(OPTIONS, "opt"))
    elif text == "/more":
        markup = _keyboard(["✅ Yes", "❌ No"], "more")
        await bot_call(
            server, "sendMessage", chat_id=chat, text="Another card", reply_markup=markup
        )


@pytest.fixture
async def answering_bot(local_api: LocalBotApiServer) -> AsyncIterator[None]:
    async def poll() -> None:
        offset = 0
        while True:
            updates = await bot_call(local_api, "getUpdates", offset=offset, timeout=1)
            for update in updates:
                offset = update["update_id"] + 1
                await _answer(local_api, update)

    task = asyncio.create_task(poll())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _type(scene: Scene, printed: io.StringIO, *lines: str) -> list[str]:
    """Type ``lines`` at the keyboard until the end of input; the lines printed."""
    participant = KeyboardParticipant(scene.stage, scene.watcher, io.StringIO("\n".join(lines)))
    await participant.run()
    scene.watcher.catch_up()
    assert scene.stage.transcript.lines == printed.getvalue().splitlines()  # nothing cut
    return scene.stage.transcript.lines


@pytest.mark.usefixtures("answering_bot")
async def test_whole_messages_every_button_and_earlier_buttons_pressable(
    scene: Scene, printed: io.StringIO
) -> None:
    lines = await _type(scene, printed, "/many", "/more", "1", "1.2", "9.1", "1.7", "4", "2.1.1")
    you = "You (keyboard)"
    # The card is shown whole: every line of it, the long one uncut, and all six buttons.
    card = lines.index(f"09:35  bot → {you} [1]: Sessions today:")
    shown = lines[card + 1 : card + 1 + len(SESSIONS) + 2]
    assert shown == [f"       {line}".rstrip() for line in [*SESSIONS, "", LONG_LINE.strip()]]
    buttons = lines[card + len(SESSIONS) + 3 : card + len(SESSIONS) + 10]
    assert buttons == [
        *[f"       ↳ 1.{n}) {label}" for n, label in enumerate(OPTIONS, 1)],
        "       ↳ 🔗 Webcast · https://x.example/live",
    ]
    # A bare number presses a button of the message shown last; N.M one of any message.
    pressed = [line[7:] for line in lines if " presses [" in line]
    assert pressed == [f"{you} presses [✅ Yes]", f"{you} presses [{OPTIONS[1]}]"]
    assert f"09:35  bot → {you} [3]: pressed more:1" in lines
    assert f"09:35  bot → {you} [4]: pressed opt:2" in lines
    notes = [line[7:] for line in lines if line[7:].startswith("· ")][1:-1]
    assert notes == [
        "· There is no message 9 from the bot to you; the latest is [4].",
        "· Message 1 has no button 7; its buttons are 1.1, 1.2, 1.3, 1.4, 1.5, 1.6.",
        "· Message 4 has no buttons to press.",
    ]
    # Anything else is a message to the bot.
    assert f"09:35  {you} → bot: 2.1.1" in lines


async def test_a_number_before_the_bot_wrote_is_refused(scene: Scene, printed: io.StringIO) -> None:
    lines = await _type(scene, printed, "3")
    assert "09:35  · The bot has not written to you yet: there is no button to press." in lines
