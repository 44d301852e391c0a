"""The rehearsal's script: what each person does, and when, during the forum day.

Each person acts at a venue-local moment of the bot's clock and reacts to what the bot sent:
they press the buttons the bot offered (found by their callback data or label) and wait for
its answer. People act at the same time, each in their own task, like real participants;
one who gets no answer gives up with a line on the transcript and the others carry on.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from bot.demo.stage import (
    Actor,
    ActorGaveUp,
    Stage,
    both,
    data_starts,
    has_button,
    label_has,
    offers,
)
from localapi import StoredMessage

WORKSHOP = ("Public access",)  # how people spot the IFLA workshop on a button
MAX_CARDS = 8  # the moderator stops after this many question cards
# Cues the people give each other (see Stage.cues).
HUB = "hub registered"
ASKED = "question acknowledged"
ASKERS = 4
VOTED = "voted"
VOTERS = 3

Scene = Callable[[Stage], Awaitable[None]]


async def choose_workshop(actor: Actor, message: StoredMessage) -> StoredMessage:
    """When the bot offers sessions to ask in, press the workshop; else take the message."""
    if not offers(message, data_starts("ask:c:")):
        return message
    return await actor.press_and_wait(message, both(data_starts("ask:c:"), label_has(*WORKSHOP)))


async def vote_for_another(actor: Actor) -> None:
    """/questions (the workshop's, when the bot asks which session), then 👍 on the first
    question that is not the voter's own; nothing to vote for is fine too."""
    listing = await actor.say_and_wait("/questions")
    workshop = both(data_starts("qp:"), label_has(*WORKSHOP))
    vote = both(data_starts("qv:"), label_has("👍"))
    if not offers(listing, data_starts("qv:")) and offers(listing, workshop):  # which session?
        listing = await actor.press_and_wait(listing, workshop, has_button("qv:"))
    if offers(listing, vote):
        await actor.press_and_wait(listing, vote)
    await actor.stage.cues.give(VOTED)


# -- the people --------------------------------------------------------------------------------


async def anna(stage: Stage) -> None:
    """Paris: finds the workshop in /sessions, asks for a reminder on its card, asks before the
    session (the bot offers the sessions open for questions), votes."""
    anna = stage.actor("anna")
    await stage.at(8, 5)
    await anna.say_and_wait("/start")
    await stage.at(8, 10)
    await anna.say_and_wait(f"/settings tz {anna.person.zone}")
    await stage.at(8, 15)
    listing = await anna.say_and_wait("/sessions", has_button("card:"))
    card = await anna.press_and_wait(
        listing, both(data_starts("card:"), label_has(*WORKSHOP)), has_button("sub:add:")
    )
    await anna.press_and_wait(card, data_starts("sub:add:"))
    await stage.at(9, 31)
    offered = await anna.say_and_wait("/ask " + anna.line("demo.line.anna_question"))
    await choose_workshop(anna, offered)
    await stage.cues.give(ASKED)
    await stage.at(10, 12)
    await vote_for_another(anna)


async def olga(stage: Stage) -> None:
    """Novosibirsk: sets her zone with the buttons, asks in two steps before the session, votes,
    then subscribes to the IFLA sessions with the menu."""
    olga = stage.actor("olga")
    await stage.at(8, 6)
    await olga.say_and_wait("/start")
    await stage.at(8, 10)
    overview = await olga.say_and_wait("/settings", has_button("set:tz"))
    zones = await olga.press_and_wait(overview, data_starts("set:tz"), has_button("set:tzask"))
    question = await olga.press_and_wait(zones, data_starts("set:tzask"))
    await olga.say(olga.line("demo.line.olga_zone"), reply_to=question)
    answer = await olga.reply()
    if offers(answer, data_starts("set:tz:")):  # the bot suggests zones for a vague name
        await olga.press_and_wait(answer, data_starts("set:tz:"))
    await stage.at(9, 40)
    offered = await olga.say_and_wait("/ask", has_button("ask:"))
    await choose_workshop(olga, offered)
    await olga.say_and_wait(olga.line("demo.line.olga_question"), has_button("q:"))
    await stage.cues.give(ASKED)
    await stage.at(10, 14)
    await vote_for_another(olga)
    await stage.at(10, 30)
    menu = await olga.say_and_wait("/subscribe", has_button("sub:ifla"))
    await olga.press_and_wait(menu, data_starts("sub:ifla"))


async def olga_hub(stage: Stage) -> None:
    """Olga, administrator of her library's group, registers it as a remote hub."""
    olga = stage.actor("olga", stage.cast.hub)
    await stage.at(8, 9)
    await olga.say_and_wait("/hub " + olga.line("demo.line.olga_hub"))
    await stage.cues.give(HUB)


async def ivan(stage: Stage) -> None:
    """The Novosibirsk hub's reading room asks as a group (once the group is a hub)."""
    ivan = stage.actor("ivan", stage.cast.hub)
    await stage.at(10, 5)
    await stage.cues.wait(HUB, within=stage.reply_timeout)
    await ivan.say_and_wait("/ask " + ivan.line("demo.line.ivan_question"))
    await stage.cues.give(ASKED)


async def beatriz(stage: Stage) -> None:
    """São Paulo: zone and IFLA subscription by command; an off-topic question; a vote."""
    beatriz = stage.actor("beatriz")
    await stage.at(8, 8)
    await beatriz.say_and_wait("/start")
    await stage.at(8, 14)
    await beatriz.say_and_wait(f"/settings tz {beatriz.person.zone}")
    await stage.at(8, 18)
    await beatriz.say_and_wait("/subscribe ifla")
    await stage.at(10, 6)
    await beatriz.say_and_wait("/ask " + beatriz.line("demo.line.beatriz_question"))
    await stage.cues.give(ASKED)
    await stage.at(10, 16)
    await vote_for_another(beatriz)


async def layla(stage: Stage) -> None:
    """The on-site moderator: picks the workshop, pulls the queue in vote order once the
    questions and votes are in, marks answers, writes one to the hub, rejects the off-topic
    question with a reason, exports."""
    layla = stage.actor("layla")
    await stage.at(8, 2)
    await layla.say_and_wait("/start")
    await stage.at(10, 20)
    sessions = await layla.say_and_wait("/moderate", has_button("mod:s:"))
    await layla.press_and_wait(sessions, both(data_starts("mod:s:"), label_has(*WORKSHOP)))
    await stage.at(10, 40)
    await stage.cues.wait(ASKED, ASKERS, within=stage.reply_timeout)
    await stage.cues.wait(VOTED, VOTERS, within=stage.reply_timeout)
    await layla.say_and_wait("/queue")
    card = await layla.say_and_wait("/next", has_button("mq:", "mn:"))
    for _ in range(MAX_CARDS):
        if not any(data.startswith("mq:") for data in card.callback_data):
            break  # "nothing waiting"
        done = await moderate_card(stage, layla, card)
        card = await layla.press_and_wait(done, data_starts("mn:"), has_button("mq:", "mn:"))
    await stage.at(11, 35)
    await layla.say("/export")
    await layla.reply(lambda m: m.document is not None and str(m.document.filename).endswith(".md"))


async def moderate_card(stage: Stage, layla: Actor, card: StoredMessage) -> StoredMessage:
    """Decide on one question card; returns the bot's message that offers the next one."""
    text = card.text or ""
    off_topic = stage.cast.person("beatriz").name in text
    from_hub = "🏛" in text
    if off_topic:
        await layla.press_and_wait(card, data_starts("mq:rej:"), has_button("mq:rejn:"))
        await layla.say(layla.line("demo.line.layla_reason"))
        return await layla.reply(has_button("mn:"))
    if from_hub:
        await layla.press_and_wait(card, data_starts("mq:write:"), has_button("mq:card:"))
        await layla.say(layla.line("demo.line.layla_answer"))
        return await layla.reply(has_button("mn:"))
    return await layla.press_and_wait(card, data_starts("mq:ans:"), has_button("mn:"))


SCENES: tuple[Scene, ...] = (layla, anna, olga, olga_hub, beatriz, ivan)


async def play(stage: Stage, scenes: tuple[Scene, ...] = SCENES) -> None:
    """Run every scene at once; a scene that gets no answer is noted and the rest go on."""

    async def guarded(scene: Scene) -> None:
        try:
            await scene(stage)
        except ActorGaveUp as gave_up:
            reason = stage.t(gave_up.message_id, **gave_up.params)
            stage.gave_up.append(reason)
            stage.transcript.note(reason)

    tasks = [asyncio.create_task(guarded(scene), name=f"demo:{scene.__name__}") for scene in scenes]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
