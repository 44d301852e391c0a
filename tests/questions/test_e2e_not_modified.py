"""A button whose result is the message exactly as it is makes no editMessageText (Telegram
would refuse it: 400 "message is not modified"); a button that changes it still edits."""

from __future__ import annotations

import asyncio

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness

from .e2e_support import Chat, data_with, live_session

pytestmark = pytest.mark.e2e

ASKER, VOTER = 61, 62


async def test_refresh_of_an_unchanged_page_edits_nothing(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    await live_session(database)
    api.add_user(ASKER, "Asa", "en")
    api.add_user(VOTER, "Vic", "en")
    await Chat(api, ASKER).send("/ask What about funding?")
    voter = Chat(api, VOTER)
    page = await voter.send("/questions")
    [refresh] = [data for data in data_with(page, "qp:")]
    edits_before = len(api.requests_for("editMessageText"))
    answers_before = len(api.callback_answers)

    await voter.press(page, refresh)
    await api.wait_until(lambda: len(api.callback_answers) > answers_before, 10.0)
    await asyncio.sleep(0.5)  # the sender would have sent an edit by now
    assert len(api.requests_for("editMessageText")) == edits_before

    # A press that changes the page still edits it (and Telegram accepts it).
    [vote] = data_with(page, "qv:")
    await voter.press(page, vote)
    await voter.edited(page, "✅ 1 · #1")
    edits = api.requests_for("editMessageText")[edits_before:]
    assert edits and all(record.status == 200 for record in edits)
