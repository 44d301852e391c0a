"""Helpers shared by the parsers: decoding, times, durations, text, links."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from bot.ingest.telegram_html import looks_like_html, plain_text, safe_href

_DURATION = re.compile(r"^\s*(\d+)(?::(\d{1,2}))?(?::(\d{1,2}))?\s*$")
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.IGNORECASE)
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_WEBCAST = re.compile(
    r"\b(live[\s_-]?stream(ing)?|stream(ing)?|webcast|broadcast|watch live)\b"
    r"|^https?://(live|stream|webcast)\.",
    re.IGNORECASE,
)
_PARTICIPATION_LABEL = re.compile(
    r"\b(remote|zoom|jitsi|bigbluebutton|webex|participat\w*|join online)\b", re.IGNORECASE
)
_PARTICIPATION_HOST = re.compile(
    r"(^|\.)(zoom\.us|meet\.jit\.si|meet\.google\.com|teams\.microsoft\.com|webex\.com)$"
    r"|jitsi|bigbluebutton|^bbb\.",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Links:
    """Links found on an event, sorted by what they are for."""

    webcast_url: str | None = None
    participation_url: str | None = None
    other: list[str] = field(default_factory=list)


def decode_text(data: bytes, warnings: list[str]) -> str:
    """UTF-8 (BOM tolerated) or UTF-16 with a BOM; lines that are not UTF-8 are read as
    Windows-1252, so one stray byte does not garble the rest of the file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines: list[str] = []
    legacy = 0
    for line in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
            legacy += 1
    warnings.append(f"{legacy} line(s) not valid UTF-8; read as Windows-1252")
    return "\n".join(lines)


def resolve_zone(name: str | None) -> ZoneInfo | None:
    """An IANA zone by name (Windows names mapped), or None if unknown."""
    if not name:
        return None
    name = name.strip().strip('"')
    for candidate in (name, WINDOWS_TO_OLSON.get(name)):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return None


def to_utc(moment: datetime, zone: tzinfo) -> datetime:
    """Aware UTC; naive (floating) times are read in `zone`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def midnight_utc(day: date, zone: tzinfo) -> datetime:
    """Midnight at the start of `day` in `zone`, as UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_iso(text: str) -> datetime:
    """ISO 8601 date-time (``Z``, offsets, space separator); ValueError if not one."""
    text = text.strip()
    if not text:
        raise ValueError("empty date-time")
    return datetime.fromisoformat(text)


def parse_clock(text: str) -> time:
    """``HH:MM`` or ``HH:MM:SS``; ValueError otherwise."""
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(f"not a clock time: {text!r}")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    return time(hours, minutes, seconds)


def parse_duration(text: str) -> timedelta:
    """``HH:MM``, ``HH:MM:SS``, ``D:HH:MM``, minutes, or ISO ``PT1H30M``."""
    text = text.strip()
    iso = _ISO_DURATION.match(text)
    if iso and any(iso.groups()):
        d, h, m, s = (int(g or 0) for g in iso.groups())
        return timedelta(days=d, hours=h, minutes=m, seconds=s)
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    first, second, third = match[1], match[2], match[3]
    if second is None:
        return timedelta(minutes=int(first))
    if third is None:
        return timedelta(hours=int(first), minutes=int(second))
    # Three parts: frab writes D:HH:MM (day unpadded); Pentabarf writes HH:MM:SS.
    if len(first) == 1 and int(second) < 24:
        return timedelta(days=int(first), hours=int(second), minutes=int(third))
    return timedelta(hours=int(first), minutes=int(second), seconds=int(third))


def description_text(*parts: str | None) -> str:
    """Plain text from HTML, escaped HTML or light Markdown parts, joined by blank lines."""
    texts: list[str] = []
    for part in parts:
        text = _to_text(part or "")
        if text and text not in texts:
            texts.append(text)
    return "\n\n".join(texts)


def _to_text(raw: str) -> str:
    if looks_like_html(raw):
        return plain_text(raw)
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images -> alt text
    text = re.sub(r"\[([^\]]+)\]\((\S+?)\)", r"\1 (\2)", text)  # links -> text (url)
    text = re.sub(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", r"\1", text)  # bold (not __, think __init__)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)  # inline code
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.MULTILINE)  # headings
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean(value: object) -> str | None:
    """Stripped string, or None for missing/blank values."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def classify_links(candidates: Iterable[tuple[str | None, str | None]]) -> Links:
    """Sort (href, title-or-type) pairs into webcast, participation and other links."""
    links = Links()
    for href, label in candidates:
        url = safe_href(href)
        if url is None:
            continue
        label = label or ""
        host = urlsplit(url).hostname or ""
        if links.participation_url is None and (
            _PARTICIPATION_LABEL.search(label) or _PARTICIPATION_HOST.search(host)
        ):
            links.participation_url = url
        elif links.webcast_url is None and (_WEBCAST.search(label) or _WEBCAST.search(url)):
            links.webcast_url = url
        else:
            links.other.append(url)
    return links


def count_warning(warnings: list[str], count: int, text: str) -> None:
    """Append one summarised warning for `count` similar problems."""
    if count:
        warnings.append(f"{count} event(s): {text}")
