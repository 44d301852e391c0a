"""Numbers storage cannot take (0, -1, 2**63, 10**20) in every numeric command argument,
deep link and callback field: each gets a clear answer, none reaches the error handler."""

from __future__ import annotations

import logging

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness

from .e2e_support import Chat, live_session
from .support import ADMIN
from .support import E2E_MODERATOR as MODERATOR

pytestmark = pytest.mark.e2e

BAD = ["0", "-1", str(2**63), str(10**20)]
BAD_NUMBER = {"en": "is not a number I can use here", "ru": "здесь не подходит"}
# (who, command, what the answer says): ``{n}`` is the bad number
COMMANDS = [
    (ADMIN, "/mod add {n}", BAD_NUMBER["ru"]),
    (ADMIN, "/mod remove {n}", BAD_NUMBER["ru"]),
    (ADMIN, "/mod add 42 session {n}", BAD_NUMBER["ru"]),
    (ADMIN, "/mod add 42 event {n}", BAD_NUMBER["ru"]),
    (MODERATOR, "/moderate {n}", BAD_NUMBER["en"]),
    (MODERATOR, "/answer {n} Here is the answer", BAD_NUMBER["en"]),
    (MODERATOR, "/questions {n}", BAD_NUMBER["en"]),
    (MODERATOR, "/start s_{n}", "find that session"),
    (MODERATOR, "/start ask_{n}", ""),
]
CALLBACKS = [
    "card:{n}",
    "sessions:{n}",
    "sub:add:{n}",
    "ics:{n}",
    "ask:s:{n}",
    "ask:c:{n}",
    "q:wd:{n}",
    "q:an:{n}",
    "qp:{n}:0",
    "qp:1:{n}",
    "qv:{n}:0",
    "mod:s:{n}",
    "mn:{n}",
    "mq:ans:{n}",
    "mq:ok:{n}",
    "sub:del:{n}",
    "sub:tracks:{n}",
    "set:lead:{n}",
]
EXPIRED = "This button is no longer valid."


def _no_error_handler(caplog: pytest.LogCaptureFixture) -> None:
    failures = [r for r in caplog.records if r.name == "remotehub.errors"]
    assert failures == []


async def test_commands_and_deep_links(
    api: LocalBotApiServer,
    bot: BotHarness,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    session_id = await live_session(database)
    moderator = Chat(api, MODERATOR)
    await moderator.send(f"/moderate {session_id}")
    unexpected = bot.services.translator.t("en", "errors.unexpected")
    for user, command, expected in COMMANDS:
        chat = Chat(api, user)
        for number in BAD:
            if command.startswith("/mod add 42") and number == "-1":
                continue  # "-1" reads as a word there: the usage line answers
            text = command.format(n=number)
            reply = await chat.send(text)
            assert reply.text and unexpected not in reply.text, text
            assert expected in reply.text, (text, reply.text)
    _no_error_handler(caplog)


async def test_callback_fields(
    api: LocalBotApiServer,
    bot: BotHarness,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await live_session(database)
    chat = Chat(api, MODERATOR)
    message = await chat.send("/help")
    for data in CALLBACKS:
        for number in BAD:
            if number == "0" and data in ("qp:1:{n}", "sub:tracks:{n}"):
                continue  # pages count from 0
            pressed = data.format(n=number)
            before = len(api.callback_answers)
            await chat.press(message, pressed, check=False)
            assert await chat.alert(before) == EXPIRED, pressed
    for junk in ["zz:1", "mq:1", "mq:ans", "mq:ans:1:2", "lang:xx", "q:zz:1", "ask:zz"]:
        before = len(api.callback_answers)
        await chat.press(message, junk, check=False)
        assert await chat.alert(before) == EXPIRED, junk
    _no_error_handler(caplog)
