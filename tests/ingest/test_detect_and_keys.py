"""Format detection from content and hints; key helpers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.ingest import ParseError, SessionRecord, detect_format
from bot.ingest.keys import hashed_key, make_keys_unique

from .helpers import PROGRAMME_DIR, zip_bytes


def _xlsx_bytes() -> bytes:
    return (PROGRAMME_DIR / "programme.xlsx").read_bytes()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xef\xbb\xbf\r\n  BEGIN:VCALENDAR\r\nEND:VCALENDAR", "ical"),
        (b"begin:vcalendar\n", "ical"),
        (b"<?xml version='1.0'?>\n<!-- c -->\n<!DOCTYPE schedule>\n<schedule/>", "frab_xml"),
        (b"<conference/>", "frab_xml"),
        (b'<?xml version="1.0"?><rss version="2.0"/>', "news"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "news"),
        (b'<rdf:RDF xmlns:rdf="x"/>', "news"),
        (b'{"schedule": {"conference": {}}}', "frab_json"),
        (b'  {"events": []}', "frab_json"),
        (b"Title;Start;Room\nA;2024-01-01 10:00;R\n", "csv"),
        ("\ufeffName,Begins\n".encode(), "csv"),
        ("BEGIN:VCALENDAR\r\n".encode("utf-16"), "ical"),
        (b'<?xml version="1.0"?>\n<iCalendar xmlns:pentabarf="http://pentabarf.org"/>', "xcal"),
        (b'<icalendar xmlns="urn:ietf:params:xml:ns:icalendar-2.0"/>', "xcal"),
        (b'<xCal:iCalendar xmlns:xCal="urn:ietf:params:xml:ns:xcal"/>', "xcal"),
        ("Название;Начало;Зал\nA;10:00;R\n".encode(), "csv"),
        (_xlsx_bytes(), "xlsx"),
    ],
)
def test_detect_from_content(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected


def test_xlsx_is_known_by_content_not_by_name() -> None:
    data = _xlsx_bytes()
    assert detect_format(data, url="https://e.org/programme.csv", content_type="text/csv") == "xlsx"
    assert detect_format(data[: len(data) // 2]) == "xlsx"  # damaged: the parser says how
    assert detect_format(b"junk", url="https://e.org/p.xlsx") == "xlsx"
    assert detect_format(b"junk", url="https://e.org/schedule.xcal") == "xcal"


def test_hints_only_decide_when_content_does_not() -> None:
    assert detect_format(b"a,b\n1,2\n", content_type="text/csv; charset=utf-8") == "csv"
    assert detect_format(b"junk", url="https://e.org/cal.ics?x=1") == "ical"
    assert detect_format(b"BEGIN:VCALENDAR", content_type="application/json") == "ical"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input"),
        (b"<html><body>x</body></html>", "HTML page"),
        (b'{"foo": 1}', "unknown format"),
        (b"<svg/>", "unknown format"),
        (b"hello world", "unknown format"),
        (zip_bytes({"word/document.xml": b"<w/>"}), "zip archive, but not an Excel workbook"),
    ],
)
def test_detect_failures(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        detect_format(data)


def _session(key: str, hour: int) -> SessionRecord:
    start = datetime(2024, 1, 1, hour, tzinfo=UTC)
    return SessionRecord(key=key, title="t", start=start, end=start, timezone="UTC")


def test_make_keys_unique_is_deterministic() -> None:
    warnings: list[str] = []
    sessions = [_session("a", 9), _session("b", 9), _session("a", 10), _session("a", 10)]
    keys = [s.key for s in make_keys_unique(sessions, warnings)]
    assert keys == [
        "a#2024-01-01T09:00:00+00:00",
        "b",
        "a#2024-01-01T10:00:00+00:00",
        "a#2024-01-01T10:00:00+00:00#2",
    ]
    assert len(warnings) == 1


def test_hashed_key() -> None:
    assert hashed_key("a", None, 1) == hashed_key("a", "", "1")
    assert hashed_key("a", "b") != hashed_key("ab")
    assert hashed_key("x", algo="sha256").startswith("sha256:")


def test_every_parser_is_detectable_and_selectable() -> None:
    from bot.ingest.detect import FORMATS
    from bot.ingest.registry import PARSERS
    from config.settings import SOURCE_FORMATS

    assert set(FORMATS) == set(PARSERS) == set(SOURCE_FORMATS)
