"""Hostile and broken input: always a ParseError, never another exception, never a hang."""

from __future__ import annotations

import time

import pytest

from bot.ingest import ParseError, parse_programme

from .helpers import PROGRAMME_DIR, XML_BOMB, replace_in_zip, zip_bytes

BILLION_LAUGHS = XML_BOMB + b"<schedule><conference><title>&lol9;</title></conference></schedule>\n"
WORKSHEET_BOMB = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE schedule [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<schedule><conference><title>&xxe;</title></conference></schedule>
"""


def _read(name: str) -> bytes:
    return (PROGRAMME_DIR / name).read_bytes()


def _truncated(name: str, keep: float = 0.6) -> bytes:
    data = _read(name)
    return data[: int(len(data) * keep)]


CASES = {
    "billion laughs": (BILLION_LAUGHS, None),
    "external entity": (EXTERNAL_ENTITY, None),
    "garbage bytes": (bytes(range(256)) * 20, None),
    "garbage as ical": (b"\x00\xff\xfe\x00garbage" * 50, "ical"),
    "garbage as xml": (b"\x00\xff\xfe\x00garbage" * 50, "frab_xml"),
    "garbage as json": (b"\x00\xff\xfe\x00garbage" * 50, "frab_json"),
    "garbage as csv": (b"\x00\xff\xfe\x00garbage" * 50, "csv"),
    "garbage as news": (b"\x00\xff\xfe\x00garbage" * 50, "news"),
    "truncated ics": (_truncated("programme.ics"), None),
    "truncated xml": (_truncated("programme.xml"), None),
    "truncated json": (_truncated("programme.json"), "frab_json"),
    "truncated indico": (_truncated("programme.indico.json"), "indico_timetable"),
    "truncated pretalx": (_truncated("programme.pretalx.json"), "pretalx_widget"),
    "garbage as indico": (b"\x00\xff\xfe\x00garbage" * 50, "indico_timetable"),
    "garbage as indico event": (b"\x00\xff\xfe\x00garbage" * 50, "indico_event"),
    "garbage as pretalx": (b"\x00\xff\xfe\x00garbage" * 50, "pretalx_widget"),
    "nested json as indico": (b'{"results":' + b"[" * 5000 + b"]" * 5000 + b"}", None),
    "indico entries not objects": (b'{"results": {"1": {"20240101": {"c1": 5}}}}', None),
    "pretalx talks not objects": (b'{"talks": [1, "x", null], "rooms": []}', None),
    "empty": (b"", None),
    "whitespace only": (b" \r\n\t ", "ical"),
    "bom only": (b"\xef\xbb\xbf", None),
    "nested json": (b"[" * 5000 + b"]" * 5000, None),
    "nested json as frab": (b'{"schedule":' + b"[" * 5000 + b"]" * 5000 + b"}", "frab_json"),
    "json list": (b"[1, 2, 3]", "frab_json"),
    "html page": (b"<!DOCTYPE html><html><body>Not found</body></html>", None),
    "path as feed": (b"/etc/passwd", "news"),
    "billion laughs as xcal": (
        XML_BOMB + b"<iCalendar><vcalendar><vevent><summary>&lol9;"
        b"</summary></vevent></vcalendar></iCalendar>",
        None,
    ),
    "garbage as xcal": (b"\x00\xff\xfe\x00garbage" * 50, "xcal"),
    "truncated xcal": (_truncated("programme.xcal"), None),
    "truncated rfc 6321": (_truncated("programme.rfc6321.xml"), None),
    "garbage as xlsx": (b"\x00\xff\xfe\x00garbage" * 50, "xlsx"),
    "truncated xlsx": (_truncated("programme.xlsx"), None),
    "zip that is no workbook": (zip_bytes({"a.txt": b"hello"}), "xlsx"),
    "workbook with broken xml": (
        replace_in_zip(_read("programme.xlsx"), "xl/workbook.xml", b"<workbook><sheets"),
        None,
    ),
    "billion laughs in a workbook": (
        replace_in_zip(
            _read("programme.xlsx"),
            "xl/worksheets/sheet1.xml",
            XML_BOMB + WORKSHEET_BOMB,
        ),
        None,
    ),
}


@pytest.mark.parametrize(("data", "fmt"), CASES.values(), ids=list(CASES))
def test_parse_error(data: bytes, fmt: str | None) -> None:
    started = time.monotonic()
    with pytest.raises(ParseError) as caught:
        parse_programme(data, format=fmt, venue_tz="Europe/Berlin")
    assert time.monotonic() - started < 5
    assert str(caught.value).strip()
    assert "\n" not in str(caught.value)


def test_billion_laughs_in_a_feed_is_not_expanded() -> None:
    feed = BILLION_LAUGHS.split(b"<schedule>")[0] + (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>&lol9;</title><guid>1</guid></item></channel></rss>"
    )
    started = time.monotonic()
    result = parse_programme(feed)
    assert time.monotonic() - started < 5
    assert result.format == "news"
    assert all(len(entry.title) < 100 for entry in result.entries)


def test_unsafe_xml_is_named() -> None:
    with pytest.raises(ParseError, match="frab XML: unsafe XML refused"):
        parse_programme(BILLION_LAUGHS)


def test_xml_syntax_error_names_the_line() -> None:
    with pytest.raises(ParseError, match=r"^frab XML: line 3, column \d+: mismatched tag$"):
        parse_programme(b"<schedule>\n<day date='2024-01-01'>\n</schedule>")


def test_json_syntax_error_names_the_line() -> None:
    with pytest.raises(ParseError, match=r"^frab JSON: line 2, column \d+: "):
        parse_programme(b'{"schedule":\n {"conference": ]}}', format="frab_json")


def test_truncated_ics_says_so() -> None:
    with pytest.raises(ParseError, match="truncated"):
        parse_programme(_truncated("programme.ics"))


def test_unknown_format_name_lists_valid_ones() -> None:
    with pytest.raises(
        ParseError,
        match="valid: csv, frab_json, frab_xml, ical, indico_event, indico_timetable, news, "
        "pretalx_widget, xcal, xlsx",
    ):
        parse_programme(b"BEGIN:VCALENDAR", format="pdf")


def test_unknown_venue_zone() -> None:
    with pytest.raises(ParseError, match="venue time zone"):
        parse_programme(b"BEGIN:VCALENDAR", venue_tz="Mars/Olympus")


def test_error_fields() -> None:
    error = ParseError("mismatched tag", "line 3", fmt="frab XML")
    assert (error.message, error.where, error.fmt) == ("mismatched tag", "line 3", "frab XML")
    assert str(error) == "frab XML: line 3: mismatched tag"
    assert str(ParseError("empty input")) == "empty input"


def test_absurd_values_do_not_sink_the_file() -> None:
    xml = (
        b"<schedule><day date='2024-03-01'><room name='R'>"
        b"<event id='1'><start>10:00</start><duration>99999999999:00</duration>"
        b"<title>A</title></event>"
        b"<event id='2'><date>0001-01-01T00:00:00+05:00</date><title>B</title></event>"
        b"</room></day></schedule>"
    )
    result = parse_programme(xml, venue_tz="UTC")
    assert [s.key for s in result.sessions] == ["1"]
    assert any("event 2 (id 2)" in w for w in result.warnings)
    ical = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:old\r\nDTSTART:00010101T000000Z\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:ok\r\nDTSTART:20240101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert [s.key for s in parse_programme(ical).sessions] == ["ok"]
    with pytest.raises(ParseError, match="CSV: line 2: unreadable date/time"):
        parse_programme(b"title,start\nA,0001-01-01T00:00:00+05:00\n", format="csv")
