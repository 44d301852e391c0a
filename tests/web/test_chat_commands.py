"""The chat side of the web pages, against the real bot: /console under https (the Mini App
button), /wall, /hub people, and ``remotehub run`` when the web port is taken."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness, BotProcess
from tests.questions.e2e_support import Chat, live_session
from tests.questions.support import ADMIN
from tests.questions.support import E2E_MODERATOR as MODERATOR

from .support import web_url

pytestmark = pytest.mark.e2e

HUB_ADMIN, HUB_MEMBER, GROUP = 51, 52, -100600


async def test_wall_command_gives_the_sessions_wall(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    moderator = Chat(api, MODERATOR)
    picker = await moderator.send("/moderate")
    await moderator.press(picker, f"mod:s:{session_id}")
    await moderator.edited(picker, "You moderate")
    reply = await moderator.send("/wall")
    token = await bot.services.questions.walls.token(session_id)
    assert f"{web_url(bot)}/wall/{token}" in (reply.text or "")
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{web_url(bot)}/wall/{token}") as page,
    ):
        assert page.status == 200 and "Libraries and AI" in await page.text()


async def test_console_in_a_group_gives_no_link(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    api.add_group(GROUP, "Moderators", admins=[MODERATOR], members=[])
    reply = await Chat(api, MODERATOR, GROUP).send("/console")
    assert "/signin/" not in (reply.source_text or "")
    assert "private chat" in (reply.text or "")


async def test_hub_people_counts_for_the_session_on_now(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    api.add_user(HUB_ADMIN, "Irina", "en")
    api.add_user(HUB_MEMBER, "Pyotr", "en")
    api.add_group(GROUP, "Novosibirsk library", admins=[HUB_ADMIN], members=[HUB_MEMBER])
    admin, member = Chat(api, HUB_ADMIN, GROUP), Chat(api, HUB_MEMBER, GROUP)
    await admin.send("/hub Novosibirsk hub, Russia")
    refusal = await member.send("/hub people 30")
    assert "administrators" in (refusal.text or "")
    for wrong in ("/hub people", "/hub people many", "/hub people 99999999999999999999"):
        usage = await admin.send(wrong)
        assert "/hub people 25" in (usage.text or ""), wrong
    done = await admin.send("/hub people 25")
    assert "25" in (done.text or "") and "Libraries and AI" in (done.text or "")
    report = await bot.services.questions.exports.report(session_id)
    assert [(hub.label, hub.people) for hub in report.remote.hubs] == [
        ("Novosibirsk hub (Russia)", 25)
    ]


async def test_console_under_https_offers_the_mini_app(
    api: LocalBotApiServer, database: Database
) -> None:
    harness = BotHarness(
        api,
        database.url,
        overrides={
            "admins": [ADMIN],
            "moderators": [MODERATOR],
            "web": {"listen": "127.0.0.1:0", "public_url": "https://qa.example.org"},
        },
    )
    await harness.start()
    try:
        reply = await Chat(api, MODERATOR).send("/console")
        assert "https://qa.example.org/signin/" in (reply.source_text or "")
        buttons = reply.buttons
        assert buttons and buttons[0]["web_app"]["url"].startswith("https://qa.example.org/app")
    finally:
        await harness.stop()


async def test_run_says_in_one_line_when_the_web_port_is_taken(
    local_api: LocalBotApiServer, tmp_path: Path
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        process = BotProcess(
            local_api.root,
            f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            env={"REMOTEHUB_WEB__LISTEN": f"127.0.0.1:{port}"},
        )
        process.start(tmp_path / "run.log")
        code = await process.wait(60)
    finally:
        taken.close()
    output = process.output()
    assert code == 1, output
    assert f"remotehub: config: web.listen: cannot listen on 127.0.0.1:{port}" in output
    assert "Traceback" not in output
