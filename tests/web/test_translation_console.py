"""The console shows the machine translation under the original, in the viewer's language,
and updates live (SSE) when it arrives; the real bot over HTTP, both databases."""

from __future__ import annotations

import asyncio
import html

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.questions.conftest import StartBot
from tests.questions.e2e_support import Chat, live_session
from tests.questions.support import E2E_MODERATOR as MODERATOR
from tests.translateserver import TranslateServer

from .support import console_link, signed_in_client, web_url

pytestmark = pytest.mark.e2e

BORIS = 11
QUESTION = "Будут ли записи сессии?"
ENGLISH = "Will the session be recorded? <b>yes</b>"


async def test_console_shows_the_translation_live(
    api: LocalBotApiServer,
    database: Database,
    translate_server: TranslateServer,
    start_translating_bot: StartBot,
) -> None:
    translate_server.phrases[(QUESTION, "en")] = ENGLISH
    translate_server.delay = 1.0
    bot = await start_translating_bot(url=translate_server.url, timeout=5)
    session_id = await live_session(database)
    api.add_user(BORIS, "Борис", "ru")
    await Chat(api, BORIS).send(f"/ask {QUESTION}")

    client = await signed_in_client(await console_link(api, MODERATOR))
    base = f"{web_url(bot)}/console/{session_id}"
    try:
        async with client.get(f"{base}?lang=en") as response:
            before = await response.text()
        assert QUESTION in before
        assert "No translation yet" in before and ENGLISH not in before

        async def first_update_with_translation() -> str:
            async with client.get(f"{base}/stream?lang=en") as stream:
                data: list[str] = []
                async for raw in stream.content:
                    line = raw.decode().rstrip("\n")
                    if line.startswith("data: "):
                        data.append(line.removeprefix("data: "))
                    elif not line and data:
                        update = "\n".join(data)
                        if "Machine translation" in update:
                            return update
                        data = []
            raise AssertionError("the stream ended")

        update = await asyncio.wait_for(first_update_with_translation(), 10)
        assert "Machine translation from Russian:" in update
        assert html.escape(ENGLISH, quote=False) in update  # escaped like any user text
        assert "<b>yes</b>" not in update
        assert update.index(QUESTION) < update.index("Machine translation")

        async with client.get(f"{base}?lang=ru") as response:
            russian = await response.text()
        assert '<html lang="ru"' in russian and QUESTION in russian
        assert "Машинный перевод" not in russian  # a Russian reader needs none
        assert 'data-translation="' not in russian
    finally:
        await client.close()


async def test_wall_shows_the_translation_only_when_asked(
    api: LocalBotApiServer,
    database: Database,
    translate_server: TranslateServer,
    start_translating_bot: StartBot,
) -> None:
    translate_server.phrases[(QUESTION, "en")] = "Will the session be recorded?"
    bot = await start_translating_bot(url=translate_server.url, timeout=5)
    session_id = await live_session(database)
    api.add_user(BORIS, "Борис", "ru")
    await Chat(api, BORIS).send(f"/ask {QUESTION}")
    await bot.services.translations.settle()
    question_id = (await bot.services.questions.moderation.queue(session_id)).queued[0].id
    token = await bot.services.questions.walls.token(session_id)
    wall = f"{web_url(bot)}/wall/{token}?lang=en"

    client = await signed_in_client(await console_link(api, MODERATOR))
    base = f"{web_url(bot)}/console/{session_id}"
    try:
        async with client.get(f"{base}?lang=en") as response:
            page = await response.text()
        csrf = page.split('name="csrf-token" content="')[1].split('"')[0]

        async def act(action: str, nonce: str) -> None:
            fields = {"action": action, "csrf": csrf, "nonce": nonce, "question": str(question_id)}
            async with client.post(f"{base}/act?lang=en", data=fields) as response:
                assert (await response.json())["ok"], action

        await act("claim", "n1")
        async with client.get(f"{base}?lang=en") as response:
            held = await response.text()
        assert 'data-action="screen_translated"' in held  # offered: a translation exists

        await act("screen", "n2")  # plain: the original alone
        async with client.get(wall) as response:
            shown = await response.text()
        assert QUESTION in shown and "Will the session be recorded?" not in shown

        await act("screen_translated", "n3")
        async with client.get(wall) as response:
            shown = await response.text()
        assert QUESTION in shown and "Will the session be recorded?" in shown
        assert "Machine translation from Russian:" in shown
        assert shown.index(QUESTION) < shown.index("Will the session be recorded?")
    finally:
        await client.close()
