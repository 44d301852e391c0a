"""The console and the wall in Chromium, as a moderator and a room would use them, with the
real bot, its web server and the local Bot API server (SQLite: the browser is the point)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import LANGUAGES
from config.settings import WebSettings
from localapi import LocalBotApiServer, StoredMessage
from storage.db import Database
from tests.harness import BotHarness
from tests.questions.e2e_support import Chat, live_session, number_in
from tests.questions.support import ADMIN, questions_in
from tests.questions.support import E2E_MODERATOR as MODERATOR

from .browser import browser, errors_of, serious_violations
from .support import console_link, web_url

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
__all__ = ["browser"]

ANN, BORIS, CARL = 41, 42, 43
TIMEOUT = 10_000  # ms
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
async def database(sqlite_database: Database) -> AsyncIterator[Database]:
    yield sqlite_database


async def open_console(
    browser: Any, api: LocalBotApiServer, language: str = "en", **options: Any
) -> Any:
    page = await browser.new_page(
        viewport={"width": 1280, "height": 900}, locale=language, **options
    )
    link = await console_link(api, MODERATOR)
    await page.goto(link)
    await page.click("#signin")
    await page.wait_for_selector("#live", timeout=TIMEOUT)
    await page.evaluate("() => { window.notReloaded = true; }")
    return page


async def ask(api: LocalBotApiServer, user_id: int, name: str, text: str) -> StoredMessage:
    api.add_user(user_id, name, "en")
    return await Chat(api, user_id).send(f"/ask {text}")


async def test_console_live_claim_answer_and_a_chat_moderator_at_the_same_time(
    api: LocalBotApiServer, bot: BotHarness, database: Database, browser: Any
) -> None:
    session_id = await live_session(database)
    page = await open_console(browser, api)
    assert "Libraries and AI" in await page.inner_text("h1")

    # Questions asked in Telegram appear without a reload, in /queue order.
    await ask(api, ANN, "Ann", "How do libraries use AI?")
    await page.wait_for_selector("#queue >> text=How do libraries use AI?", timeout=TIMEOUT)
    await ask(api, BORIS, "Boris", "Who pays for remote hubs?")
    await page.wait_for_selector("#queue >> text=Who pays for remote hubs?", timeout=TIMEOUT)
    assert await page.inner_text("#count-asked") == "2"
    assert await page.evaluate("() => window.notReloaded") is True

    # The chat moderator presses /next while the browser takes the next one: both get one,
    # never the same.
    chat = Chat(api, ADMIN)
    picker = await chat.send("/moderate")
    await chat.press(picker, f"mod:s:{session_id}")
    await chat.edited(picker, "Вы модерируете")
    chat.send_only("/next")
    await page.keyboard.press("n")
    card = await chat.next()
    await page.wait_for_selector(".mine .question", timeout=TIMEOUT)
    in_browser = int(await page.get_attribute(".mine .question", "data-number") or 0)
    in_chat = number_in(card.text)
    assert {in_browser, in_chat} == {1, 2}
    rows = await questions_in(database, session_id)
    holders = {row.number: row.claimed_by for row in rows}
    assert holders == {in_browser: MODERATOR, in_chat: ADMIN}

    # Answered in the browser: the asker is told in Telegram, as with chat moderation.
    asker = Chat(api, ANN if in_browser == 1 else BORIS)
    await page.click(".mine [data-action=answered]")
    await page.wait_for_selector("#status >> text=is answered", timeout=TIMEOUT)
    told = await asker.next(lambda m: "read out and answered" in (m.text or ""))
    assert f"#{in_browser}" in (told.text or "")
    await page.wait_for_function(
        "() => document.querySelector('#count-answered').textContent === '1'", timeout=TIMEOUT
    )
    # Handled in chat by the other moderator: the console follows.
    await chat.press(card, next(d for d in card.callback_data if d.startswith("mq:ans:")))
    await page.wait_for_function(
        "() => document.querySelector('#count-answered').textContent === '2'", timeout=TIMEOUT
    )
    assert await page.evaluate("() => window.notReloaded") is True


def _vote_data(listing: StoredMessage, number: int) -> str:
    for button in listing.buttons:
        if str(button["text"]).endswith(f"#{number}"):
            return str(button["callback_data"])
    raise AssertionError(f"no vote button for #{number}")


async def test_wall_shows_the_question_put_on_it_and_reorders_on_a_vote(
    api: LocalBotApiServer, bot: BotHarness, database: Database, browser: Any
) -> None:
    session_id = await live_session(database)
    await ask(api, ANN, "Ann", "First question about licensing")
    await ask(api, BORIS, "Boris", "Second question about training")
    relay = bot.services.questions
    token = await relay.walls.token(session_id)
    wall = await browser.new_page(viewport={"width": 1920, "height": 1080})
    await wall.goto(f"{web_url(bot)}/wall/{token}")
    first = await wall.inner_text("#top li:first-child .text")
    assert first == "First question about licensing"
    assert "Ann" in await wall.inner_text("#top")

    # A vote for #2 puts it first, without a reload.
    api.add_user(CARL, "Carl", "en")
    carl = Chat(api, CARL)
    listing = await carl.send("/questions")
    await carl.press(listing, _vote_data(listing, 2))
    await wall.wait_for_function(
        "() => document.querySelector('#top li:first-child .text').textContent"
        " === 'Second question about training'",
        timeout=TIMEOUT,
    )
    # The moderator puts #1 on the screen from the console.
    console = await open_console(browser, api)
    await console.click("#queue li[data-number='1'] [data-action=screen]")
    await wall.wait_for_selector(
        "#on-screen >> text=First question about licensing", timeout=TIMEOUT
    )
    assert "#1" in await wall.inner_text("#on-screen figcaption")
    assert "2 questions" in await wall.inner_text("#wall-questions")
    # The QR code and the link under it: the ask_ deep link.
    assert (
        await wall.inner_text(".ask-link")
        == f"https://t.me/{bot.services.bot_username}?start=ask_{session_id}"
    )
    assert await wall.locator(".qr-box svg").count() == 1


async def test_wall_reconnects_after_a_drop_and_says_so(
    api: LocalBotApiServer, bot: BotHarness, database: Database, browser: Any
) -> None:
    session_id = await live_session(database)
    relay = bot.services.questions
    token = await relay.walls.token(session_id)
    base = web_url(bot)
    wall = await browser.new_page()
    await wall.goto(f"{base}/wall/{token}?lang=ru")
    assert "Вопросов пока нет" in await wall.inner_text("#live")
    server = bot.services.web_server
    assert server is not None
    port = int(base.rsplit(":", 1)[1])
    await server.stop()
    await wall.wait_for_selector("#connection:not([hidden])", timeout=TIMEOUT)
    assert "переподключ" in await wall.inner_text("#connection")
    await ask(api, ANN, "Ann", "Asked while the wall was away")
    from web.server import WebServer

    again = WebServer(bot.services, WebSettings(listen=f"127.0.0.1:{port}"))
    await again.start()
    bot.services.web_server = again
    await wall.wait_for_selector("#top >> text=Asked while the wall was away", timeout=15_000)
    assert await wall.is_hidden("#connection")


HOSTILE = [
    "<script>window.pwned = 'script'</script> is this safe?",
    "<img src=x onerror=\"window.pwned = 'img'\"> and this?",
]


async def test_hostile_question_text_shows_as_text_and_runs_nothing(
    api: LocalBotApiServer, bot: BotHarness, database: Database, browser: Any
) -> None:
    session_id = await live_session(database)
    page = await open_console(browser, api)
    console_errors = errors_of(page)
    token = await bot.services.questions.walls.token(session_id)
    wall = await browser.new_page()
    wall_errors = errors_of(wall)
    await wall.goto(f"{web_url(bot)}/wall/{token}")
    for index, text in enumerate(HOSTILE):
        await ask(api, ANN + index, f"User {index}", text)
    # Live (through the stream) and after a fresh load: the text is there, as text.
    for view in (page, wall):
        for text in HOSTILE:
            await view.wait_for_function(
                "text => document.getElementById('live').textContent.includes(text)",
                arg=text,
                timeout=TIMEOUT,
            )
    await page.click("#queue li[data-number='2'] [data-action=screen]")
    await wall.wait_for_selector("#on-screen", timeout=TIMEOUT)
    await wall.reload()
    await page.reload()
    for view in (page, wall):
        assert await view.evaluate("() => window.pwned") is None
        assert await view.locator("#live img, #live script").count() == 0
    assert HOSTILE[1] in await wall.inner_text("#on-screen")
    assert console_errors() == [] and wall_errors() == []


async def test_accessibility_of_console_and_wall_and_screenshots(
    api: LocalBotApiServer, bot: BotHarness, database: Database, browser: Any
) -> None:
    session_id = await live_session(database, title="Libraries and AI: remote participation")
    api.add_group(-100777, "Novosibirsk library", admins=[BORIS], members=[])
    api.add_user(BORIS, "Ирина", "ru")
    hub = Chat(api, BORIS, -100777)
    await hub.send("/hub Novosibirsk hub, Russia")
    await hub.send("/ask Будут ли записи сессии на русском?")
    await hub.send("/hub people 25")
    await ask(api, ANN, "Ann", "How do public libraries use AI for reference services?")
    await ask(api, CARL, "Carl", "What does the panel recommend for small libraries?")
    relay = bot.services.questions
    claimed = await relay.moderation.claim_next(session_id, MODERATOR)
    assert claimed is not None
    await relay.walls.put_on_screen(session_id, claimed.id)
    token = await relay.walls.token(session_id)
    shots = os.environ.get("REMOTEHUB_SCREENSHOTS") == "1"
    for language in ("en", "ru"):
        # Our pages allow only their own scripts; the test lets axe in past that policy.
        console = await open_console(browser, api, language, bypass_csp=True)
        await console.goto(f"{web_url(bot)}/console/{session_id}?lang={language}")
        await console.wait_for_selector(".mine .question", timeout=TIMEOUT)
        assert await serious_violations(console) == []
        wall = await browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
        await wall.goto(f"{web_url(bot)}/wall/{token}?lang={language}")
        assert await serious_violations(wall) == []
        small = await browser.new_page(viewport={"width": 1280, "height": 720})
        await small.goto(f"{web_url(bot)}/wall/{token}?lang={language}")
        # At 1280x720 the whole wall fits the screen: nothing to scroll on a projector.
        height = await small.evaluate("() => document.documentElement.scrollHeight")
        assert height <= 720
        if shots:
            await console.screenshot(path=str(DOCS / f"console-{language}.png"), full_page=True)
            await wall.screenshot(path=str(DOCS / f"wall-{language}.png"))
        for view in (console, wall, small):
            await view.close()
    await asyncio.sleep(0)


async def test_console_and_wall_in_every_language(
    api: LocalBotApiServer, bot: BotHarness, database: Database, browser: Any
) -> None:
    session_id = await live_session(database, title="Libraries and AI")
    await ask(api, ANN, "Ann", "How do public libraries use AI for reference services?")
    token = await bot.services.questions.walls.token(session_id)
    texts = bot.services.translator
    shots = os.environ.get("REMOTEHUB_SCREENSHOTS") == "1"
    for language in LANGUAGES:
        wall = await browser.new_page(viewport={"width": 1920, "height": 1080})
        await wall.goto(f"{web_url(bot)}/wall/{token}?lang={language}")
        await wall.wait_for_selector(".top li", timeout=TIMEOUT)
        root = await wall.evaluate("() => [document.documentElement.lang, document.dir]")
        assert root == [language, "rtl" if language == "ar" else "ltr"]
        assert texts.t(language, "web.wall.ask") in await wall.inner_text(".wall-ask")
        # The layout mirrors: the QR column is on the right, and on the left in Arabic.
        ask_box = await wall.locator(".wall-ask").bounding_box()
        live_box = await wall.locator(".wall-live").bounding_box()
        assert ask_box is not None and live_box is not None
        assert (ask_box["x"] < live_box["x"]) == (language == "ar"), language
        if shots and language == "ar":
            await wall.screenshot(path=str(DOCS / "wall-ar.png"))
        await wall.close()
        console = await open_console(browser, api, language)
        await console.goto(f"{web_url(bot)}/console/{session_id}?lang={language}")
        await console.wait_for_selector(".queue", timeout=TIMEOUT)
        assert await console.evaluate("() => document.dir") == (
            "rtl" if language == "ar" else "ltr"
        )
        heading = texts.t(language, "web.keys.title")
        assert heading in await console.inner_text("body"), language
        await console.close()
