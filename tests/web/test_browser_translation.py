"""Machine translation in Chromium: the console shows it under the original when it lands
(no reload), the moderator puts the question on the wall with it; real bot, SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.questions.conftest import StartBot
from tests.questions.e2e_support import Chat, live_session
from tests.translateserver import TranslateServer

from .browser import browser, errors_of, serious_violations
from .support import web_url
from .test_browser_e2e import TIMEOUT, open_console

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
__all__ = ["browser"]

BORIS = 42
QUESTION = "Будут ли записи сессии?"
ENGLISH = "Will the session be recorded?"


@pytest.fixture
async def database(sqlite_database: Database) -> AsyncIterator[Database]:
    yield sqlite_database


async def test_console_shows_the_translation_live_and_puts_it_on_the_wall(
    api: LocalBotApiServer,
    database: Database,
    browser: Any,
    translate_server: TranslateServer,
    start_translating_bot: StartBot,
) -> None:
    translate_server.phrases[(QUESTION, "en")] = ENGLISH
    translate_server.delay = 1.5
    bot = await start_translating_bot(url=translate_server.url, timeout=5)
    session_id = await live_session(database)
    page = await open_console(browser, api, bypass_csp=True)  # for axe-core
    errors = errors_of(page)

    api.add_user(BORIS, "Борис", "ru")
    await Chat(api, BORIS).send(f"/ask {QUESTION}")
    await page.wait_for_selector(f"#queue >> text={QUESTION}", timeout=TIMEOUT)
    # First the original alone, saying the translation is on its way; then it lands.
    missing = page.locator("#queue .q-translation[data-translation=missing]")
    assert "No translation yet" in await missing.inner_text(timeout=TIMEOUT)
    shown = page.locator("#queue .q-translation[data-translation=shown]")
    await shown.wait_for(timeout=TIMEOUT)
    text = await shown.inner_text()
    assert "Machine translation from Russian:" in text and ENGLISH in text
    assert await page.evaluate("() => window.notReloaded") is True
    assert await serious_violations(page) == []

    # Held, and put on the wall with the translation beside it.
    await page.keyboard.press("n")
    await page.wait_for_selector(".mine [data-action=screen_translated]", timeout=TIMEOUT)
    await page.click(".mine [data-action=screen_translated]")
    token = await bot.services.questions.walls.token(session_id)
    wall = await browser.new_page(
        viewport={"width": 1280, "height": 720}, locale="en", bypass_csp=True
    )
    await wall.goto(f"{web_url(bot)}/wall/{token}?lang=en")
    on_screen = wall.locator("#on-screen")
    await on_screen.locator(".screen-translation").wait_for(timeout=TIMEOUT)
    assert QUESTION in await on_screen.inner_text()
    assert ENGLISH in await on_screen.locator(".screen-translation").inner_text()
    assert await serious_violations(wall) == []
    assert errors() == []
