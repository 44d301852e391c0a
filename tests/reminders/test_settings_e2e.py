"""/settings, /subscribe, /mysubs and the .ics button end to end, as a person uses them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from localapi import LocalBotApiServer, StoredMessage
from storage.db import Database

from .helpers import add_session

pytestmark = pytest.mark.e2e
ANNA, PAUL = 401, 402


def has(text: str) -> Callable[[StoredMessage], bool]:
    return lambda message: text in (message.text or "")


async def test_time_zone_guess_confirmed_then_typed_with_a_typo(
    local_api: LocalBotApiServer, start_bot: Callable[..., Any]
) -> None:
    await start_bot()
    local_api.add_user(ANNA, "Анна", language_code="ru")
    local_api.send_text(ANNA, "/settings")
    overview = await local_api.wait_for(has("Настройки этого чата"), chat_id=ANNA, timeout=10)
    assert "Asia/Baku, пояс площадки" in (overview.text or "")

    local_api.press_button(ANNA, overview.message_id, "set:tz")
    zones = await local_api.wait_for(has("Europe/Moscow"), chat_id=ANNA, timeout=10)
    assert zones.message_id == overview.message_id  # edited in place
    assert zones.callback_data[:3] == ["set:tz:Europe/Moscow", "set:tz:Asia/Baku", "set:tz:UTC"]
    local_api.press_button(ANNA, zones.message_id, "set:tz:Europe/Moscow")
    await local_api.wait_for(has("по поясу Europe/Moscow"), chat_id=ANNA, timeout=10)

    local_api.press_button(ANNA, zones.message_id, "set:tzask", check=False)
    question = await local_api.wait_for(has("В каком вы городе"), chat_id=ANNA, timeout=10)
    assert question.reply_markup == {"force_reply": True}
    local_api.send_text(ANNA, "Nowosibirsk", reply_to=question.message_id)
    offer = await local_api.wait_for(has("Может быть"), chat_id=ANNA, timeout=10)
    assert offer.callback_data == ["set:tz:Asia/Novosibirsk"]
    assert "Nowosibirsk" in (offer.text or "")
    local_api.press_button(ANNA, offer.message_id, "set:tz:Asia/Novosibirsk")
    await local_api.wait_for(has("по поясу Asia/Novosibirsk"), chat_id=ANNA, timeout=10)

    local_api.send_text(ANNA, "/settings tz Qwzx/Plorp")
    unknown = await local_api.wait_for(has("Qwzx/Plorp"), chat_id=ANNA, timeout=10)
    assert "не знаю часового пояса" in (unknown.text or "") and not unknown.callback_data
    local_api.send_text(ANNA, "/settings")
    final = await local_api.wait_for(
        lambda m: m.message_id > unknown.message_id and "Настройки" in (m.text or ""),
        chat_id=ANNA,
        timeout=10,
    )
    assert "Часовой пояс: Asia/Novosibirsk (там сейчас" in (final.text or "")


async def test_lead_times_toggle_in_place(
    local_api: LocalBotApiServer, start_bot: Callable[..., Any]
) -> None:
    await start_bot(reminder_minutes=[60, 10])
    local_api.add_user(PAUL, "Paul")
    local_api.send_text(PAUL, "/settings")
    overview = await local_api.wait_for(has("Settings of this chat"), chat_id=PAUL, timeout=10)
    assert "Reminders before the start: 1 hour, 10 minutes" in (overview.text or "")
    local_api.press_button(PAUL, overview.message_id, "set:leads")
    await local_api.wait_for(has("How long before"), chat_id=PAUL, timeout=10)
    local_api.press_button(PAUL, overview.message_id, "set:lead:1440")
    local_api.press_button(PAUL, overview.message_id, "set:lead:60", check=False)
    toggled = await local_api.wait_for(has("Now: 1 day, 10 minutes"), chat_id=PAUL, timeout=10)
    labels = [button["text"] for button in toggled.buttons]
    assert "✅ 1 day" in labels and "▫️ 1 hour" in labels and "✅ 10 minutes" in labels


async def test_keyword_by_reply_list_and_drop(
    local_api: LocalBotApiServer, start_bot: Callable[..., Any], database: Database
) -> None:
    await start_bot()
    await add_session(database, "Open data", datetime.now(UTC) + timedelta(days=1), track="Data")
    local_api.add_user(PAUL, "Paul")
    local_api.send_text(PAUL, "/subscribe")
    menu = await local_api.wait_for(has("What should I remind you of?"), chat_id=PAUL, timeout=10)
    local_api.press_button(PAUL, menu.message_id, "sub:kw")
    question = await local_api.wait_for(has("Which word"), chat_id=PAUL, timeout=10)
    local_api.send_text(PAUL, "Библиотеки", reply_to=question.message_id)
    await local_api.wait_for(has("mention “библиотеки”"), chat_id=PAUL, timeout=10)

    local_api.send_text(PAUL, "/subscribe")
    menu = await local_api.wait_for(
        lambda m: m.message_id > question.message_id and "What should" in (m.text or ""),
        chat_id=PAUL,
        timeout=10,
    )
    local_api.press_button(PAUL, menu.message_id, "sub:tracks:0")
    tracks = await local_api.wait_for(has("Which track"), chat_id=PAUL, timeout=10)
    [track_button] = tracks.callback_data
    local_api.press_button(PAUL, tracks.message_id, track_button)
    await local_api.wait_for(has("track “Data”"), chat_id=PAUL, timeout=10)

    local_api.send_text(PAUL, "/mysubs")
    listing = await local_api.wait_for(has("tap ❌ to drop one"), chat_id=PAUL, timeout=10)
    assert "keyword “библиотеки”" in (listing.text or "") and "track “Data”" in (listing.text or "")
    drop_keyword = listing.callback_data[0]
    assert drop_keyword.startswith("sub:del:") and listing.callback_data[-1] == "sub:delall"
    local_api.press_button(PAUL, listing.message_id, drop_keyword)
    shorter = await local_api.wait_for(
        lambda m: m.message_id == listing.message_id and "библиотеки" not in (m.text or ""),
        chat_id=PAUL,
        timeout=10,
    )
    assert "track “Data”" in (shorter.text or "")
    local_api.press_button(PAUL, listing.message_id, drop_keyword, check=False)  # stale button
    await local_api.wait_until(
        lambda: any("dropped already" in (a.text or "") for a in local_api.callback_answers), 10
    )


async def test_ics_button_sends_a_calendar_file(
    local_api: LocalBotApiServer, start_bot: Callable[..., Any], database: Database
) -> None:
    await start_bot(webcasts={"Room 1": "https://live.example.org/room1"})
    start = datetime(2030, 6, 23, 6, 0, tzinfo=UTC)
    session = await add_session(database, "Libraries & AI", start)
    local_api.add_user(PAUL, "Paul")
    local_api.send_text(PAUL, "/start")
    welcome = await local_api.wait_for(chat_id=PAUL, timeout=10)
    local_api.press_button(PAUL, welcome.message_id, f"ics:{session.id}", check=False)
    sent = await local_api.wait_for(lambda m: m.document is not None, chat_id=PAUL, timeout=10)
    assert sent.document is not None and sent.document.data is not None
    assert (sent.document.filename or "").endswith(f"-{session.id}.ics")
    [event] = Calendar.from_ical(sent.document.data).walk("VEVENT")
    assert event.decoded("DTSTART") == start
    assert str(event["URL"]) == "https://live.example.org/room1"
    assert "Libraries & AI" in (sent.caption or "")
    local_api.press_button(PAUL, welcome.message_id, "ics:999999", check=False)
    await local_api.wait_until(
        lambda: any(a.show_alert for a in local_api.callback_answers), timeout=10
    )
