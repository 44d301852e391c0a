"""What frab XML and frab JSON share: a raw event and how it becomes a session."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.keys import hashed_key
from bot.ingest.parsers.common import (
    classify_links,
    clean,
    count_warning,
    description_text,
    parse_clock,
    parse_duration,
    parse_iso,
    resolve_zone,
    to_utc,
)
from bot.ingest.records import SessionRecord

# "CANCELLED: ...", "[Cancelled] ...", "(canceled) ..." - not "Cancelled flights".
_CANCELLED_TITLE = re.compile(r"^\W*cancell?ed\s*[:\]\)\-–—]", re.IGNORECASE)
MAX_LISTED_PROBLEMS = 20
_COUNTED_PROBLEMS = (
    ("clock", "<start> differs from <date> in the venue zone; used <date>"),
    ("bad_date", "unreadable <date>; used the day and <start>"),
    ("no_duration", "no or unreadable duration; end set to start"),
    ("end_before_start", "end before start; end set to start"),
    ("untitled", "no title"),
)
RECORDING = "video_download_url"
# Event fields that may carry a link, with the label used to classify it.
LINK_FIELDS = (
    ("livestream", "livestream"),
    ("live_url", "livestream"),
    ("stream", "stream"),
    ("webcast", "webcast"),
    ("participation_url", "remote participation"),
    ("remote_url", "remote participation"),
    (RECORDING, "webcast recording"),
)


@dataclass(slots=True)
class RawEvent:
    """Event fields as text, the way frab-like sources spell them."""

    where: str
    guid: str | None = None
    id: str | None = None
    title: str | None = None
    date: str | None = None  # ISO date-time, usually with offset
    day_date: str | None = None
    start: str | None = None  # HH:MM wall time (or ISO date-time)
    duration: str | None = None
    end: str | None = None  # ISO date-time (schedule v2)
    room: str | None = None
    track: str | None = None
    language: str | None = None
    status: str | None = None
    url: str | None = None
    persons: list[str] = field(default_factory=list)
    texts: list[str | None] = field(default_factory=list)  # abstract, description
    links: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass(slots=True)
class FrabContext:
    """Per-file settings and counters for building sessions."""

    venue: ZoneInfo
    label: str
    day_change: time = time(0)
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def check_zone(declared: str | None, venue: ZoneInfo, warnings: list[str]) -> None:
    """Warn when the programme declares a zone other than the configured venue zone."""
    zone = resolve_zone(declared)
    if declared and zone is None:
        warnings.append(f"programme declares unknown time zone {declared!r}")
    elif zone is not None and zone.key != venue.key:
        warnings.append(
            f"programme declares time zone {zone.key}, venue zone is {venue.key}; "
            "wall times without offset are read in the venue zone"
        )


def build_sessions(
    raws: list[RawEvent], ctx: FrabContext, warnings: list[str]
) -> list[SessionRecord]:
    """Build sessions, skipping (and reporting) events that have no usable start."""
    sessions: list[SessionRecord] = []
    for raw in raws:
        try:
            sessions.append(build_session(raw, ctx))
        except (ValueError, OverflowError) as exc:
            ctx.problems.append(f"{raw.where}: {exc}; skipped")
    if ctx.problems and not sessions:
        raise ParseError(f"no usable event ({ctx.problems[0]})", fmt=ctx.label)
    warnings.extend(ctx.problems[:MAX_LISTED_PROBLEMS])
    if len(ctx.problems) > MAX_LISTED_PROBLEMS:
        warnings.append(f"... and {len(ctx.problems) - MAX_LISTED_PROBLEMS} more skipped events")
    for counter, text in _COUNTED_PROBLEMS:
        count_warning(warnings, ctx.counts[counter], text)
    if not raws:
        warnings.append("no events in the programme")
    return sessions


def build_session(raw: RawEvent, ctx: FrabContext) -> SessionRecord:
    """One session from a raw event; ValueError if it has no usable start."""
    start = _start(raw, ctx)
    end = _end(raw, start, ctx)
    title = clean(raw.title)
    if title is None:
        ctx.counts["untitled"] += 1
        title = "(untitled)"
    room = clean(raw.room)
    links = classify_links(raw.links)
    status = (raw.status or "").lower()
    return SessionRecord(
        key=clean(raw.guid) or clean(raw.id) or hashed_key(title, start.isoformat(), room),
        title=title,
        start=start,
        end=end,
        timezone=ctx.venue.key,
        room=room,
        track=clean(raw.track),
        url=clean(raw.url),
        webcast_url=links.webcast_url,
        participation_url=links.participation_url,
        persons=tuple(p for p in (clean(name) for name in raw.persons) if p),
        description=description_text(*raw.texts),
        language=clean(raw.language),
        cancelled="cancel" in status or bool(_CANCELLED_TITLE.match(title)),
    )


def _start(raw: RawEvent, ctx: FrabContext) -> datetime:
    date_text = clean(raw.date)
    start_text = clean(raw.start)
    if date_text is None and start_text and "T" in start_text:
        date_text, start_text = start_text, None
    day_text = clean(raw.day_date)
    if date_text:
        try:
            parsed = parse_iso(date_text)
            moment = to_utc(parsed, ctx.venue)
        except (ValueError, OverflowError):
            if not (start_text and day_text):
                raise
            ctx.counts["bad_date"] += 1
        else:
            if start_text and not _same_clock(moment, start_text, ctx.venue):
                ctx.counts["clock"] += 1
            if parsed.utcoffset() is None:
                ctx.counts["floating"] += 1
            return moment
    if not start_text or not day_text:
        raise ValueError("no <date> and no day date with <start>")
    clock = parse_clock(start_text)
    local = datetime.combine(date.fromisoformat(day_text[:10]), clock)
    if clock < ctx.day_change:  # listed under the previous day, after midnight
        local += timedelta(days=1)
    ctx.counts["floating"] += 1
    return to_utc(local, ctx.venue)


def _same_clock(moment: datetime, start_text: str, venue: ZoneInfo) -> bool:
    try:
        clock = parse_clock(start_text)
    except ValueError:
        return False
    local = moment.astimezone(venue)
    return (local.hour, local.minute) == (clock.hour, clock.minute)


def _end(raw: RawEvent, start: datetime, ctx: FrabContext) -> datetime:
    end = start
    try:
        if clean(raw.end):
            end = to_utc(parse_iso(raw.end or ""), ctx.venue)
        elif clean(raw.duration):
            end = start + parse_duration(raw.duration or "")
        else:
            ctx.counts["no_duration"] += 1
    except (ValueError, OverflowError):
        ctx.counts["no_duration"] += 1
    if end < start:
        ctx.counts["end_before_start"] += 1
        end = start
    return end
