"""iCalendar -> sessions. Floating times, UTC times and unknown TZIDs are read in the
calendar's zone (X-WR-TIMEZONE, else the venue zone); recurrences are expanded."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone

from bot.ingest.errors import ParseError
from bot.ingest.keys import hashed_key, occurrence_suffix
from bot.ingest.parsers.common import (
    classify_links,
    clean,
    decode_text,
    description_text,
    resolve_zone,
)
from bot.ingest.parsers.ical_expand import expand_series
from bot.ingest.parsers.ical_fields import as_utc, attr, event_fields, moment, prop, start_of
from bot.ingest.records import ParseResult, SessionRecord

LABEL = "iCalendar"
_FOLD = re.compile(rb"\r?\n[ \t]")
_CHECKED = ("DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")


def parse_ical(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse a VCALENDAR into sessions, one per (expanded) event."""
    warnings: list[str] = []
    calendar = _load(data, warnings)
    declared = clean(prop(calendar, "X-WR-TIMEZONE"))
    zone = resolve_zone(declared) or venue
    if declared and resolve_zone(declared) is None:
        warnings.append(f"unknown X-WR-TIMEZONE {declared!r}; using {venue.key}")
    _note_unknown_tzids(calendar, zone, warnings)
    calendar = x_wr_timezone.to_standard(calendar, timezone=zone)
    events, problems = _usable_events(calendar)
    _assign_uids(events, zone)
    recurring = {str(ev["UID"]) for ev in events if any(p in ev for p in _RECURRENCE)}
    sessions = [
        _session(ev, str(ev["UID"]), zone) for ev in events if str(ev["UID"]) not in recurring
    ]
    series = [ev for ev in events if str(ev["UID"]) in recurring]
    if series:
        earliest = min(as_utc(start_of(ev), zone) for ev in events)

        def build(component: icalendar.Component, key: str) -> SessionRecord:
            return _session(component, key, zone)

        sessions.extend(expand_series(calendar, series, zone, earliest, build, warnings))
    if problems and not sessions:
        raise ParseError(f"no usable event ({problems[0]})", fmt=LABEL)
    warnings.extend(problems)
    if not events:
        warnings.append("no events in the calendar")
    title = clean(prop(calendar, "X-WR-CALNAME")) or clean(prop(calendar, "NAME"))
    return ParseResult(format="ical", sessions=sessions, entries=[], warnings=warnings, title=title)


_RECURRENCE = ("RRULE", "RDATE", "RECURRENCE-ID")


def _load(data: bytes, warnings: list[str]) -> icalendar.Calendar:
    # Unfold before decoding: a fold may split a multi-byte UTF-8 character (RFC 5545 3.1).
    text = decode_text(_FOLD.sub(b"", data), warnings).lstrip()
    if not text:
        raise ParseError("empty document", fmt=LABEL)
    upper = text.upper()
    if not upper.startswith("BEGIN:VCALENDAR"):
        raise ParseError("does not start with BEGIN:VCALENDAR", "line 1", fmt=LABEL)
    if "END:VCALENDAR" not in upper:
        raise ParseError("truncated: END:VCALENDAR is missing", fmt=LABEL)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        reason = str(exc).split("\n", 1)[0][:200]
        raise ParseError(f"unreadable calendar: {reason}", fmt=LABEL) from exc
    if not calendars:
        raise ParseError("no VCALENDAR found", fmt=LABEL)
    calendar = calendars[0]
    if len(calendars) > 1:
        warnings.append(f"{len(calendars)} calendars in one file; merged")
        for extra in calendars[1:]:
            for component in extra.subcomponents:
                calendar.add_component(component)
    return calendar


def _note_unknown_tzids(calendar: icalendar.Component, zone: ZoneInfo, warnings: list[str]) -> None:
    unknown: Counter[str] = Counter()
    for event in calendar.walk("VEVENT"):
        start = moment(event, "DTSTART")
        tzid = (attr(prop(event, "DTSTART"), "params") or {}).get("TZID")
        if tzid and isinstance(start, datetime) and start.tzinfo is None:
            unknown[str(tzid)] += 1
    for tzid, count in sorted(unknown.items()):
        warnings.append(f"{count} event(s): unknown TZID {tzid!r}; read in {zone.key}")


