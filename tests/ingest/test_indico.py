"""Indico timetable export JSON: nesting, breaks, zones, detection and broken files."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.ingest import ParseError, detect_format, parse_programme

from .helpers import PROJECT_ROOT, utc

FIXTURE = PROJECT_ROOT / "tests" / "data" / "indico_timetable.json"
TRACK = "Main Session: Building Our Multistakeholder Digital Future"


def _fixture() -> dict[str, Any]:
    result = parse_programme(FIXTURE.read_bytes(), venue_tz="Asia/Riyadh")
    assert result.format == "indico_timetable"
    assert result.warnings == []
    return {s.key: s for s in result.sessions}


def test_fixture_is_detected_by_content() -> None:
    assert detect_format(FIXTURE.read_bytes()) == "indico_timetable"


def test_breaks_are_not_sessions_and_blocks_yield_their_contributions() -> None:
    keys = set(_fixture())
    assert keys == {
        "a1381c1", "a1381c4", "a1381c5", "a1381c8", "a1381c9", "a1381s10l100",
        "a1381c11", "a1381c14", "a1381c15", "a1381c17",
    }  # fmt: skip
    assert not any("b" in key.removeprefix("a1381") for key in keys)


@pytest.mark.parametrize(
    ("key", "field", "expected"),
    [
        ("a1381c1", "start", utc("2024-12-15T06:00")),  # 09:00 Asia/Riyadh
        ("a1381c1", "end", utc("2024-12-15T07:00")),
        ("a1381c1", "persons", ("Junhua Li", "Abdullah Alswaha")),
        ("a1381c1", "track", None),
        ("a1381c1", "webcast_url", "https://webtv.un.org/en/igf2024/plenary-hall"),
        ("a1381c1", "url", "https://indico.un.org/event/1381/contributions/1/"),
        ("a1381c1", "timezone", "Asia/Riyadh"),
        ("a1381c4", "track", TRACK),
        ("a1381c5", "track", TRACK),
        ("a1381c5", "room", "Plenary Hall"),
        ("a1381c8", "room", "Workshop Room 1"),
        ("a1381c8", "track", "Workshops"),
        ("a1381c8", "participation_url", "https://unitednations.zoom.us/j/91234567890"),
        ("a1381c9", "room", "Workshop Room 2"),
        ("a1381s10l100", "title", "Dynamic Coalition on Accessibility and Disability"),
        ("a1381s10l100", "persons", ("Gunela Astbrink",)),
        ("a1381s10l100", "description", "An open meeting of the coalition."),
        ("a1381s10l100", "track", None),
        ("a1381c14", "track", "Parliamentary Track"),
        ("a1381c17", "start", utc("2024-12-16T14:00")),
    ],
)
def test_fixture_fields(key: str, field: str, expected: object) -> None:
    assert getattr(_fixture()[key], field) == expected


def _doc(*entries: dict[str, Any], day: str = "20240301") -> bytes:
    return json.dumps({"results": {"7": {day: {e["id"]: e for e in entries}}}}).encode()


def _when(clock: str, tz: str | None = "Europe/Zurich", day: str = "2024-03-01") -> dict[str, str]:
    moment = {"date": day, "time": clock}
    return moment | ({"tz": tz} if tz else {})


def _contrib(ident: str, **extra: Any) -> dict[str, Any]:
    entry = {
        "id": ident,
        "entryType": "Contribution",
        "title": f"Talk {ident}",
        "startDate": _when("10:00:00"),
        "endDate": _when("10:30:00"),
    }
    return entry | extra


@pytest.mark.parametrize(
    ("entry", "field", "expected"),
    [
        (_contrib("c1"), "start", utc("2024-03-01T09:00")),
        (_contrib("c1", startDate=_when("10:00", tz=None)), "start", utc("2024-03-01T10:00")),
        (_contrib("c1", startDate=_when("10:00", "Asia/Tokyo")), "start", utc("2024-03-01T01:00")),
        (_contrib("c1"), "key", "c1"),
        (_contrib("c1", uniqueId="a7c1"), "key", "a7c1"),
        (_contrib("c1", room="", location="CERN"), "room", "CERN"),
        (_contrib("c1", presenters=[{"firstName": "Ada", "familyName": "Lovelace"}]), "persons",
         ("Ada Lovelace",)),
        (_contrib("c1", endDate=None), "end", utc("2024-03-01T09:00")),
        ({"id": "s2", "entryType": "Session", "title": "BoF", "slotTitle": "Slot 2",
          "startDate": _when("11:00"), "endDate": _when("12:00")}, "title", "BoF: Slot 2"),
        ({"id": "s2", "entryType": "Session", "title": "Outer", "startDate": _when("11:00"),
          "entries": {"s3": {"id": "s3", "entryType": "Session", "title": "Inner",
                             "entries": {"c4": _contrib("c4")}}}}, "track", "Inner"),
    ],
)  # fmt: skip
def test_entry_fields(entry: dict[str, Any], field: str, expected: object) -> None:
    (session,) = parse_programme(_doc(entry), venue_tz="UTC").sessions
    assert getattr(session, field) == expected


def test_entry_without_start_is_skipped_and_reported() -> None:
    result = parse_programme(_doc(_contrib("c1"), _contrib("c2", startDate={})), venue_tz="UTC")
    assert [s.key for s in result.sessions] == ["c1"]
    assert result.warnings == ["results/7/20240301/c2: no startDate; skipped"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"results":\n {"7": ]}}', r"^Indico timetable: line 2, column \d+: "),
        (b"[1]", r"^Indico timetable: top level is not an object$"),
        (b'{"results": []}', r'^Indico timetable: no "results" object keyed by event id$'),
        (b'{"results": {"7": []}}', r"^Indico timetable: results/7: not an object of days$"),
        (b'{"results": {"7": {"2024-03-01": {}}}}', r"results/7/2024-03-01: day key .* YYYYMMDD"),
        (b'{"results": {"7": {"20240301": []}}}', r"results/7/20240301: day is not an object"),
        (_doc(_contrib("c1", startDate={"date": "2024-13-01"})),
         r"^Indico timetable: no usable event \(results/7/20240301/c1: unreadable startDate"),
    ],
)  # fmt: skip
def test_broken_files_get_one_line(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_programme(data, format="indico_timetable", venue_tz="UTC")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_doc(_contrib("c1")), "indico_timetable"),
        (b'{"results": {"7": {}}}', "indico_timetable"),
        (b'{"schedule": {"conference": {}}}', "frab_json"),
    ],
)
def test_detection(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected


EVENT_FIXTURE = PROJECT_ROOT / "tests" / "data" / "indico_event.json"


def test_event_export_is_detected_by_content() -> None:
    assert detect_format(EVENT_FIXTURE.read_bytes()) == "indico_event"


def test_event_export_gives_the_timetable_s_contributions() -> None:
    """Same programme, two Indico exports: the same sessions, except the empty Session
    block, which only the timetable shows, and the unscheduled contribution, counted."""
    event = parse_programme(EVENT_FIXTURE.read_bytes(), venue_tz="Asia/Riyadh")
    assert event.warnings == ["1 contribution(s) not in the timetable; left out"]
    timetable = [s for key, s in _fixture().items() if key != "a1381s10l100"]
    assert sorted(event.sessions, key=lambda s: s.key) == sorted(timetable, key=lambda s: s.key)
    assert event.title == "Internet Governance Forum 2024"


def _event(*contributions: dict[str, Any]) -> bytes:
    return json.dumps({"results": [{"id": "7", "contributions": list(contributions)}]}).encode()


@pytest.mark.parametrize(
    ("contribution", "field", "expected"),
    [
        (_contrib("3"), "key", "a7c3"),
        (_contrib("3", session="Plenary", track="Policy"), "track", "Plenary"),
        (_contrib("3", session={"title": "Plenary"}), "track", "Plenary"),
        (_contrib("3", session=None, track="Policy"), "track", "Policy"),
        (_contrib("3", speakers=[{"fullName": "Lovelace, Ada", "first_name": "Ada",
                                  "last_name": "Lovelace"}]), "persons", ("Ada Lovelace",)),
        (_contrib("3", speakers=[{"fullName": "Ada L."}]), "persons", ("Ada L.",)),
    ],
)  # fmt: skip
def test_event_contribution_fields(
    contribution: dict[str, Any], field: str, expected: object
) -> None:
    (session,) = parse_programme(_event(contribution), venue_tz="UTC").sessions
    assert getattr(session, field) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"results":\n [}', r"^Indico event JSON: line 2, column \d+: "),
        (b'{"results": {}}', r'^Indico event JSON: no "results" list of events$'),
        (b'{"results": [{"id": 1}]}', r"^Indico event JSON: results/0: no \"contributions\" list"),
        (_event(_contrib("3", startDate={"date": "x"})), r"no usable event \(results/0/contrib"),
    ],
)
def test_broken_event_exports_get_one_line(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_programme(data, format="indico_event", venue_tz="UTC")
    assert "\n" not in str(caught.value)
