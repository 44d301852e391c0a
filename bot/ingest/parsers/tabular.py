"""What CSV and XLSX programmes share: the header aliases (English and Russian) and how one
row of cells becomes a session.

Cells arrive as text (CSV) or typed (XLSX: dates, times and date-times already converted).
A row's day comes from its date column, else from the day heading above it; a start or end
that is only a time of day is read on that day, and an end earlier than the start rolls over
to the next day (a session past midnight).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.keys import hashed_key
from bot.ingest.parsers.common import (
    clean,
    description_text,
    midnight_utc,
    parse_clock,
    resolve_zone,
    to_utc,
)
from bot.ingest.records import SessionRecord
from bot.ingest.telegram_html import safe_href

Cell = str | int | float | datetime | date | time | None

# Field -> accepted header names (compared lower-case, spaces and dashes as "_", ё as е).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "session", "session_title",
              "название", "тема", "наименование", "мероприятие"),
    "date": ("date", "day", "дата", "день"),
    "start": ("start", "start_time", "starts", "begins", "begin", "start_date", "from", "time",
              "начало", "время", "время_начала", "с"),
    "end": ("end", "end_time", "ends", "finish", "end_date", "to",
            "окончание", "конец", "время_окончания", "до"),
    "room": ("room", "location", "venue", "hall", "зал", "аудитория", "место", "помещение"),
    "track": ("track", "category", "theme", "секция", "трек", "направление"),
    "url": ("url", "link", "page", "ссылка", "страница"),
    "webcast": ("webcast", "stream", "livestream", "webcast_url", "stream_url", "video",
                "трансляция", "ссылка_на_трансляцию", "видеотрансляция"),
    "participation": ("participation", "remote", "participation_url", "remote_url", "zoom",
                      "подключение", "онлайн_участие"),
    "description": ("description", "abstract", "details", "описание", "аннотация"),
    "organiser": ("organiser", "organizer", "host", "moderator", "chair",
                  "модератор", "ведущий", "организатор"),
    "persons": ("persons", "speakers", "speaker", "people", "presenters",
                "докладчики", "докладчик", "спикеры", "спикер", "выступающие"),
    "key": ("uid", "id", "key", "guid", "ид", "код"),
    "language": ("language", "lang", "язык"),
    "status": ("status", "cancelled", "canceled", "state", "статус"),
    "timezone": ("timezone", "time_zone", "tz", "часовой_пояс"),
}  # fmt: skip
_LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_CLOCK_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}([:.]\d{2})?$")
_CLOCK_RANGE = re.compile(r"^(\d{1,2}[:.]\d{2})\s*[-–—]\s*(\d{1,2}[:.]\d{2})$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y")
_FALLBACK_FORMATS = ("%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M")
# A time that names its own offset ("...+03:00", "...Z") is not read in the venue zone.
_OFFSET = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$", re.IGNORECASE)
_CANCELLED = re.compile(r"cancel|отмен|^(yes|true|1|x|да)$", re.IGNORECASE)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan", "январь", "января"),
            ("february", "feb", "февраль", "февраля"),
            ("march", "mar", "март", "марта"),
            ("april", "apr", "апрель", "апреля"),
            ("may", "май", "мая"),
            ("june", "jun", "июнь", "июня"),
            ("july", "jul", "июль", "июля"),
            ("august", "aug", "август", "августа"),
            ("september", "sep", "sept", "сентябрь", "сентября"),
            ("october", "oct", "октябрь", "октября"),
            ("november", "nov", "ноябрь", "ноября"),
            ("december", "dec", "декабрь", "декабря"),
        ),
        1,
    )
    for name in names
}
# "18 июня 2024 г., вторник", "June 18, 2024", "18 June 2024 (Tuesday)".
_WORDY_DATE = re.compile(
    r"(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{4})|([^\W\d_]+)\s+(\d{1,2}),?\s+(\d{4})"
)


def header_name(cell: object) -> str | None:
    """The field a header cell names, or None."""
    text = clean(cell)
    if text is None:
        return None
    key = re.sub(r"[\s\-]+", "_", text.lower().replace("ё", "е").rstrip(":. "))
    return _LOOKUP.get(key)


def map_header(cells: Sequence[object]) -> dict[str, int]:
    """Field name -> column index, first matching column wins."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = header_name(cell)
        if name and name not in columns:
            columns[name] = index
    return columns


def is_header(columns: Mapping[str, int]) -> bool:
    """Whether a mapped header has what a session needs: a title and a start."""
    return {"title", "start"} <= columns.keys()


