"""frab XML / JSON edge cases: wall times, durations, days past midnight, lenient schema."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.ingest import ParseError, ParseResult, parse_programme
from bot.ingest.parsers.common import parse_duration

from .helpers import utc


def _xml(events: str, conference: str = "", day: str = "2024-03-01") -> bytes:
    return (
        f"<?xml version='1.0' encoding='utf-8'?>\n<schedule><conference><title>T</title>"
        f"{conference}</conference><day index='1' date='{day}'><room name='R1'>{events}"
        "</room></day></schedule>"
    ).encode()


def _parse(data: bytes, venue: str = "Europe/Berlin") -> ParseResult:
    return parse_programme(data, venue_tz=venue)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("00:25", timedelta(minutes=25)),
        ("01:30:00", timedelta(hours=1, minutes=30)),
        ("00:05:30", timedelta(minutes=5, seconds=30)),
        ("1:02:30", timedelta(days=1, hours=2, minutes=30)),
        ("45", timedelta(minutes=45)),
        ("PT1H15M", timedelta(hours=1, minutes=15)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_pentabarf_wall_time_in_the_venue_zone() -> None:
    data = _xml(
        "<event id='7'><start>09:30</start><duration>00:45:00</duration><title>A</title></event>"
    )
    (s,) = _parse(data).sessions
    assert (s.key, s.room) == ("7", "R1")
    assert (s.start, s.end) == (utc("2024-03-01T08:30"), utc("2024-03-01T09:15"))


def test_events_after_day_change_belong_to_the_next_date() -> None:
    data = _xml(
        "<event id='1'><start>23:30</start><duration>01:00</duration><title>Late</title></event>"
        "<event id='2'><start>01:30</start><duration>01:00</duration><title>Later</title></event>",
        conference="<day_change>04:00</day_change>",
    )
    starts = {s.title: s.start for s in _parse(data, "UTC").sessions}
    assert starts == {"Late": utc("2024-03-01T23:30"), "Later": utc("2024-03-02T01:30")}


def test_date_with_offset_wins_and_disagreement_is_reported() -> None:
    data = _xml(
        "<event guid='g'><date>2024-03-01T10:00:00+02:00</date><start>07:00</start>"
        "<duration>00:30</duration><title>A</title></event>"
    )
    result = _parse(data)
    assert result.sessions[0].start == utc("2024-03-01T08:00")
    assert any("<start> differs from <date>" in w for w in result.warnings)


def test_date_without_offset_is_read_in_the_venue_zone() -> None:
    data = _xml(
        "<event id='1'><date>2024-03-01T10:00:00</date><duration>00:30</duration>"
        "<title>A</title></event>"
    )
    assert _parse(data, "Europe/Moscow").sessions[0].start == utc("2024-03-01T07:00")


def test_unreadable_date_falls_back_to_day_and_start() -> None:
    data = _xml(
        "<event id='1'><date>TBD</date><start>10:00</start><duration>00:30</duration>"
        "<title>A</title></event>"
    )
    result = _parse(data, "UTC")
    assert result.sessions[0].start == utc("2024-03-01T10:00")
    assert any("unreadable <date>" in w for w in result.warnings)


def test_lenient_about_missing_pieces() -> None:
    data = _xml(
        "<event id='1'><start>10:00</start><title>No duration</title></event>"
        "<event id='2'><start>11:00</start><duration>00:30</duration></event>"
        "<event id='3'><duration>00:30</duration><title>No start</title></event>"
    )
    result = _parse(data)
    assert [(s.key, s.title) for s in result.sessions] == [
        ("1", "No duration"),
        ("2", "(untitled)"),
    ]
    assert result.sessions[0].end == result.sessions[0].start
    warnings = " | ".join(result.warnings)
    assert (
        "event 3 (id 3)" in warnings
        and "no title" in warnings
        and "no or unreadable duration" in warnings
    )


def test_only_unusable_events_is_an_error() -> None:
    with pytest.raises(ParseError, match=r"frab XML: no usable event \(event 1 \(id 3\)"):
        _parse(_xml("<event id='3'><duration>00:30</duration><title>No start</title></event>"))


def test_escaped_html_and_markdown_become_plain_text() -> None:
    data = _xml(
        "<event id='1'><start>10:00</start><duration>00:30</duration><title>A</title>"
        "<abstract>&lt;p&gt;Hello &amp;amp; &lt;b&gt;welcome&lt;/b&gt;&lt;/p&gt;</abstract>"
        "<description>**Bold** and [a link](https://example.org)</description></event>"
    )
    (s,) = _parse(data).sessions
    assert s.description == "Hello & welcome\n\nBold and a link (https://example.org)"


def test_zone_declared_in_file_differs_from_venue() -> None:
    data = _xml(
        "<event id='1'><start>10:00</start><duration>00:30</duration><title>A</title></event>",
        conference="<time_zone_name>Asia/Kolkata</time_zone_name>",
    )
    result = _parse(data)
    assert result.sessions[0].timezone == "Europe/Berlin"
    assert any("declares time zone Asia/Kolkata" in w for w in result.warnings)


def test_duplicate_ids_are_made_unique() -> None:
    data = _xml(
        "<event id='1'><start>10:00</start><duration>00:30</duration><title>A</title></event>"
        "<event id='1'><start>11:00</start><duration>00:30</duration><title>B</title></event>"
    )
    result = _parse(data, "UTC")
    assert [s.key for s in result.sessions] == [
        "1#2024-03-01T10:00:00+00:00",
        "1#2024-03-01T11:00:00+00:00",
    ]
    assert any("key(s) used by several sessions" in w for w in result.warnings)


def test_links_video_url_and_cancel_marker() -> None:
    data = _xml(
        "<event id='1'><start>10:00</start><duration>00:30</duration><title>CANCELLED: A</title>"
        "<video_download_url>https://cdn.example.org/a.mp4</video_download_url>"
        "<links><link href='javascript:alert(1)'>Livestream</link>"
        "<link href='https://meet.jit.si/room'>Join</link></links></event>"
    )
    (s,) = _parse(data).sessions
    assert s.cancelled
    assert s.webcast_url == "https://cdn.example.org/a.mp4"
    assert s.participation_url == "https://meet.jit.si/room"


def test_frab_json_wall_time_without_date() -> None:
    data = (
        b'{"schedule": {"conference": {"title": "T", "days": [{"date": "2024-03-01", "rooms": '
        b'{"R": [{"id": 5, "start": "10:00", "duration": "00:30", "title": "A", '
        b'"persons": ["X"]}]}}]}}}'
    )
    (s,) = _parse(data, "Europe/Moscow").sessions
    assert (s.key, s.room, s.start, s.persons) == ("5", "R", utc("2024-03-01T07:00"), ("X",))


def test_schedule_v2_events_at_top_level() -> None:
    data = (
        b'{"events": [{"guid": "g1", "title": "A", "start": "2024-03-01T10:00:00+01:00", '
        b'"end": "2024-03-01T11:00:00+01:00", "room": {"name": "Saal"}, "track": "T", '
        b'"participants": [{"name": "S", "role": "SPEAKER"}, '
        b'{"name": "C", "role": "CONTRIBUTOR"}]}]}'
    )
    (s,) = _parse(data).sessions
    assert (s.key, s.room, s.track, s.persons) == ("g1", "Saal", "T", ("S",))
    assert (s.start, s.end) == (utc("2024-03-01T09:00"), utc("2024-03-01T10:00"))


def test_json_with_odd_types_is_tolerated() -> None:
    data = (
        b'{"schedule": {"conference": {"days": [{"date": "2024-03-01", "rooms": {"R": ['
        b'"not an event", {"id": 1, "date": "2024-03-01T10:00:00Z", "duration": 30, '
        b'"title": 42, "persons": [null, {"public_name": "P"}], "links": [7, {"url": 1}]}]}}, 3]}}}'
    )
    result = _parse(data)
    assert [(s.key, s.title, s.persons) for s in result.sessions] == [("1", "42", ("P",))]
    assert result.sessions[0].end - result.sessions[0].start == timedelta(minutes=30)
    assert any("event 1" in w and "skipped" in w for w in result.warnings)
