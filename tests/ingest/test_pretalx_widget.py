"""pretalx widget/schedule JSON: ids and codes resolved, breaks skipped, broken files."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.ingest import ParseError, SessionRecord, detect_format, parse_programme

from .helpers import PROJECT_ROOT, utc

FIXTURE = PROJECT_ROOT / "tests" / "data" / "pretalx_widget.json"


def _fixture() -> dict[str, SessionRecord]:
    result = parse_programme(FIXTURE.read_bytes(), venue_tz="Europe/Berlin")
    assert result.format == "pretalx_widget"
    assert result.warnings == []
    return {s.key: s for s in result.sessions}


def test_fixture_is_detected_by_content() -> None:
    assert detect_format(FIXTURE.read_bytes()) == "pretalx_widget"


def test_breaks_are_not_sessions() -> None:
    sessions = _fixture()
    assert len(sessions) == 8
    assert "Coffee break" not in {s.title for s in sessions.values()}


@pytest.mark.parametrize(
    ("key", "field", "expected"),
    [
        ("VGHDUK", "start", utc("2025-10-02T07:00")),
        ("VGHDUK", "end", utc("2025-10-02T07:30")),
        ("VGHDUK", "room", "Main Stage"),  # {"en": ..., "de": ...} -> English
        ("VGHDUK", "track", "Policy"),
        ("MX8RBA", "persons", ("Fiona Krakenbürger", "Adriana Groh")),
        ("MX8RBA", "description", "What worked, what did not, and what comes next."),
        ("L2WW7N", "persons", ("Aisha Bello", "Tomás Ortega", "Лиана Иванова")),
        ("P9QZ3K", "room", "Workshop Room"),
        ("TQ4RZE", "room", "Lounge"),  # a plain-string room name
        ("TQ4RZE", "language", "ru"),
        ("N5EYHG", "cancelled", True),
        ("B7CZKD", "cancelled", False),
        ("Q3XUPF", "track", None),
        ("Q3XUPF", "timezone", "Europe/Berlin"),
    ],
)
def test_fixture_fields(key: str, field: str, expected: object) -> None:
    assert getattr(_fixture()[key], field) == expected


def _doc(*talks: dict[str, Any], **extra: Any) -> bytes:
    doc = {"talks": list(talks), "rooms": [{"id": 1, "name": "R1"}], "timezone": "UTC"}
    doc["speakers"] = [{"code": "SP1", "name": "Ada Lovelace"}]
    return json.dumps(doc | extra).encode()


def _talk(**extra: Any) -> dict[str, Any]:
    talk = {"code": "T1", "title": "Talk", "start": "2024-03-01T10:00:00+01:00", "room": 1}
    return talk | {"end": "2024-03-01T10:30:00+01:00", "speakers": ["SP1"]} | extra


@pytest.mark.parametrize(
    ("talk", "field", "expected"),
    [
        (_talk(), "persons", ("Ada Lovelace",)),
        (_talk(speakers=[{"code": "X", "name": "Inline Name"}]), "persons", ("Inline Name",)),
        (_talk(), "room", "R1"),
        (_talk(room={"id": 9, "name": {"de": "Saal"}}), "room", "Saal"),
        (_talk(room=99), "room", None),
        (_talk(title={"de": "Vortrag"}), "title", "Vortrag"),
        (_talk(end=None, duration=45), "end", utc("2024-03-01T09:45")),
        (_talk(start="2024-03-01T10:00:00"), "start", utc("2024-03-01T10:00")),  # venue zone
    ],
)
def test_talk_fields(talk: dict[str, Any], field: str, expected: object) -> None:
    (session,) = parse_programme(_doc(talk), venue_tz="UTC").sessions
    assert getattr(session, field) == expected


def test_unknown_speaker_code_is_reported() -> None:
    result = parse_programme(_doc(_talk(speakers=["SP1", "NOPE"])), venue_tz="UTC")
    assert result.sessions[0].persons == ("Ada Lovelace",)
    assert result.warnings == ['1 speaker code(s) not in "speakers"; left out']


def test_other_zone_is_reported() -> None:
    result = parse_programme(_doc(_talk(), timezone="Europe/Berlin"), venue_tz="UTC")
    assert any("declares time zone Europe/Berlin" in w for w in result.warnings)


def test_talk_without_start_is_skipped_and_reported() -> None:
    result = parse_programme(_doc(_talk(), _talk(code="T2", start=None)), venue_tz="UTC")
    assert [s.key for s in result.sessions] == ["T1"]
    assert result.warnings[0].startswith("talk 2 (code T2): ")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"talks":\n [}', r"^pretalx widget JSON: line 2, column \d+: "),
        (b"[1]", r"^pretalx widget JSON: top level is not an object$"),
        (b'{"talks": {}, "rooms": []}', r'^pretalx widget JSON: no "talks" list$'),
        (b'{"talks": [], "rooms": {}}', r'^pretalx widget JSON: "rooms" is not a list$'),
        (_doc(_talk(start="soon")), r"^pretalx widget JSON: no usable event \(talk 1 \(code T1\)"),
    ],
)
def test_broken_files_get_one_line(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as caught:
        parse_programme(data, format="pretalx_widget", venue_tz="UTC")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (_doc(_talk()), "pretalx_widget"),
        (b'{"talks": [], "speakers": []}', "pretalx_widget"),
        (b'{"talks": []}', None),  # not enough to tell
    ],
)
def test_detection(data: bytes, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ParseError, match="unknown format"):
            detect_format(data)
    else:
        assert detect_format(data) == expected
