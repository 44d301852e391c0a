"""Subscriptions and chat settings on both backends: rules, limits, zones, lead times, migration."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import UserFacingError
from bot.reminders import subscriptions as subscriptions_module
from storage.db import Database
from storage.repos import chats
from storage.repos import subscriptions as subs

from .helpers import add_chat, add_session, make_kit, utc

NOW = utc("2026-06-20T12:00")
START = utc("2026-06-23T06:00")


async def test_rules_are_unique_per_chat_and_listed(database: Database) -> None:
    kit = make_kit(database, NOW)
    service = kit.reminders.subscriptions
    await add_chat(database, 1)
    await add_chat(database, 2)
    session = await add_session(database, "Open access", START, track="Open Science")
    assert (await service.subscribe_session(1, session.id, 77)).added
    assert not (await service.subscribe_session(1, session.id, 77)).added
    assert await service.subscribe_ifla(1, 77)
    assert not await service.subscribe_ifla(1, 77)
    assert await service.subscribe_track(1, "Open Science", 77)
    assert await service.subscribe_keyword(1, "Privacy", 77) == ("privacy", True)
    assert await service.subscribe_keyword(1, "PRIVACY ", 77) == ("privacy", False)
    listed = await service.subscriptions(1)
    assert [(item.kind, item.target, item.session_title) for item in listed] == [
        ("session", str(session.id), "Open access"),
        ("ifla", "", None),
        ("track", "Open Science", None),
        ("keyword", "privacy", None),
    ]
    assert not await service.unsubscribe(2, listed[0].id)  # another chat's button
    assert await service.unsubscribe(1, listed[0].id)
    assert await service.unsubscribe_all(1) == 3
    assert await service.subscriptions(1) == []


@pytest.mark.parametrize(
    ("call", "message_id"),
    [
        ("missing_session", "subs.session_unknown"),
        ("ended_session", "subs.session_over"),
        ("short_keyword", "subs.keyword_length"),
        ("unknown_track", "subs.track_unknown"),
    ],
)
async def test_bad_requests_get_a_clear_answer(
    database: Database, call: str, message_id: str
) -> None:
    kit = make_kit(database, NOW)
    service = kit.reminders.subscriptions
    await add_chat(database, 1)
    ended = await add_session(database, "Yesterday", NOW - timedelta(days=1))
    with pytest.raises(UserFacingError) as caught:
        if call == "missing_session":
            await service.subscribe_session(1, 999, None)
        elif call == "ended_session":
            await service.subscribe_session(1, ended.id, None)
        elif call == "short_keyword":
            await service.subscribe_keyword(1, " a ", None)
        else:
            await service.subscribe_track(1, "No such track", None)
    assert caught.value.message_id == message_id
    assert await service.subscriptions(1) == []


async def test_a_chat_has_a_limit(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subscriptions_module, "MAX_SUBSCRIPTIONS", 2)
    kit = make_kit(database, NOW)
    await add_chat(database, 1)
    await kit.reminders.subscriptions.subscribe_keyword(1, "one", None)
    await kit.reminders.subscriptions.subscribe_keyword(1, "two", None)
    with pytest.raises(UserFacingError) as caught:
        await kit.reminders.subscriptions.subscribe_keyword(1, "three", None)
    assert caught.value.params == {"limit": 2}


async def test_lead_times_toggle_from_the_default(database: Database) -> None:
    kit = make_kit(database, NOW)
    service = kit.reminders.subscriptions
    await add_chat(database, 1)
    before = await service.chat_settings(1)
    assert (before.leads, before.leads_are_default) == ([60, 10], True)
    assert await service.toggle_lead(1, 30) == [60, 30, 10]
    assert await service.toggle_lead(1, 60) == [30, 10]
    after = await service.chat_settings(1)
    assert (after.leads, after.leads_are_default) == ([30, 10], False)
    with pytest.raises(UserFacingError):
        await service.toggle_lead(1, 7)


async def test_time_zone_by_city_in_russian_or_suggestions(database: Database) -> None:
    kit = make_kit(database, NOW)
    service = kit.reminders.subscriptions
    await add_chat(database, 1)
    assert (await service.chat_settings(1)).zone == "Asia/Baku"  # the venue's until chosen
    answer = await service.set_timezone(1, "новосибирск")
    assert answer.zone == "Asia/Novosibirsk"
    wrong = await service.set_timezone(1, "Europe/Pariss")
    assert (wrong.zone, wrong.suggestions) == (None, ["Europe/Paris"])
    settings = await service.chat_settings(1)
    assert (settings.timezone, settings.zone) == ("Asia/Novosibirsk", "Asia/Novosibirsk")


async def test_a_migrated_group_keeps_its_subscriptions(database: Database) -> None:
    kit = make_kit(database, NOW)
    service = kit.reminders.subscriptions
    await add_chat(database, -100, leads=[30])
    await add_chat(database, -1009, leads=[30])
    await service.subscribe_ifla(-100, 5)
    await service.subscribe_keyword(-100, "libraries", 5)
    await service.subscribe_ifla(-1009, 5)  # already there: not doubled
    async with database.transaction() as db:
        await chats.record_migration(db, -100, -1009, NOW)
    listed = await service.subscriptions(-1009)
    assert sorted((item.kind, item.target) for item in listed) == [
        ("ifla", ""),
        ("keyword", "libraries"),
    ]
    assert await service.subscriptions(-100) == []


async def test_subscribers_of_a_session_in_one_query(database: Database) -> None:
    """Every rule kind, the earliest rule of a chat, inactive chats left out."""
    kit = make_kit(database, NOW)
    service = kit.reminders.subscriptions
    session = await add_session(
        database, "IFLA: Libraries", START, is_ifla=True, track="Access", description="AI"
    )
    for chat_id in (1, 2, 3, 4, 5):
        await add_chat(database, chat_id, active=chat_id != 5)
    await service.subscribe_session(1, session.id, None)
    kit.clock.advance(timedelta(minutes=1))
    await service.subscribe_ifla(1, None)
    await service.subscribe_ifla(2, None)
    await service.subscribe_track(3, "Access", None)
    await service.subscribe_keyword(4, "ai ", None)
    await service.subscribe_ifla(5, None)
    async with database.transaction() as db:
        wanting = await subs.subscribers(db, session, ["ai"])
        without_keyword = await subs.subscribers(db, session, [])
    assert [item.chat_id for item in wanting] == [1, 2, 3, 4]
    assert wanting[0].subscribed_at == NOW
    assert [item.chat_id for item in without_keyword] == [1, 2, 3]
