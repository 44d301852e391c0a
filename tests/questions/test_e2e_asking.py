"""Asking end to end: literal markup, non-text messages, edits, withdrawal, anonymity, deep
links, the session card's button, near-duplicates, restarts, hubs, the QR code."""

from __future__ import annotations

import pytest

from bot.links import ask_link
from bot.questions.qr import qr_png
from localapi import LocalBotApiServer
from storage.db import Database
from storage.repos import questions as repo
from tests.harness import BOT_USERNAME, BotHarness

from .e2e_support import Chat, data_with, live_session, number_in
from .support import E2E_MODERATOR as MODERATOR
from .support import questions_in

pytestmark = pytest.mark.e2e

ANN, BEN = 20, 21
MARKUP = "<b>bold</b> & *stars* _under_ [link](http://example.org) <script>x</script> `code`"


@pytest.fixture
def people(api: LocalBotApiServer) -> tuple[Chat, Chat]:
    api.add_user(ANN, "Ann", "en")
    api.add_user(BEN, "Ben", "en")
    return Chat(api, ANN), Chat(api, BEN)


async def test_html_and_markdown_are_shown_literally(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    session_id = await live_session(database)
    ann, ben = people
    ack = await ann.send(f"/ask {MARKUP}")
    assert number_in(ack.text) == 1
    [stored] = await questions_in(database, session_id)
    assert stored.text == MARKUP
    listing = await ben.send("/questions")
    assert MARKUP in (listing.text or "")
    moderator = Chat(api, MODERATOR)
    await moderator.send(f"/moderate {session_id}")
    card = await moderator.send("/next")
    assert MARKUP in (card.text or "")
    formatted = [entity["type"] for entity in card.entities]
    assert "italic" not in formatted and "code" not in formatted  # only our own bold/quote
    assert api.internal_errors == [] and all(r.status == 200 for r in api.requests)


async def test_non_text_messages_get_an_explanation_and_lose_nothing(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    session_id = await live_session(database)
    ann, _ = people
    await ann.send("/ask")
    for send in (
        lambda: api.send_sticker(ANN),
        lambda: api.send_photo(ANN, caption="my question is in the picture"),
        lambda: api.send_voice(ANN),
    ):
        send()
        explanation = await ann.next()
        assert "only pass on text" in (explanation.text or "")
    ack = await ann.send("Typed after all")
    assert number_in(ack.text) == 1
    assert [q.text for q in await questions_in(database, session_id)] == ["Typed after all"]


async def test_edit_and_withdraw_while_waiting(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    session_id = await live_session(database)
    ann, _ = people
    message_id = ann.send_only("/ask Original wording of my question")
    ack = await ann.next()
    api.edit_text(ANN, message_id, "/ask Better wording of my question")
    updated = await ann.next()
    assert "#1 updated" in (updated.text or "")
    [stored] = await questions_in(database, session_id)
    assert stored.text == "Better wording of my question" and stored.edited_at is not None
    await ann.press(ack, data_with(ack, "q:wd:")[0])
    await ann.edited(ack, "withdrawn")
    [stored] = await questions_in(database, session_id)
    assert stored.status == repo.WITHDRAWN
    # A withdrawn question no longer follows edits.
    api.edit_text(ANN, message_id, "/ask Third wording")
    refused = await ann.next()
    assert "can no longer be changed" in (refused.text or "")


async def test_anonymous_toggle_hides_the_name_from_moderators(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    session_id = await live_session(database)
    ann, _ = people
    prompt = await ann.send("/ask")
    assert "Moderators will see your name" in (prompt.text or "")
    await ann.press(prompt, "ask:anon")
    await ann.edited(prompt, "You ask anonymously")
    ack = await ann.send("A sensitive question")
    assert "anonymously" in (ack.text or "")
    moderator = Chat(api, MODERATOR)
    await moderator.send(f"/moderate {session_id}")
    card = await moderator.send("/next")
    assert "From: anonymous" in (card.text or "") and "Ann" not in (card.text or "")
    [stored] = await questions_in(database, session_id)
    assert stored.anonymous and stored.author_id == ANN


async def test_deep_link_and_the_session_cards_button(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    session_id = await live_session(database, title="Deep linked")
    await live_session(database, title="Parallel")
    ann, ben = people
    prompt = await ann.send(f"/start ask_{session_id}")
    assert "Deep linked" in (prompt.text or "")
    ack = await ann.send("Asked through the QR code")
    assert "Deep linked" in (ack.text or "")
    gone = await ann.send("/start ask_999999")
    assert "no longer takes questions" in (gone.text or "")
    # Another feature's session card carries ask:s:<id>; it stays, a prompt comes below.
    card = await ben.send("/help")
    card_text = card.text
    await ben.press(card, f"ask:s:{session_id}", check=False)
    prompt = await ben.next()
    assert "Deep linked" in (prompt.text or "") and card.text == card_text
    await ben.send("Asked from the session card")
    assert [q.text for q in await questions_in(database, session_id)] == [
        "Asked through the QR code",
        "Asked from the session card",
    ]


async def test_the_schedules_session_card_opens_asking(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    """The schedule feature's real card (``/start s_<id>``) carries ``ask:s:<id>``."""
    session_id = await live_session(database, title="Card session")
    ann, _ = people
    card = await ann.send(f"/start s_{session_id}")
    assert f"ask:s:{session_id}" in card.callback_data
    card_text = card.text
    await ann.press(card, f"ask:s:{session_id}")
    prompt = await ann.next()
    assert "Card session" in (prompt.text or "") and card.text == card_text
    ack = await ann.send("Asked from the real card")
    assert number_in(ack.text) == 1
    assert [q.text for q in await questions_in(database, session_id)] == [
        "Asked from the real card"
    ]


async def test_a_similar_question_is_offered_for_a_vote(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    session_id = await live_session(database)
    ann, ben = people
    await ann.send("/ask Как библиотеки используют ИИ?")
    offer = await ben.send("/ask как библиотеки используют ии")
    assert "Как библиотеки используют ИИ?" in (offer.text or "")
    assert offer.callback_data == ["ask:dv", "ask:ds", "ask:x"]
    await ben.press(offer, "ask:dv")
    await ben.edited(offer, "vote for question #1 is counted")
    [only] = await questions_in(database, session_id)
    assert only.votes == 1


async def test_a_restart_between_ask_and_the_text_loses_nothing(
    api: LocalBotApiServer, bot: BotHarness, database: Database, people: tuple[Chat, Chat]
) -> None:
    session_id = await live_session(database)
    ann, _ = people
    await ann.send("/ask")
    await bot.restart()
    ack = await ann.send("Sent after the restart")
    assert number_in(ack.text) == 1
    assert [q.text for q in await questions_in(database, session_id)] == ["Sent after the restart"]


async def test_hub_members_reply_to_the_prompt(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    api.add_group(-700, "Baku library", admins=[70], members=[71])
    admin, member = Chat(api, 70, -700), Chat(api, 71, -700)
    await admin.send("/hub Baku hub, Azerbaijan")
    prompt = await member.send("/ask")
    assert prompt.reply_markup is not None and prompt.reply_markup.get("force_reply")
    ack = await member.send("A question from the hub", reply_to=prompt.message_id)
    assert number_in(ack.text) == 1
    [stored] = await questions_in(database, session_id)
    assert (stored.hub_chat_id, stored.author_id) == (-700, 71)


async def test_moderator_gets_a_qr_code_of_the_asking_link(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    moderator = Chat(api, MODERATOR)
    await moderator.send(f"/moderate {session_id}")
    photo = await moderator.send("/qr")
    link = ask_link(BOT_USERNAME, session_id)
    assert photo.photo is not None and photo.photo.data == qr_png(link)
    assert link in (photo.caption or "")
