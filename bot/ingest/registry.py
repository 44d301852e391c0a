"""Format name -> parser, and the one entry point that picks and runs a parser."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.ingest.detect import detect_format
from bot.ingest.errors import ParseError
from bot.ingest.keys import make_keys_unique
from bot.ingest.parsers.csv_programme import parse_csv
from bot.ingest.parsers.frab_json import parse_frab_json
from bot.ingest.parsers.frab_xml import parse_frab_xml
from bot.ingest.parsers.ical import parse_ical
from bot.ingest.parsers.indico import parse_indico_event, parse_indico_timetable
from bot.ingest.parsers.news import parse_news
from bot.ingest.parsers.pretalx_widget import parse_pretalx_widget
from bot.ingest.parsers.xcal import parse_xcal
from bot.ingest.parsers.xlsx_programme import parse_xlsx
from bot.ingest.records import ParseResult

Parser = Callable[[bytes, ZoneInfo], ParseResult]

PARSERS: dict[str, Parser] = {
    "ical": parse_ical,
    "frab_xml": parse_frab_xml,
    "frab_json": parse_frab_json,
    "indico_timetable": parse_indico_timetable,
    "indico_event": parse_indico_event,
    "pretalx_widget": parse_pretalx_widget,
    "csv": parse_csv,
    "xcal": parse_xcal,
    "xlsx": parse_xlsx,
    "news": parse_news,
}


def parse_programme(
    data: bytes,
    *,
    format: str | None = None,
    venue_tz: str = "UTC",
    content_type: str | None = None,
    url: str | None = None,
    sheet: str | None = None,
) -> ParseResult:
    """Parse a programme or feed; every failure is a ParseError. `sheet` names the sheet of
    a workbook to read (the first one by default)."""
    try:
        venue = ZoneInfo(venue_tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParseError(f"unknown venue time zone {venue_tz!r}") from exc
    if not data.strip():
        raise ParseError("empty input", "byte 0")
    name = format or detect_format(data, content_type=content_type, url=url)
    parser = PARSERS.get(name)
    if parser is None:
        raise ParseError(f"unknown format {name!r}; valid: {', '.join(sorted(PARSERS))}")
    if sheet is not None and name == "xlsx":
        parser = partial(parse_xlsx, sheet=sheet)
    try:
        result = parser(data, venue)
    except ParseError:
        raise
    except Exception as exc:  # hostile input must never escape as another type
        raise ParseError(f"unreadable input ({type(exc).__name__}: {exc})", fmt=name) from exc
    result.sessions = make_keys_unique(result.sessions, result.warnings)
    result.sessions.sort(key=lambda s: (s.start, s.room or "", s.key))
    return result
