"""iCalendar edge cases as small inline calendars."""

from __future__ import annotations

import pytest

from bot.ingest import ParseResult, parse_programme
from bot.ingest.parsers import ical_expand

from .helpers import ics, utc


def _parse(data: bytes, venue: str = "Europe/Berlin") -> ParseResult:
    result = parse_programme(data, venue_tz=venue)
    assert result.format == "ical"
    return result


def test_duration_instead_of_dtend() -> None:
    (s,) = _parse(ics("UID:a\nSUMMARY:A\nDTSTART:20240301T100000Z\nDURATION:PT1H30M")).sessions
    assert (s.start, s.end) == (utc("2024-03-01T10:00"), utc("2024-03-01T11:30"))


def test_no_end_means_end_equals_start() -> None:
    (s,) = _parse(ics("UID:a\nSUMMARY:A\nDTSTART:20240301T100000Z")).sessions
    assert s.end == s.start == utc("2024-03-01T10:00")


def test_all_day_runs_to_next_midnight_in_the_venue_zone() -> None:
    (s,) = _parse(ics("UID:a\nSUMMARY:A\nDTSTART;VALUE=DATE:20240301"), "Europe/Moscow").sessions
    assert s.all_day
    assert (s.start, s.end) == (utc("2024-02-29T21:00"), utc("2024-03-01T21:00"))
    assert s.timezone == "Europe/Moscow"


def test_multi_day_all_day_keeps_its_end_date() -> None:
    body = "UID:a\nSUMMARY:A\nDTSTART;VALUE=DATE:20240301\nDTEND;VALUE=DATE:20240303"
    (s,) = _parse(ics(body), "UTC").sessions
    assert (s.start, s.end) == (utc("2024-03-01T00:00"), utc("2024-03-03T00:00"))


def test_floating_time_is_read_in_the_venue_zone() -> None:
    (s,) = _parse(ics("UID:a\nSUMMARY:A\nDTSTART:20240301T100000"), "Asia/Tokyo").sessions
    assert s.start == utc("2024-03-01T01:00")
    assert s.timezone == "Asia/Tokyo"


def test_x_wr_timezone_applies_to_floating_times_and_unknown_tzids() -> None:
    data = ics(
        "UID:a\nSUMMARY:A\nDTSTART:20240301T100000",
        "UID:b\nSUMMARY:B\nDTSTART;TZID=Nowhere/Special:20240301T110000",
        header="X-WR-TIMEZONE:Europe/Moscow",
    )
    result = _parse(data, "UTC")
    assert [s.start for s in result.sessions] == [utc("2024-03-01T07:00"), utc("2024-03-01T08:00")]
    assert {s.timezone for s in result.sessions} == {"Europe/Moscow"}
    assert any("unknown TZID 'Nowhere/Special'" in w for w in result.warnings)


def test_unknown_tzid_without_x_wr_falls_back_to_the_venue_zone() -> None:
    (s,) = _parse(ics("UID:b\nSUMMARY:B\nDTSTART;TZID=Nowhere:20240301T110000"), "UTC").sessions
    assert s.start == utc("2024-03-01T11:00")


def test_utc_times_show_in_the_venue_zone() -> None:
    (s,) = _parse(ics("UID:a\nSUMMARY:A\nDTSTART:20240301T100000Z"), "Europe/Paris").sessions
    assert s.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    ("tzid", "iana", "start"),
    [
        ("W. Europe Standard Time", "Europe/Berlin", "2024-03-01T09:00"),
        ("Romance Standard Time", "Europe/Paris", "2024-03-01T09:00"),
        ("Russian Standard Time", "Europe/Moscow", "2024-03-01T07:00"),
        ("Azerbaijan Standard Time", "Asia/Baku", "2024-03-01T06:00"),
    ],
)
def test_windows_zone_names(tzid: str, iana: str, start: str) -> None:
    (s,) = _parse(ics(f"UID:a\nSUMMARY:A\nDTSTART;TZID={tzid}:20240301T100000"), "UTC").sessions
    assert s.start == utc(start)
    assert s.timezone == iana


def test_windows_zone_with_its_own_vtimezone() -> None:
    vtimezone = """BEGIN:VTIMEZONE
TZID:Russian Standard Time
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0300
TZOFFSETTO:+0300
END:STANDARD
END:VTIMEZONE"""
    data = ics("UID:a\nSUMMARY:A\nDTSTART;TZID=Russian Standard Time:20240301T100000")
    data = data.replace(
        b"BEGIN:VEVENT", vtimezone.replace("\n", "\r\n").encode() + b"\r\nBEGIN:VEVENT", 1
    )
    (s,) = _parse(data, "UTC").sessions
    assert s.start == utc("2024-03-01T07:00")
    assert s.timezone == "Europe/Moscow"


