"""Actors and the watcher against the local Bot API server, with a hand-driven "bot" (plain
HTTP calls) instead of the application: what a scene sees, presses and prints."""

from __future__ import annotations

import io

import pytest

from bot.demo.stage import ActorGaveUp, Stage, data_starts, has_button

from .support import bot_call as _bot


async def test_actor_waits_for_the_bot_presses_its_button_and_the_watcher_prints_it(
    stage: Stage, printed: io.StringIO
) -> None:
    anna = stage.actor("anna")
    await anna.say("/start")
    keyboard = {"inline_keyboard": [[{"text": "🔔 Remind me", "callback_data": "sub:add:7"}]]}
    chat = anna.person.user_id
    await _bot(stage.server, "sendMessage", chat_id=stage.cast.channel.chat_id, text="channel post")
    await _bot(stage.server, "sendMessage", chat_id=chat, text="<b>Card</b>", parse_mode="HTML")
    sent = await _bot(stage.server, "sendMessage", chat_id=chat, text="Pick", reply_markup=keyboard)
    card = await anna.reply(has_button("sub:"))
    assert card.message_id == sent["message_id"]
    await anna.press(card, data_starts("sub:add:"))
    (update,) = [u for u in stage.server.pending_updates if "callback_query" in u]
    query = update["callback_query"]
    assert query["data"] == "sub:add:7" and query["from"]["id"] == chat
    await _bot(stage.server, "answerCallbackQuery", callback_query_id=query["id"], text="Set")
    stage.catch_up()
    assert printed.getvalue().splitlines() == [
        "09:35  Anna (Paris) → bot: /start",
        "09:35  bot → #forum_announce: channel post",
        "09:35  bot → Anna (Paris): Card",
        "09:35  bot → Anna (Paris): Pick",
        "09:35  Anna (Paris) presses [🔔 Remind me]",
        "09:35  bot ⇢ Anna (Paris): (pop-up) Set",
    ]


async def test_actor_gives_up_on_silence_and_on_a_missing_button(stage: Stage) -> None:
    olga = stage.actor("olga")
    await olga.say("/start")
    with pytest.raises(ActorGaveUp):
        await olga.reply()
    await _bot(stage.server, "sendMessage", chat_id=olga.person.user_id, text="no buttons")
    message = await olga.reply()
    with pytest.raises(ActorGaveUp, match="no_button"):
        await olga.press(message, data_starts("sub:"))
    # An earlier message is not taken for the answer to a later action.
    await olga.say("/help")
    with pytest.raises(ActorGaveUp):
        await olga.reply()


async def test_group_actor_speaks_in_the_group(stage: Stage, printed: io.StringIO) -> None:
    ivan = stage.actor("ivan", stage.cast.hub)
    await ivan.say("/ask hello")
    (update,) = stage.server.pending_updates
    assert update["message"]["chat"]["id"] == stage.cast.hub.chat_id
    assert (
        printed.getvalue().strip()
        == "09:35  Ivan (Novosibirsk) @ Novosibirsk library hub → bot: /ask hello"
    )
