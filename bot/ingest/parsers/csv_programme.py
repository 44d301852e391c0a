"""A programme as CSV with a header row -> sessions. Strict per row: a bad date names its line.

The header aliases and the row rules are shared with XLSX (`tabular`).
"""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.parsers.common import clean, decode_text
from bot.ingest.parsers.tabular import RowContext, is_header, map_header, row_session
from bot.ingest.records import ParseResult, SessionRecord

LABEL = "CSV"


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of ``;``, ``,`` and tab in the header line (``,`` on a tie)."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def looks_like_programme_csv(text: str) -> bool:
    """Whether the first line is a header with a title and a start column."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = next(csv.reader([first], delimiter=sniff_delimiter(first)), [])
    return is_header(map_header(cells))


def parse_csv(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse CSV rows into sessions; any unreadable date raises ParseError with its line."""
    warnings: list[str] = []
    text = decode_text(data, warnings)
    if not text.strip():
        raise ParseError("empty document", fmt=LABEL)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    sessions: list[SessionRecord] = []
    ctx = RowContext(venue=venue, label=LABEL, warnings=warnings)
    try:
        header = next(reader, [])
        columns = map_header(header)
        if not is_header(columns):
            found = ", ".join(c.strip() for c in header if c.strip())[:200] or "nothing"
            raise ParseError(
                f"header needs a title and a start column; found: {found}", "line 1", fmt=LABEL
            )
        line = reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                cells = {
                    name: clean(row[index]) for name, index in columns.items() if index < len(row)
                }
                sessions.append(row_session(cells, ctx, f"line {line}"))
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
        floating_times=ctx.floating,
    )
