"""A programme as CSV with a header row -> sessions. Strict per row: a bad date names its line."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.keys import hashed_key
from bot.ingest.parsers.common import (
    clean,
    decode_text,
    description_text,
    midnight_utc,
    parse_clock,
    resolve_zone,
    to_utc,
)
from bot.ingest.records import ParseResult, SessionRecord
from bot.ingest.telegram_html import safe_href

LABEL = "CSV"
# Field -> accepted header names (compared lower-case, spaces and dashes as "_").
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "session", "session_title"),
    "start": ("start", "start_time", "starts", "begins", "begin", "start_date", "from"),
    "end": ("end", "end_time", "ends", "finish", "end_date", "to"),
    "room": ("room", "location", "venue", "hall"),
    "track": ("track", "category", "theme"),
    "url": ("url", "link", "page"),
    "webcast": ("webcast", "stream", "livestream", "webcast_url", "stream_url", "video"),
    "participation": ("participation", "remote", "participation_url", "remote_url", "zoom"),
    "description": ("description", "abstract", "details"),
    "organiser": ("organiser", "organizer", "host"),
    "persons": ("persons", "speakers", "speaker", "people", "presenters"),
    "key": ("uid", "id", "key", "guid"),
    "language": ("language", "lang"),
    "status": ("status", "cancelled", "canceled", "state"),
    "timezone": ("timezone", "time_zone", "tz"),
}
_LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_CLOCK_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FALLBACK_FORMATS = ("%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M")
# A time that names its own offset ("...+03:00", "...Z") is not read in the venue zone.
_OFFSET = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$", re.IGNORECASE)
_CANCELLED = re.compile(r"cancel|^(yes|true|1|x)$", re.IGNORECASE)


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``;``, ``,`` and tab in the header line (``,`` on a tie)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def map_header(cells: list[str]) -> dict[str, int]:
    """Field name -> column index, first matching column wins."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _LOOKUP.get(re.sub(r"[\s\-]+", "_", cell.strip().lower()))
        if name and name not in columns:
            columns[name] = index
    return columns


def looks_like_programme_csv(text: str) -> bool:
    """Whether the first line is a header with a title and a start column."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = next(csv.reader([first], delimiter=sniff_delimiter(first)), [])
    return {"title", "start"} <= map_header(cells).keys()


def parse_csv(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse CSV rows into sessions; any unreadable date raises ParseError with its line."""
    warnings: list[str] = []
    text = decode_text(data, warnings)
    if not text.strip():
        raise ParseError("empty document", fmt=LABEL)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    sessions: list[SessionRecord] = []
    floating = [0]
    try:
        header = next(reader, [])
        columns = map_header(header)
        if not {"title", "start"} <= columns.keys():
            found = ", ".join(c.strip() for c in header if c.strip())[:200] or "nothing"
            raise ParseError(
                f"header needs a title and a start column; found: {found}", "line 1", fmt=LABEL
            )
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                sessions.append(_row(row, columns, venue, f"line {line}", warnings, floating))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(str(exc), f"line {reader.line_num}", fmt=LABEL) from exc
    if not sessions:
        warnings.append("no rows after the header")
    return ParseResult(
        format="csv",
        sessions=sessions,
        entries=[],
        warnings=warnings,
        floating_times=floating[0],
    )


def _row(
    row: list[str],
    columns: dict[str, int],
    venue: ZoneInfo,
    where: str,
    warnings: list[str],
    floating: list[int],
) -> SessionRecord:
    def cell(name: str) -> str | None:
        index = columns.get(name)
        return clean(row[index]) if index is not None and index < len(row) else None

    zone: ZoneInfo = venue
    if cell("timezone"):
        zone = resolve_zone(cell("timezone")) or venue
        if zone is venue:
            warnings.append(f"{where}: unknown time zone {cell('timezone')!r}; using {venue.key}")
    start_text = cell("start")
    if not start_text:
        raise ParseError("empty start", where, fmt=LABEL)
    start, all_day = _moment(start_text, zone, None, where)
    if zone is venue and not _OFFSET.search(start_text):
        floating[0] += 1
    end_text = cell("end")
    if end_text:
        end, _ = _moment(end_text, zone, start.astimezone(zone).date(), where)
        if end <= start and _CLOCK_ONLY.match(end_text):
            end += timedelta(days=1)  # an end clock time past midnight
    else:
        end = start + timedelta(days=1) if all_day else start
    if end < start:
        warnings.append(f"{where}: end before start; end set to start")
        end = start
    title = cell("title") or "(untitled)"
    room = cell("room")
    persons_text = cell("persons") or ""
    separator = ";" if ";" in persons_text else ","
    return SessionRecord(
        key=cell("key") or hashed_key(title, start.isoformat(), room),
        title=title,
        start=start,
        end=end,
        timezone=zone.key,
        room=room,
        track=cell("track"),
        url=safe_href(cell("url")),
        webcast_url=safe_href(cell("webcast")),
        participation_url=safe_href(cell("participation")),
        organiser=cell("organiser"),
        persons=tuple(p.strip() for p in persons_text.split(separator) if p.strip()),
        description=description_text(cell("description")),
        language=cell("language"),
        cancelled=bool(_CANCELLED.search(cell("status") or "")),
        all_day=all_day,
    )


def _moment(text: str, zone: tzinfo, base: date | None, where: str) -> tuple[datetime, bool]:
    """UTC time from a cell; clock-only cells need `base` (the start's local date)."""
    if base is not None and _CLOCK_ONLY.match(text):
        try:
            return to_utc(datetime.combine(base, parse_clock(text)), zone), False
        except (ValueError, OverflowError):
            pass
    elif _DATE_ONLY.match(text):
        try:
            return midnight_utc(date.fromisoformat(text), zone), True
        except (ValueError, OverflowError):
            pass
    else:
        try:
            return to_utc(datetime.fromisoformat(text), zone), False
        except (ValueError, OverflowError):
            for fmt in _FALLBACK_FORMATS:
                try:
                    return to_utc(datetime.strptime(text, fmt), zone), False
                except (ValueError, OverflowError):
                    continue
    raise ParseError(f"unreadable date/time {text[:40]!r}", where, fmt=LABEL)
