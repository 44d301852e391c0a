"""CSV programmes: header aliases, delimiters, times, and errors that name the line."""

from __future__ import annotations

import pytest

from bot.ingest import ParseError, ParseResult, parse_programme

from .helpers import utc


def _parse(text: str, venue: str = "Europe/Berlin") -> ParseResult:
    result = parse_programme(text.encode(), format="csv", venue_tz=venue)
    assert result.format == "csv"
    return result


def test_comma_delimited_with_aliases_and_quotes() -> None:
    text = (
        "Name,Begins,End_Time,Location,Link,Stream,Abstract,Speakers,ID,Remote\n"
        '"Talk, with comma",2024-03-01 10:00,2024-03-01 11:00,Hall,https://e.org/1,'
        'https://live.e.org/1,"Multi\nline",A; B,id-1,https://zoom.us/j/1\n'
    )
    (s,) = _parse(text).sessions
    assert (s.key, s.title, s.room) == ("id-1", "Talk, with comma", "Hall")
    assert (s.start, s.end) == (utc("2024-03-01T09:00"), utc("2024-03-01T10:00"))
    assert (s.url, s.webcast_url) == ("https://e.org/1", "https://live.e.org/1")
    assert s.participation_url == "https://zoom.us/j/1"
    assert s.persons == ("A", "B")
    assert s.description == "Multi\nline"


def test_offsets_in_cells_win_over_the_venue_zone() -> None:
    (s,) = _parse("title,start\nA,2024-03-01T10:00:00+05:00\n").sessions
    assert s.start == utc("2024-03-01T05:00") == s.end


def test_date_only_is_all_day() -> None:
    (s,) = _parse("title;start\nA;2024-03-01\n", "UTC").sessions
    assert s.all_day and (s.start, s.end) == (utc("2024-03-01T00:00"), utc("2024-03-02T00:00"))


def test_end_clock_time_past_midnight() -> None:
    (s,) = _parse("title,start,end\nLate,2024-03-01 23:00,01:00\n", "UTC").sessions
    assert s.end == utc("2024-03-02T01:00")


def test_key_falls_back_to_a_hash_and_rows_may_be_blank() -> None:
    result = _parse("title,start,room\nA,2024-03-01 10:00,R\n,,\n\nB,2024-03-01 11:00,R\n")
    assert [s.title for s in result.sessions] == ["A", "B"]
    assert all(s.key.startswith("sha1:") for s in result.sessions)


def test_per_row_timezone_and_status() -> None:
    text = "title,start,timezone,status\nA,2024-03-01 10:00,Asia/Tokyo,cancelled\n"
    (s,) = _parse(text, "UTC").sessions
    assert (s.start, s.timezone, s.cancelled) == (utc("2024-03-01T01:00"), "Asia/Tokyo", True)


def test_broken_date_names_the_line() -> None:
    text = 'title,start\nA,2024-03-01 10:00\n"B\nstill B",2024-03-01 11:00\nC,31/02/2024 noon\n'
    with pytest.raises(ParseError) as caught:
        _parse(text)
    assert caught.value.where == "line 5"
    assert str(caught.value) == "CSV: line 5: unreadable date/time '31/02/2024 noon'"


def test_empty_start_is_an_error() -> None:
    with pytest.raises(ParseError, match="CSV: line 2: empty start"):
        _parse("title,start\nA,\n")


def test_header_without_title_and_start() -> None:
    with pytest.raises(ParseError, match="CSV: line 1: header needs a title and a start column"):
        _parse("foo,bar\n1,2\n")


def test_header_only_gives_a_warning() -> None:
    assert _parse("title,start\n").warnings == ["no rows after the header"]


def test_unsafe_links_are_dropped() -> None:
    (s,) = _parse("title,start,url\nA,2024-03-01 10:00,javascript:alert(1)\n").sessions
    assert s.url is None


def test_windows_1252_is_tolerated() -> None:
    data = "title;start\nCafé;2024-03-01 10:00\n".encode("cp1252")
    result = parse_programme(data, format="csv")
    assert result.sessions[0].title == "Café"
    assert result.warnings == ["1 line(s) not valid UTF-8; read as Windows-1252"]
