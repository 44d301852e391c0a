"""One small programme written in nine forms parses to the same sessions."""

from __future__ import annotations

from typing import Any

import pytest

from bot.ingest import detect_format, parse_programme

from .helpers import PROGRAMME_DIR, utc

FILES = {
    "programme.ics": "ical",
    "programme.xml": "frab_xml",
    "programme.json": "frab_json",
    "programme.csv": "csv",
    "programme.indico.json": "indico_timetable",
    "programme.pretalx.json": "pretalx_widget",
    "programme.xcal": "xcal",
    "programme.rfc6321.xml": "xcal",
    "programme.xlsx": "xlsx",
}
# Fields a format cannot carry: Indico has no cancelled state (organisers delete or retitle
# the contribution); pretalx's widget has neither a talk URL nor links.
NOT_CARRIED = {
    "programme.indico.json": {"cancelled"},
    "programme.pretalx.json": {"url", "webcast_url"},
}
# What all four formats can carry (organiser, language, sequence, all_day differ by design).
COMMON = ("key", "title", "start", "end", "timezone", "room", "track", "url", "webcast_url",
          "persons", "description", "cancelled")  # fmt: skip


def _rows(name: str, skip: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    data = (PROGRAMME_DIR / name).read_bytes()
    assert detect_format(data) == FILES[name]
    result = parse_programme(data, venue_tz="Europe/Moscow")
    assert result.warnings == []
    return [{k: getattr(s, k) for k in COMMON if k not in skip} for s in result.sessions]


@pytest.mark.parametrize("name", [n for n in FILES if n != "programme.ics"])
def test_same_sessions_as_ical(name: str) -> None:
    skip = frozenset(NOT_CARRIED.get(name, ()))
    assert _rows(name, skip) == _rows("programme.ics", skip)


def test_the_programme_itself() -> None:
    sessions = {row["key"]: row for row in _rows("programme.ics")}
    assert len(sessions) == 5
    night = sessions["tf24-3"]
    assert (night["start"], night["end"]) == (utc("2024-06-18T20:30"), utc("2024-06-18T21:45"))
    assert sessions["tf24-2"]["title"] == "Цифровое будущее: доступ для всех"
    assert sessions["tf24-2"]["room"] == "Зал 2"
    assert sessions["tf24-1"]["webcast_url"] == "https://live.example.org/main-hall"
    assert sessions["tf24-1"]["persons"] == ("Anna Ivanova", "John Smith")
    assert sessions["tf24-1"]["description"] == "Welcome & introductions."
    assert [k for k, row in sessions.items() if row["cancelled"]] == ["tf24-4"]
    assert {row["timezone"] for row in sessions.values()} == {"Europe/Moscow"}


def test_json_lines_shape() -> None:
    data = (PROGRAMME_DIR / "programme.ics").read_bytes()
    line = parse_programme(data, venue_tz="Europe/Moscow").sessions[0].to_json_dict()
    assert list(line) == list(COMMON)
    assert line["start"] == "2024-06-18T06:00:00+00:00"
    assert line["persons"] == ["Anna Ivanova", "John Smith"]
