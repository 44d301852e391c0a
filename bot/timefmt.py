"""Showing times: the reader's zone first, the venue's beside it, "+1 day" where dates differ."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from bot.i18n import default_translator


def _venue_day_shift(moment: datetime, reader: ZoneInfo, venue: ZoneInfo) -> int:
    """How many days the venue's date is ahead of the reader's at ``moment``."""
    return (moment.astimezone(venue).date() - moment.astimezone(reader).date()).days


def format_day(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """``Tue 23 Jun`` / ``вт, 23 июн.`` in ``zone``."""
    return format_date(moment.astimezone(zone).date(), "EEE d MMM", locale=language)


def format_clock(moment: datetime, zone: ZoneInfo, language: str) -> str:
    return format_time(moment.astimezone(zone), "HH:mm", locale=language)


def format_span(
    start: datetime, end: datetime, reader: ZoneInfo, venue: ZoneInfo, language: str
) -> str:
    """``Tue 23 Jun 16:00 (America/New_York) · venue 05:00 (+1 day)``, in the reader's language.

    The venue part is left out when the reader is in the venue's zone (same offsets).
    """
    translator = default_translator()
    own = f"{format_day(start, reader, language)} {format_clock(start, reader, language)}"
    if end > start:
        own += f"–{format_clock(end, reader, language)}"
    own += f" ({reader.key})"
    if start.astimezone(reader).utcoffset() == start.astimezone(venue).utcoffset():
        return own
    venue_part = format_clock(start, venue, language)
    if end > start:
        venue_part += f"–{format_clock(end, venue, language)}"
    shift = _venue_day_shift(start, reader, venue)
    marker = ""
    if shift:
        sign = "+" if shift > 0 else "−"
        marker = " " + translator.t(language, "time.day_shift", count=abs(shift), sign=sign)
    return own + " · " + translator.t(language, "time.venue", time=venue_part) + marker


def local_label(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """Day and time in one zone, for lists."""
    return f"{format_day(moment, zone, language)} {format_clock(moment, zone, language)}"