def test_rrule_with_exdate_and_an_overridden_occurrence() -> None:
    data = ics(
        """UID:weekly
        SUMMARY:Weekly call
        DTSTART;TZID=Europe/Berlin:20240301T100000
        DTEND;TZID=Europe/Berlin:20240301T110000
        RRULE:FREQ=WEEKLY;COUNT=4
        EXDATE;TZID=Europe/Berlin:20240308T100000""",
        """UID:weekly
        RECURRENCE-ID;TZID=Europe/Berlin:20240315T100000
        SUMMARY:Weekly call (moved)
        DTSTART;TZID=Europe/Berlin:20240315T140000
        DTEND;TZID=Europe/Berlin:20240315T150000
        SEQUENCE:1""",
    )
    sessions = _parse(data).sessions
    assert [(s.key, s.title, s.start) for s in sessions] == [
        ("weekly@2024-03-01T09:00:00+00:00", "Weekly call", utc("2024-03-01T09:00")),
        ("weekly@2024-03-15T09:00:00+00:00", "Weekly call (moved)", utc("2024-03-15T13:00")),
        ("weekly@2024-03-22T09:00:00+00:00", "Weekly call", utc("2024-03-22T09:00")),
    ]
    assert sessions[1].end == utc("2024-03-15T14:00")


def test_endless_rrule_stops_two_years_after_the_first_event() -> None:
    data = ics("UID:d\nSUMMARY:Daily\nDTSTART:20240101T090000Z\nRRULE:FREQ=DAILY")
    result = _parse(data)
    assert len(result.sessions) == 732
    assert result.sessions[-1].start == utc("2026-01-01T09:00")
    assert any("recurrence goes past 2026-01-01" in w for w in result.warnings)


def test_occurrences_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ical_expand, "MAX_OCCURRENCES", 50)
    data = ics("UID:m\nSUMMARY:Every minute\nDTSTART:20240101T090000Z\nRRULE:FREQ=MINUTELY")
    result = _parse(data)
    assert len(result.sessions) == 50
    assert any("cut at 50 occurrences" in w for w in result.warnings)


def test_cancelled_and_sequence() -> None:
    body = "UID:c\nSUMMARY:C\nDTSTART:20240301T100000Z\nSTATUS:CANCELLED\nSEQUENCE:3"
    (s,) = _parse(ics(body)).sessions
    assert s.cancelled and s.sequence == 3


def test_utf8_bom_and_lf_line_ends() -> None:
    data = b"\xef\xbb\xbf" + ics("UID:b\nSUMMARY:Привет\nDTSTART:20240301T100000Z").replace(
        b"\r\n", b"\n"
    )
    (s,) = _parse(data).sessions
    assert s.title == "Привет"


def test_repeated_uid_for_different_events_is_disambiguated() -> None:
    data = ics(
        "UID:same\nSUMMARY:First\nDTSTART:20240301T100000Z",
        "UID:same\nSUMMARY:Second\nDTSTART:20240302T100000Z",
    )
    sessions = _parse(data).sessions
    assert [(s.key, s.title) for s in sessions] == [
        ("same#2024-03-01T10:00:00+00:00", "First"),
        ("same#2024-03-02T10:00:00+00:00", "Second"),
    ]


def test_missing_uid_gets_a_stable_hash() -> None:
    data = ics("SUMMARY:No uid\nDTSTART:20240301T100000Z\nLOCATION:Hall")
    first, second = _parse(data).sessions[0], _parse(data).sessions[0]
    assert first.key.startswith("sha1:") and first.key == second.key


def test_properties_are_mapped() -> None:
    body = """UID:p
    SUMMARY;LANGUAGE=ru:Сессия
    DTSTART:20240301T100000Z
    LOCATION:Hall A
    CATEGORIES:Policy,Access
    URL:https://example.org/p
    ORGANIZER;CN=IGF Secretariat:mailto:igf@example.org
    ATTENDEE;ROLE=CHAIR;CN=Chair Person:mailto:chair@example.org
    ATTENDEE;ROLE=REQ-PARTICIPANT;CN=Someone:mailto:someone@example.org
    CONFERENCE;VALUE=URI;FEATURE=VIDEO:https://zoom.us/j/123
    X-WEBCAST:https://live.example.org/a
    DESCRIPTION:<p>Line one<br>line two</p>"""
    (s,) = _parse(ics(body)).sessions
    assert (s.room, s.track, s.url) == ("Hall A", "Policy, Access", "https://example.org/p")
    assert s.organiser == "IGF Secretariat"
    assert s.persons == ("Chair Person",)
    assert s.participation_url == "https://zoom.us/j/123"
    assert s.webcast_url == "https://live.example.org/a"
    assert s.language == "ru"
    assert s.description == "Line one\nline two"


def test_event_without_dtstart_is_skipped_with_a_warning() -> None:
    data = ics("UID:ok\nSUMMARY:Ok\nDTSTART:20240301T100000Z", "UID:bad\nSUMMARY:Bad")
    result = _parse(data)
    assert [s.key for s in result.sessions] == ["ok"]
    assert any("UID bad" in w and "DTSTART" in w for w in result.warnings)


def test_only_broken_events_is_an_error() -> None:
    from bot.ingest import ParseError

    with pytest.raises(ParseError, match="no usable event"):
        parse_programme(ics("UID:bad\nSUMMARY:Bad\nDTSTART:2024-03-01 10:00"))


def test_empty_calendar_is_fine() -> None:
    result = _parse(ics())
    assert result.sessions == [] and result.warnings == ["no events in the calendar"]
