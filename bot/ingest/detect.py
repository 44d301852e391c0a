"""Sniff which parser a document needs, from its content first, then from hints."""

from __future__ import annotations

import json
import re

from bot.ingest.errors import ParseError
from bot.ingest.parsers.csv_programme import looks_like_programme_csv
from bot.ingest.parsers.indico import looks_like_indico_event, looks_like_indico_timetable
from bot.ingest.parsers.pretalx_widget import looks_like_pretalx_widget
from bot.ingest.parsers.xlsx_programme import looks_like_xlsx

FORMATS = (
    "ical",
    "frab_xml",
    "frab_json",
    "indico_timetable",
    "indico_event",
    "pretalx_widget",
    "csv",
    "xcal",
    "xlsx",
    "news",
)
_XML_PROLOGUE = re.compile(
    r"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>|\s+)", re.DOTALL
)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_XML_ROOTS = {
    "schedule": "frab_xml",
    "conference": "frab_xml",
    "rss": "news",
    "feed": "news",
    "RDF": "news",
    # pentabarf's <iCalendar> (frab, pretalx, FOSDEM) and RFC 6321's <icalendar>
    "iCalendar": "xcal",
    "icalendar": "xcal",
}
_CONTENT_TYPES = (
    ("calendar+xml", "xcal"),
    ("spreadsheetml", "xlsx"),
    ("calendar", "ical"),
    ("rss", "news"),
    ("atom", "news"),
    ("csv", "csv"),
    ("json", "frab_json"),
)
_EXTENSIONS = {
    ".ics": "ical",
    ".ical": "ical",
    ".csv": "csv",
    ".xcal": "xcal",
    ".xcs": "xcal",
    ".xlsx": "xlsx",
    ".json": "frab_json",
    ".rss": "news",
    ".atom": "news",
}


def detect_format(data: bytes, content_type: str | None = None, url: str | None = None) -> str:
    """One of FORMATS, decided by the content; hints only break a tie. ParseError if unknown."""
    if data.startswith(b"PK\x03\x04"):
        if looks_like_xlsx(data):
            return "xlsx"
        raise ParseError("a zip archive, but not an Excel workbook (no xl/workbook.xml)", "byte 0")
    text = _head(data)
    if not text:
        raise ParseError("empty input", "byte 0")
    found = _sniff(text, data)
    if found:
        return found
    hinted = _from_hints(content_type, url)
    if hinted:
        return hinted  # let that parser explain what is wrong
    if text.startswith("<") and re.match(r"<(!doctype\s+html|html)", text, re.IGNORECASE):
        raise ParseError("this is an HTML page, not a programme or feed", "byte 0")
    raise ParseError(
        "unknown format: expected iCalendar or xCal, frab XML/JSON, Indico or pretalx JSON, "
        "CSV or XLSX with a header, or RSS/Atom",
        "byte 0",
    )


def _head(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = data[:8192].decode("utf-16", errors="replace")
    else:
        head = data[:8192].decode("utf-8", errors="replace")
    return head.lstrip("\ufeff \t\r\n\x00")


def _sniff(text: str, data: bytes) -> str | None:
    if text[:15].upper() == "BEGIN:VCALENDAR":
        return "ical"
    if text.startswith("<"):
        return _xml_root_format(text)
    if text[0] in "{[":
        return _json_format(data)
    return "csv" if looks_like_programme_csv(text) else None


def _xml_root_format(text: str) -> str | None:
    position = 0
    while match := _XML_PROLOGUE.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    root = _XML_ROOT.match(text, position)
    return _XML_ROOTS.get(root.group(2)) if root else None


def _json_format(data: bytes) -> str | None:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if looks_like_indico_timetable(doc):
        return "indico_timetable"
    if looks_like_indico_event(doc):
        return "indico_event"
    if looks_like_pretalx_widget(doc):
        return "pretalx_widget"
    if isinstance(doc, dict) and (
        isinstance(doc.get("schedule"), dict) or isinstance(doc.get("events"), list)
    ):
        return "frab_json"
    return None


def _from_hints(content_type: str | None, url: str | None) -> str | None:
    if content_type:
        lowered = content_type.lower()
        for needle, fmt in _CONTENT_TYPES:
            if needle in lowered:
                return fmt
    if url:
        path = url.split("?", 1)[0].split("#", 1)[0].lower()
        for extension, fmt in _EXTENSIONS.items():
            if path.endswith(extension):
                return fmt
    return None
