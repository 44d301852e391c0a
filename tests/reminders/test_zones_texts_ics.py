"""Pure parts: time-zone answers, reminder wording in both languages, the .ics file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.i18n import default_translator
from bot.links import BotLinks
from bot.programme.events import ChangeKind
from bot.reminders.ics import session_calendar, session_filename, session_uid
from bot.reminders.texts import ReminderTexts
from bot.reminders.zones import guess_zone, resolve_zone, suggest_zones
from storage.models import Session

START = datetime(2026, 6, 23, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Asia/Novosibirsk", "Asia/Novosibirsk"),
        ("asia/novosibirsk", "Asia/Novosibirsk"),
        ("Novosibirsk", "Asia/Novosibirsk"),
        ("новосибирск", "Asia/Novosibirsk"),
        ("Париж", "Europe/Paris"),
        ("new york", "America/New_York"),
        ("Sydney", "Australia/Sydney"),  # not the Australia/ACT link
        ("Лондон", "Europe/London"),
        ("utc", "UTC"),
        ("Europe/Pariss", None),
        ("localtime", None),
        ("", None),
    ],
)
def test_resolve_zone(typed: str, zone: str | None) -> None:
    assert resolve_zone(typed) == zone


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Nowosibirsk", "Asia/Novosibirsk"),
        ("Asia/Novosibirk", "Asia/Novosibirsk"),
        ("Europe/Pariss", "Europe/Paris"),
        ("york", "America/New_York"),
        ("Moscow time", "Europe/Moscow"),
    ],
)
def test_suggestions_for_wrong_names(typed: str, first: str) -> None:
    suggestions = suggest_zones(typed)
    assert suggestions[0] == first and len(suggestions) <= 5


def test_no_suggestions_for_nonsense() -> None:
    assert suggest_zones("qqqqzzzz") == []


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("ru", "Europe/Moscow"),
        ("ru-RU", "Europe/Moscow"),
        ("en", "UTC"),
        ("en-US", "America/New_York"),
        ("pt-br", "America/Sao_Paulo"),
        ("uk", "Europe/Kyiv"),
        ("xx", "UTC"),
        (None, "UTC"),
    ],
)
def test_guess_zone_from_telegram_language(code: str | None, zone: str) -> None:
    assert guess_zone(code) == zone
    assert resolve_zone(zone) == zone


def _session(**fields: object) -> Session:
    values: dict[str, object] = {
        "id": 12,
        "source_id": 3,
        "key": "igf-2026-ws-42",
        "title": "Libraries & AI",
        "start_at": START,
        "end_at": START + timedelta(minutes=90),
        "timezone": "Asia/Baku",
        "room": "Room <B>",
        "description": "<p>Remote hubs</p>",
        "sequence": 2,
        "cancelled": False,
        "url": None,
        "participation_url": None,
    }
    values.update(fields)
    return Session(**values)


@pytest.mark.parametrize(
    ("seconds", "language", "expected"),
    [
        (60 * 10, "en", "10 minutes"),
        (60, "en", "1 minute"),
        (60 * 90, "en", "1 hour 30 minutes"),
        (60 * 60 * 24, "en", "1 day"),
        (60 * 60 * 72, "en", "3 days"),
        (60 * 21, "ru", "21 минуту"),
        (60 * 22, "ru", "22 минуты"),
        (60 * 60 * 5, "ru", "5 часов"),
        (60 * 122, "ru", "2 часа 2 минуты"),
    ],
)
def test_durations(seconds: int, language: str, expected: str) -> None:
    texts = ReminderTexts(default_translator(), BotLinks("bot"))
    assert texts.duration(language, seconds) == expected


@pytest.mark.parametrize(
    "kind", [ChangeKind.MOVED, ChangeKind.ROOM_CHANGED, ChangeKind.CANCELLED, ChangeKind.RESTORED]
)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_notice_kind_reads_in_both_languages(kind: ChangeKind, language: str) -> None:
    texts = ReminderTexts(default_translator(), BotLinks("remotehub_bot"))
    text = texts.notice(
        _session(),
        kind,
        old_start=START - timedelta(hours=1),
        old_room=None,
        language=language,
        reader=ZoneInfo("Europe/Paris"),
        venue=ZoneInfo("Asia/Baku"),
    )
    assert "Libraries &amp; AI" in text
    assert "https://t.me/remotehub_bot?start=s_12" in text
    assert "{" not in text


def test_calendar_file() -> None:
    session = _session(cancelled=True)
    data = session_calendar(
        session,
        webcast="https://live.example.org/room-b",
        card_url="https://t.me/bot?start=s_12",
        now=datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
        translate=lambda message_id: default_translator().t("ru", message_id),
    )
    [event] = Calendar.from_ical(data).walk("VEVENT")
    assert str(event["UID"]) == session_uid(session) == session_uid(_session(id=99))
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=90)
    assert b"DTSTART:20260623T060000Z" in data
    assert str(event["LOCATION"]) == "Room <B>"
    assert str(event["URL"]) == "https://live.example.org/room-b"
    description = str(event["DESCRIPTION"])
    assert "Трансляция: https://live.example.org/room-b" in description
    assert "Remote hubs" in description and "<p>" not in description
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert session_filename(session) == "libraries-ai-12.ics"