def parse_day(value: Cell) -> date | None:
    """A day from a date cell or text (ISO, ``18.06.2024``, ``18 июня 2024``), else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean(value) if isinstance(value, str) else None
    if text is None:
        return None
    head = text.split()[0].rstrip(",")  # "18.06.2024 (вторник)"
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    wordy = _WORDY_DATE.search(text.lower())
    if wordy:
        day, month, year = (
            (wordy[1], wordy[2], wordy[3]) if wordy[1] else (wordy[5], wordy[4], wordy[6])
        )
        number = _MONTHS.get(month)
        if number:
            try:
                return date(int(year), number, int(day))
            except ValueError:
                return None
    return None


@dataclass(slots=True)
class RowContext:
    """Per-file settings and tallies while rows become sessions."""

    venue: ZoneInfo
    label: str
    warnings: list[str] = field(default_factory=list)
    floating: int = 0


def row_session(
    cells: Mapping[str, Cell], ctx: RowContext, where: str, day: date | None = None
) -> SessionRecord:
    """One session from a row's cells by field name; ParseError (naming `where`) if its
    start cannot be read. `day` is the day heading above the row, if any."""

    def text(name: str) -> str | None:
        return _text(cells.get(name))

    zone: ZoneInfo = ctx.venue
    if text("timezone"):
        zone = resolve_zone(text("timezone")) or ctx.venue
        if zone is ctx.venue:
            ctx.warnings.append(
                f"{where}: unknown time zone {text('timezone')!r}; using {ctx.venue.key}"
            )
    if cells.get("date") is not None:
        day = parse_day(cells["date"])
        if day is None:
            raise ParseError(f"unreadable date {_text(cells['date'])!r:.40}", where, fmt=ctx.label)
    start_cell, end_cell = cells.get("start"), cells.get("end")
    if isinstance(start_cell, str) and end_cell is None:
        span = _CLOCK_RANGE.match(start_cell.strip())
        if span:  # "10:00–11:30" in one cell
            start_cell, end_cell = span[1], span[2]
    if _text(start_cell) is None:
        raise ParseError("empty start", where, fmt=ctx.label)
    start, all_day, floating = _moment(start_cell, zone, day, where, ctx.label)
    if floating and zone is ctx.venue:
        ctx.floating += 1
    if _text(end_cell) is not None:
        local_day = start.astimezone(zone).date()
        end, _, _ = _moment(end_cell, zone, local_day, where, ctx.label)
        if end <= start and _is_clock(end_cell):
            end += timedelta(days=1)  # an end time past midnight
    else:
        end = start + timedelta(days=1) if all_day else start
    if end < start:
        ctx.warnings.append(f"{where}: end before start; end set to start")
        end = start
    title = text("title") or "(untitled)"
    room = text("room")
    persons_text = text("persons") or ""
    separator = ";" if ";" in persons_text else ","
    return SessionRecord(
        key=text("key") or hashed_key(title, start.isoformat(), room),
        title=title,
        start=start,
        end=end,
        timezone=zone.key,
        room=room,
        track=text("track"),
        url=safe_href(text("url")),
        webcast_url=safe_href(text("webcast")),
        participation_url=safe_href(text("participation")),
        organiser=text("organiser"),
        persons=tuple(p.strip() for p in persons_text.split(separator) if p.strip()),
        description=description_text(text("description")),
        language=text("language"),
        cancelled=bool(_CANCELLED.search(text("status") or "")),
        all_day=all_day,
    )


def _text(value: Cell) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an id typed as a number in a spreadsheet
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return clean(value)


def _is_clock(value: Cell) -> bool:
    if isinstance(value, time):
        return True
    return isinstance(value, str) and bool(_CLOCK_ONLY.match(value.strip()))


def _clock(text: str) -> time:
    return parse_clock(text.replace(".", ":"))


def _moment(
    value: Cell, zone: tzinfo, day: date | None, where: str, label: str
) -> tuple[datetime, bool, bool]:
    """(UTC time, all day?, floating?) from a cell; a time of day needs `day`."""
    if isinstance(value, datetime):
        return to_utc(value, zone), False, value.utcoffset() is None
    if isinstance(value, date):
        return midnight_utc(value, zone), True, True
    if isinstance(value, time):
        if day is None:
            raise ParseError("a time of day but no date (no date column or day heading)",
                             where, fmt=label)  # fmt: skip
        return to_utc(datetime.combine(day, value), zone), False, True
    text = _text(value) or ""
    floating = not _OFFSET.search(text)
    try:
        if _CLOCK_ONLY.match(text):
            if day is None:
                raise ParseError(
                    f"time of day {text!r} but no date (no date column or day heading)",
                    where,
                    fmt=label,
                )
            return to_utc(datetime.combine(day, _clock(text)), zone), False, True
        if _DATE_ONLY.match(text):
            return midnight_utc(date.fromisoformat(text), zone), True, True
        try:
            return to_utc(datetime.fromisoformat(text), zone), False, floating
        except ValueError:
            for fmt in _FALLBACK_FORMATS:
                try:
                    return to_utc(datetime.strptime(text, fmt), zone), False, True
                except ValueError:
                    continue
    except (ValueError, OverflowError):
        pass
    raise ParseError(f"unreadable date/time {text[:40]!r}", where, fmt=label)
