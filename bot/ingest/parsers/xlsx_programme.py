"""A programme as an Excel workbook (XLSX) -> sessions, with the CSV parser's header aliases.

Real forum programmes are laid out for printing: a merged title row above the header, merged
day headings between the sessions, times as date cells, serial numbers or text. So the header
is searched for in the first rows, a row holding only a date in its first cell sets the day of
the rows below it, and openpyxl reads the sheet in read-only (streaming) mode, after the zip's
declared sizes are checked against a cap.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import defusedxml
import openpyxl
from openpyxl.utils.datetime import from_excel

from bot.ingest.errors import ParseError
from bot.ingest.parsers.common import clean
from bot.ingest.parsers.tabular import (
    Cell,
    RowContext,
    is_header,
    map_header,
    parse_day,
    row_session,
)
from bot.ingest.records import ParseResult, SessionRecord

LABEL = "XLSX"
WORKBOOK_PART = "xl/workbook.xml"
HEADER_SEARCH_ROWS = 30
MAX_ROWS = 20_000
MAX_COLUMNS = 64
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Columns whose numbers are Excel serial dates or times, not plain numbers.
_TIME_FIELDS = frozenset({"date", "start", "end"})


def looks_like_xlsx(data: bytes) -> bool:
    """A zip archive holding ``xl/workbook.xml`` (or a damaged zip that names it early)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return WORKBOOK_PART in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return b"xl/" in data[:65536]  # local headers name their parts in clear


def parse_xlsx(data: bytes, venue: ZoneInfo, *, sheet: str | None = None) -> ParseResult:
    """Parse the first sheet (or the one named `sheet`) of an XLSX workbook."""
    _check_archive(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to XML errors
        raise ParseError(f"unreadable workbook ({_reason(exc)})", fmt=LABEL) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            names = ", ".join(repr(name) for name in book.sheetnames)
            raise ParseError(f"no sheet named {sheet!r}; the workbook has {names}", fmt=LABEL)
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        name = worksheet.title
        rows = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        try:
            return _parse_rows(_numbered(rows, name), name, venue, book.epoch)
        except ParseError:
            raise
        except Exception as exc:
            raise ParseError(
                f"unreadable sheet ({_reason(exc)})", f"sheet {name!r}", fmt=LABEL
            ) from exc
    finally:
        book.close()


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(f"not a readable zip archive ({exc})", fmt=LABEL) from exc
    if WORKBOOK_PART not in {part.filename for part in parts}:
        raise ParseError(f"a zip archive without {WORKBOOK_PART}: not a workbook", fmt=LABEL)
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ParseError(
            f"workbook unpacks to {unpacked:,} bytes, over the {MAX_UNPACKED_BYTES:,} limit",
            fmt=LABEL,
        )


def _numbered(rows: Iterator[tuple[Any, ...]], sheet: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(rows, 1):
        if number > MAX_ROWS:
            raise ParseError(f"more than {MAX_ROWS:,} rows", f"sheet {sheet!r}", fmt=LABEL)
        yield number, row


def _parse_rows(
    rows: Iterator[tuple[int, tuple[Any, ...]]], sheet: str, venue: ZoneInfo, epoch: datetime
) -> ParseResult:
    title: str | None = None
    columns: dict[str, int] = {}
    searched = 0
    for searched, row in rows:
        columns = map_header(row)
        if is_header(columns) or searched >= HEADER_SEARCH_ROWS:
            break
        title = title or _first_text(row)
    if not is_header(columns):
        where = f"rows 1-{searched}" if searched else "an empty sheet"
        raise ParseError(
            f"no header row with a title and a start column in {where}",
            f"sheet {sheet!r}",
            fmt=LABEL,
        )
    ctx = RowContext(venue=venue, label=LABEL)
    sessions: list[SessionRecord] = []
    day: date | None = None
    headings = 0
    for number, row in rows:
        filled = [index for index, value in enumerate(row) if clean(value) is not None]
        if not filled:
            continue
        where = f"sheet {sheet!r}, row {number}"
        if filled == [0]:  # a day heading (often merged across the row), or another heading
            heading_day = parse_day(_convert(row[0], epoch, "date"))
            if heading_day is not None:
                day = heading_day
            else:
                headings += 1
            continue
        cells = {
            field: _convert(row[index], epoch, field)
            for field, index in columns.items()
            if index < len(row)
        }
        sessions.append(row_session(cells, ctx, where, day))
    if headings:
        ctx.warnings.append(f"{headings} row(s) with only a first cell that is not a date; skipped")
    if not sessions:
        ctx.warnings.append("no rows after the header")
    return ParseResult(
        format="xlsx",
        sessions=sessions,
        entries=[],
        warnings=ctx.warnings,
        title=title,
        floating_times=ctx.floating,
    )


def _convert(value: Any, epoch: datetime, field: str) -> Cell:
    """A cell as the row rules want it: serials in time columns become dates and times."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, timedelta):  # a [h]:mm cell
        return (datetime.min + value).time() if value < timedelta(days=1) else None
    if isinstance(value, int | float) and field in _TIME_FIELDS:
        if value < 0 or value > 2_958_465:  # beyond 9999-12-31
            return str(value)
        moment = from_excel(value, epoch)
        if isinstance(moment, datetime) and float(value).is_integer():
            return moment.date()
        return moment if isinstance(moment, datetime | time) else str(value)
    if isinstance(value, datetime) and field == "date":
        return value.date()
    if isinstance(value, str | int | float | datetime | date | time) or value is None:
        return value
    return str(value)


def _first_text(row: Sequence[Any]) -> str | None:
    for value in row:
        if isinstance(value, str) and clean(value):
            return clean(value)
    return None


def _reason(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:  # openpyxl rewraps what defusedxml refused
        if isinstance(cause, defusedxml.DefusedXmlException):
            return f"unsafe XML refused: {type(cause).__name__}"
        cause = cause.__cause__ or cause.__context__
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
