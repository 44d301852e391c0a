"""End to end against the local Bot API server: /sessions, the card, /now, admin commands,
and the announce channel (exactly once, also across a restart; "starting now" on time).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.programme.events import ChangeKind, SessionChange
from localapi import LocalBotApiServer, StoredMessage
from storage.db import Database
from storage.models import Session
from tests.harness import BotHarness

pytestmark = pytest.mark.e2e

ADA, IVAN, ADMIN = 1001, 1002, 1003
CHANNEL = -1001500000001
SessionFactory = Callable[..., Awaitable[int]]


@pytest.fixture
async def hub(local_api: LocalBotApiServer, database: Database) -> AsyncIterator[BotHarness]:
    """The bot (not started yet) with two users, an admin and the announce channel."""
    local_api.add_user(ADA, "Ada", "en")
    local_api.add_user(IVAN, "Иван", "ru")
    local_api.add_user(ADMIN, "Org", "en")
    local_api.add_channel(CHANNEL, "IFLA at the IGF")
    harness = BotHarness(
        local_api,
        database.url,
        overrides={
            "announce_chat_id": CHANNEL,
            "admins": [ADMIN],
            "announce": {"digest_time": None},
            "webcasts": {"Hall A": "https://example.org/live/hall-a"},
        },
    )
    try:
        yield harness
    finally:
        await harness.stop()


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def answer(server: LocalBotApiServer, chat_id: int, contains: str) -> StoredMessage:
    return await server.wait_for(lambda m: contains in (m.text or ""), timeout=10, chat_id=chat_id)


async def settle(hub: BotHarness) -> None:
    """Let the announcer and the sender finish everything that is due."""
    await hub.services.announcer.run_due()
    await hub.services.sender.run_until_idle(10)  # type: ignore[attr-defined]


async def test_sessions_pages_edit_the_same_message(
    hub: BotHarness, local_api: LocalBotApiServer, database: Database, add_session: SessionFactory
) -> None:
    start = now() + timedelta(hours=1)
    for index in range(20):
        await add_session(
            database, title=f"Session {index:02}", start_at=start + timedelta(minutes=30 * index)
        )
    await hub.start()
    local_api.send_text(ADA, "/sessions")
    listing = await answer(local_api, ADA, "page 1 of 3")
    assert "Session 00" in (listing.text or "") and "Session 08" not in (listing.text or "")

    local_api.press_button(ADA, listing.message_id, "sessions:2")
    edited = await answer(local_api, ADA, "page 2 of 3")
    assert edited.message_id == listing.message_id and "Session 08" in (edited.text or "")
    local_api.press_button(ADA, listing.message_id, "sessions:3")
    await answer(local_api, ADA, "page 3 of 3")
    local_api.press_button(ADA, listing.message_id, "sessions:2")
    await local_api.wait_until(
        lambda: len(local_api.message(ADA, listing.message_id).edits) >= 3, 10
    )  # type: ignore[union-attr]
    assert len(local_api.messages_to(ADA)) == 1  # edited in place, never resent
    assert len(local_api.callback_answers) == 3


async def test_card_by_deep_link_in_english_and_russian(
    hub: BotHarness, local_api: LocalBotApiServer, database: Database, add_session: SessionFactory
) -> None:
    start = now() + timedelta(days=1)
    session_id = await add_session(
        database,
        title="Библиотеки и открытый веб",
        start_at=start,
        room="Hall A",
        is_ifla=True,
        description="<p>About <b>open</b> access</p>",
    )
    await hub.start()
    local_api.send_text(ADA, f"/start s_{session_id}")
    card = await answer(local_api, ADA, "Библиотеки и открытый веб")
    assert "(Asia/Baku)" in (card.text or "") and "About open access" in (card.text or "")
    assert (
        f"sub:add:{session_id}" in card.callback_data and f"ics:{session_id}" in card.callback_data
    )

    local_api.send_text(IVAN, f"/start s_{session_id}")
    russian = await answer(local_api, IVAN, "Библиотеки и открытый веб")
    assert "Сессия ИФЛА" in (russian.text or "")
    assert any(
        "Напомнить" in button["text"]
        for row in russian.reply_markup["inline_keyboard"]
        for button in row
    )  # type: ignore[index]

    local_api.send_text(ADA, "/start s_987654321")
    await answer(local_api, ADA, "I cannot find that session")
    local_api.send_text(IVAN, "/start s_99999999999999999999999")
    await answer(local_api, IVAN, "Не могу найти эту сессию")


async def test_card_from_the_list_and_now_with_webcast(
    hub: BotHarness, local_api: LocalBotApiServer, database: Database, add_session: SessionFactory
) -> None:
    live = await add_session(
        database, title="Live panel", start_at=now() - timedelta(minutes=10), room="Hall A"
    )
    await hub.start()
    local_api.send_text(ADA, "/now")
    listing = await answer(local_api, ADA, "Live panel")
    assert "Watch the webcast" in (listing.text or "")
    assert any(e.get("url") == "https://example.org/live/hall-a" for e in listing.entities)
    local_api.press_button(ADA, listing.message_id, f"card:{live}")
    card = await answer(local_api, ADA, "Link to this session")
    assert "Live now" in (card.text or "")
    assert card.message_id != listing.message_id
    assert f"ask:s:{live}" in card.callback_data  # the session takes questions now


async def test_admin_commands_are_refused_to_others(
    hub: BotHarness, local_api: LocalBotApiServer
) -> None:
    await hub.start()
    local_api.send_text(ADA, "/sources")
    await answer(local_api, ADA, "only moderators and organisers")
    local_api.send_text(ADA, "/poll")
    await local_api.wait_for_count(ADA, 2, timeout=10)
    assert all("only moderators" in (m.text or "") for m in local_api.messages_to(ADA))


async def test_announcement_exactly_once_across_a_restart(
    hub: BotHarness, local_api: LocalBotApiServer, database: Database, add_session: SessionFactory
) -> None:
    session_id = await add_session(
        database,
        title="IFLA: Libraries & AI",
        start_at=now() + timedelta(hours=3),
        room="Hall A",
        is_ifla=True,
    )
    await add_session(database, title="Plenary", start_at=now() + timedelta(hours=3))
    await hub.start()
    [post] = await local_api.wait_for_count(CHANNEL, 1, timeout=10)
    assert "IFLA: Libraries & AI" in (post.text or "")
    assert any(
        e.get("url") == f"https://t.me/remotehub_test_bot?start=s_{session_id}"
        for e in post.entities
    )
    # Ingestion reporting the session again, and the timed pass: nothing new.
    async with hub.services.database.transaction() as db:
        row = await db.get(Session, session_id)
        assert row is not None
        change = SessionChange(
            session_id, ChangeKind.ADDED, row.title, None, row.start_at, None, row.room, True
        )
        for listener in hub.services.programme_listeners:
            await listener.sessions_changed(db, [change])
    await settle(hub)
    await hub.restart()
    await settle(hub)
    assert len(local_api.messages_to(CHANNEL)) == 1


async def test_starting_now_post_at_the_start(
    hub: BotHarness, local_api: LocalBotApiServer, database: Database, add_session: SessionFactory
) -> None:
    start = datetime.now(UTC) + timedelta(seconds=2)
    await add_session(
        database,
        title="IFLA opening",
        start_at=start,
        end_at=start + timedelta(hours=1),
        room="Hall A",
        is_ifla=True,
    )
    await hub.start()
    live = await answer(local_api, CHANNEL, "Starting now")
    assert datetime.now(UTC) >= start
    assert any(e.get("url") == "https://example.org/live/hall-a" for e in live.entities)
    await hub.restart()
    await settle(hub)
    texts = [message.text or "" for message in local_api.messages_to(CHANNEL)]
    assert len(texts) == 2 and sum("Starting now" in text for text in texts) == 1
