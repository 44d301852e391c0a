"""The console as Telegram Web shows a Mini App: inside a frame on another site. The session
cookie must reach the framed console (a SameSite=Strict one never would), and the console then
stays live there, in Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness
from tests.questions.e2e_support import Chat, live_session
from tests.questions.support import ADMIN
from tests.questions.support import E2E_MODERATOR as MODERATOR

from .browser import browser, errors_of
from .support import init_data, web_url

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
__all__ = ["browser"]

TIMEOUT = 10_000  # ms
ASKER = 61


@pytest.fixture
async def database(sqlite_database: Database) -> AsyncIterator[Database]:
    yield sqlite_database


@pytest.fixture
async def telegram_web() -> AsyncIterator[tuple[web.Application, str]]:
    """A stand-in for web.telegram.org: another site (``localhost``, not 127.0.0.1) whose page
    frames whatever address it is given, as Telegram Web frames a Mini App."""
    app = web.Application()

    async def frame(request: web.Request) -> web.Response:
        src = request.query["src"]
        body = f'<!doctype html><title>Telegram</title><iframe id="app" src="{src}"'
        body += ' width="900" height="700"></iframe>'
        return web.Response(text=body, content_type="text/html")

    app.router.add_get("/k/", frame)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "localhost", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield app, f"http://localhost:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def framed_bot(
    api: LocalBotApiServer, database: Database, telegram_web: tuple[web.Application, str]
) -> AsyncIterator[BotHarness]:
    harness = BotHarness(
        api,
        database.url,
        overrides={
            "admins": [ADMIN],
            "moderators": [MODERATOR],
            "questions": {"cooldown_seconds": 0},
            "web": {"listen": "127.0.0.1:0", "frame_ancestors": [telegram_web[1]]},
        },
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_the_mini_app_signs_in_and_stays_live_inside_telegram_webs_frame(
    api: LocalBotApiServer,
    framed_bot: BotHarness,
    database: Database,
    browser: Any,
    telegram_web: tuple[web.Application, str],
) -> None:
    await live_session(database)
    app_url = f"{web_url(framed_bot)}/app#tgWebAppData={_fragment(init_data(MODERATOR))}"
    page = await browser.new_page()
    page_errors = errors_of(page)
    await page.goto(f"{telegram_web[1]}/k/?src={_query(app_url)}")
    console = page.frame_locator("#app")
    await console.locator("#live").wait_for(timeout=TIMEOUT)
    api.add_user(ASKER, "Ann", "en")
    await Chat(api, ASKER).send("/ask Can hubs in the framed console be seen live?")
    await console.locator("#live >> text=Can hubs in the framed console be seen live?").wait_for(
        timeout=TIMEOUT
    )
    # The session cookie was kept for this frame on this site only (CHIPS).
    cookies = await page.context.cookies(web_url(framed_bot))
    (session,) = [cookie for cookie in cookies if cookie["name"] == "rh_session"]
    assert session["sameSite"] == "None" and session["secure"] and session["httpOnly"]
    assert page_errors() == []


def _fragment(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _query(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")
