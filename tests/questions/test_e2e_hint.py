"""A private text outside any flow gets a hint (in the user's language); a conversation the
database remembers is continued by any process, with nothing kept in memory."""

from __future__ import annotations

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness

from .e2e_support import Chat, live_session, number_in
from .support import questions_in

pytestmark = pytest.mark.e2e

ANN, OLGA = 30, 31


async def test_a_stray_message_gets_a_hint_naming_the_open_session(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    api.add_user(ANN, "Ann", "en")
    api.add_user(OLGA, "Olga", "ru")
    ann, olga = Chat(api, ANN), Chat(api, OLGA)
    closed = await ann.send("hello?")
    assert "/help" in (closed.text or "") and "No session is taking questions" in (
        closed.text or ""
    )
    await live_session(database, title="Libraries and AI")
    hint = await ann.send("what can you do")
    assert "/ask" in (hint.text or "") and "Libraries and AI" in (hint.text or "")
    russian = await olga.send("привет")
    assert "Сейчас принимают вопросы" in (russian.text or "")
    assert "Libraries and AI" in (russian.text or "")


async def test_the_awaited_message_is_taken_after_a_restart(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    api.add_user(ANN, "Ann", "en")
    ann = Chat(api, ANN)
    await ann.send("/ask")
    await bot.restart()  # a new process: only the database knows what it waits for
    ack = await ann.send("How do small libraries join?")
    assert number_in(ack.text) == 1
    [stored] = await questions_in(database, session_id)
    assert stored.text == "How do small libraries join?"
