"""Machine translation on the moderator's card, end to end on both databases: the real bot
against the local Bot API server and a local stand-in of LibreTranslate."""

from __future__ import annotations

import time

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.translateserver import TranslateServer

from .conftest import StartBot
from .e2e_support import Chat, data_with, live_session, number_in
from .support import E2E_MODERATOR as MODERATOR

pytestmark = pytest.mark.e2e

BORIS = 11
QUESTION = "Будут ли записи сессии?"
ENGLISH = "Will the session be recorded?"


async def focus(moderator: Chat, session_id: int) -> None:
    picker = await moderator.send("/moderate")
    await moderator.press(picker, f"mod:s:{session_id}")
    await moderator.edited(picker, "You moderate")


async def test_card_shows_the_machine_translation_beside_the_original(
    api: LocalBotApiServer,
    database: Database,
    translate_server: TranslateServer,
    start_translating_bot: StartBot,
) -> None:
    translate_server.phrases[(QUESTION, "en")] = ENGLISH
    bot = await start_translating_bot(url=translate_server.url, timeout=2)
    session_id = await live_session(database)
    api.add_user(BORIS, "Борис", "ru")
    boris, moderator = Chat(api, BORIS), Chat(api, MODERATOR)

    ack = await boris.send(f"/ask {QUESTION}")
    assert "Принято" in (ack.text or "")
    await bot.services.translations.settle()
    assert [request["target"] for request in translate_server.requests] == ["en"]

    await focus(moderator, session_id)
    card = await moderator.send("/next")
    text = card.text or ""
    assert number_in(text) == 1
    assert QUESTION in text and ENGLISH in text
    assert "Machine translation from Russian" in text
    assert text.index(QUESTION) < text.index(ENGLISH)  # the original first


async def test_card_before_the_translation_and_after_a_timeout(
    api: LocalBotApiServer,
    database: Database,
    translate_server: TranslateServer,
    start_translating_bot: StartBot,
) -> None:
    # Holding the ask up would take the whole timeout; the margin under it is wide enough
    # for a busy CI machine.
    translate_server.delay = 10.0
    bot = await start_translating_bot(url=translate_server.url, timeout=4.0)
    session_id = await live_session(database)
    api.add_user(BORIS, "Борис", "ru")
    boris, moderator = Chat(api, BORIS), Chat(api, MODERATOR)
    await focus(moderator, session_id)

    started = time.monotonic()
    ack = await boris.send(f"/ask {QUESTION}")
    assert "Принято" in (ack.text or "")
    assert time.monotonic() - started < 3.5  # the slow server does not hold the ask up
    card = await moderator.send("/next")
    assert QUESTION in (card.text or "")
    assert "No translation yet" in (card.text or "")
    assert translate_server.answered == 0  # the server was still thinking

    await bot.services.translations.settle()  # the request times out
    await moderator.press(card, data_with(card, "mq:rej:")[0])
    await moderator.edited(card, "reason")
    await moderator.press(card, data_with(card, "mq:card:")[0])
    await moderator.edited(card, "did not answer")
    assert QUESTION in (card.text or "")


async def test_server_error_and_no_setting(
    api: LocalBotApiServer,
    database: Database,
    translate_server: TranslateServer,
    start_translating_bot: StartBot,
) -> None:
    translate_server.status = 500
    bot = await start_translating_bot(url=translate_server.url, timeout=2)
    session_id = await live_session(database)
    api.add_user(BORIS, "Борис", "ru")
    boris, moderator = Chat(api, BORIS), Chat(api, MODERATOR)
    await focus(moderator, session_id)
    await boris.send(f"/ask {QUESTION}")
    await bot.services.translations.settle()
    card = await moderator.send("/next")
    assert QUESTION in (card.text or "")
    assert "translation server failed" in (card.text or "")
    await bot.stop()

    # Without [translate] url the card is as it always was: no line about translation.
    translate_server.requests.clear()
    await start_translating_bot()
    await boris.send("/ask Можно ли задать вопрос голосом?")
    card = await moderator.send("/next")
    assert "Можно ли задать вопрос голосом?" in (card.text or "")
    assert "🌐" not in (card.text or "") and "translation" not in (card.text or "").lower()
    assert translate_server.requests == []
