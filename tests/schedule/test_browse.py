"""The browser on both backends: the chat's own zone, clamped pages, gone sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.clock import FrozenClock
from bot.i18n import default_translator
from bot.links import BotLinks
from bot.programme.browse import ProgrammeBrowser
from config.settings import Settings
from storage.db import Database
from storage.repos import chats

NOW = datetime(2026, 6, 22, 6, 0, tzinfo=UTC)
CHAT = 501
SessionFactory = Callable[..., Awaitable[int]]


def browser(database: Database) -> ProgrammeBrowser:
    return ProgrammeBrowser(
        database=database,
        settings=Settings(timezone="Asia/Baku"),
        translator=default_translator(),
        clock=FrozenClock(NOW),
        links=BotLinks("hub_bot"),
    )


async def test_card_in_the_chats_own_zone(database: Database, add_session: SessionFactory) -> None:
    session_id = await add_session(database, title="Panel", start_at=NOW + timedelta(hours=1))
    async with database.transaction() as db:
        await chats.remember_chat(db, chat_id=CHAT, type="private", title=None, now=NOW)
        await chats.set_timezone(db, CHAT, "America/New_York", NOW)
    rendered = await browser(database).card(CHAT, "en", session_id)
    assert rendered is not None
    assert "Mon 22 Jun 03:00–04:30 (America/New_York) · venue 11:00–12:30" in rendered[0]
    other = await browser(database).card(CHAT + 1, "en", session_id)  # no zone of its own
    assert other is not None and "11:00–12:30 (Asia/Baku)" in other[0]


async def test_gone_sessions_have_no_card(database: Database, add_session: SessionFactory) -> None:
    gone = await add_session(database, title="Gone", vanished=True)
    assert await browser(database).card(CHAT, "en", gone) is None
    assert await browser(database).card(CHAT, "en", 10**15) is None


async def test_pages_past_the_end_show_the_last_and_over_sessions_are_left_out(
    database: Database, add_session: SessionFactory
) -> None:
    await add_session(database, title="Over", start_at=NOW - timedelta(hours=3))
    await add_session(database, title="Running", start_at=NOW - timedelta(minutes=30))
    for index in range(9):
        await add_session(
            database, title=f"Next {index}", start_at=NOW + timedelta(hours=index + 1)
        )
    text, _ = await browser(database).upcoming(CHAT, "en", 7)
    assert "page 2 of 2" in text and "Next 7" in text and "Next 8" in text
    first, _ = await browser(database).upcoming(CHAT, "en", 1)
    assert "Running" in first and "Over" not in first
    live, _ = await browser(database).live(CHAT, "en")
    assert "Running" in live and "Next" not in live