def _usable_events(
    calendar: icalendar.Component,
) -> tuple[list[icalendar.Component], list[str]]:
    events: list[icalendar.Component] = []
    problems: list[str] = []
    for index, event in enumerate(calendar.walk("VEVENT"), start=1):
        uid = clean(prop(event, "UID"))
        where = f"event {index}" + (f" (UID {uid})" if uid else "")
        start = moment(event, "DTSTART")
        if start is None or not _representable(start):
            problems.append(f"{where}: no valid DTSTART; skipped")
            continue
        for name in _CHECKED:
            if any(isinstance(v, icalendar.vBroken) for v in _as_list(prop(event, name))):
                problems.append(f"{where}: unreadable {name}; ignored")
                del event[name]
        events.append(event)
    return events, problems


def _representable(value: date) -> bool:
    try:
        as_utc(value, UTC)
    except OverflowError:
        return False
    return 1900 <= value.year <= 2200


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _assign_uids(events: list[icalendar.Component], zone: ZoneInfo) -> None:
    """Fill missing UIDs; a UID shared by several non-override events gets ``#<start>``."""
    for event in events:
        if not clean(prop(event, "UID")):
            start = as_utc(start_of(event), zone).isoformat()
            event["UID"] = hashed_key(prop(event, "SUMMARY"), start, prop(event, "LOCATION"))
    masters = Counter(str(ev["UID"]) for ev in events if "RECURRENCE-ID" not in ev)
    for event in events:
        uid = str(event["UID"])
        if masters[uid] > 1 and "RECURRENCE-ID" not in event:
            event["UID"] = f"{uid}#{occurrence_suffix(as_utc(start_of(event), zone))}"


def _session(event: icalendar.Component, key: str, zone: ZoneInfo) -> SessionRecord:
    start_value = start_of(event)
    all_day = not isinstance(start_value, datetime)
    start = as_utc(start_value, zone)
    end = _end(event, start, all_day, zone)
    fields = event_fields(event)
    links = classify_links(fields.links)
    return SessionRecord(
        key=key,
        title=clean(prop(event, "SUMMARY")) or "(untitled)",
        start=start,
        end=end,
        timezone=_display_zone(event, zone),
        room=clean(prop(event, "LOCATION")),
        track=fields.track,
        url=clean(prop(event, "URL")),
        webcast_url=links.webcast_url,
        participation_url=links.participation_url,
        organiser=fields.organiser,
        persons=fields.persons,
        description=description_text(str(prop(event, "DESCRIPTION") or "")),
        language=fields.language,
        cancelled=str(prop(event, "STATUS") or "").upper() == "CANCELLED",
        sequence=fields.sequence,
        all_day=all_day,
    )


def _end(event: icalendar.Component, start: datetime, all_day: bool, zone: ZoneInfo) -> datetime:
    """DTEND, else DTSTART + DURATION, else the start (timed) or the next midnight (all-day)."""
    end_value = moment(event, "DTEND")
    duration = attr(prop(event, "DURATION"), "dt")
    if end_value is not None:
        end = as_utc(end_value, zone)
    elif isinstance(duration, timedelta):
        end = start + duration
    else:
        end = start
    if end < start or (all_day and end == start):
        end = start + timedelta(days=1) if all_day else start
    return end


def _display_zone(event: icalendar.Component, zone: ZoneInfo) -> str:
    """The event's own IANA zone if it names one, else the calendar's zone."""
    start = moment(event, "DTSTART")
    own = start.tzinfo if isinstance(start, datetime) else None
    if isinstance(own, ZoneInfo) and own.key != "UTC":
        return own.key
    if own is not None:
        params = attr(prop(event, "DTSTART"), "params") or {}
        named = resolve_zone(str(params.get("TZID", "")))
        if named is not None and named.key != "UTC":
            return named.key
    return zone.key
