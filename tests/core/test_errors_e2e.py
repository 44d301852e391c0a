"""An unexpected failure: logged with the update id, a polite answer in the user's language."""

from __future__ import annotations

import logging
import re

import pytest
from telegram import Update
from telegram.ext import CommandHandler

from bot.context import RemoteHubContext
from tests.harness import BotHarness

IVAN, ANNA = 3001, 3002


async def _explode(update: Update, context: RemoteHubContext) -> None:
    raise RuntimeError("database password is hunter2")


async def test_unexpected_error_gets_a_polite_answer_in_russian(
    bot_harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    server = bot_harness.server
    server.add_user(IVAN, "Иван", language_code="ru")
    server.add_user(ANNA, "Anna", language_code="en")
    await bot_harness.start()
    assert bot_harness.application is not None
    bot_harness.application.add_handler(CommandHandler("boom", _explode), group=-5)
    with caplog.at_level(logging.ERROR, logger="remotehub.errors"):
        update = server.send_text(IVAN, "/boom")
        answer = await server.wait_for(chat_id=IVAN)
        english = server.send_text(ANNA, "/boom")
        answer_en = await server.wait_for(chat_id=ANNA)
    assert "что-то пошло не так" in answer.text
    assert "hunter2" not in answer.text and "RuntimeError" not in answer.text
    assert "something went wrong" in answer_en.text
    logged = [record.getMessage() for record in caplog.records]
    assert len(logged) == 2
    assert all(re.fullmatch(r"update \d+ failed: RuntimeError\(.*\)", line) for line in logged)
    assert update["text"] == english["text"] == "/boom"
