"""Indico's timetable export JSON (``/export/timetable/<event>.json``) and event export
JSON (``/export/event/<event>.json?detail=contributions``) -> sessions.

Shape: ``results[<event>][<YYYYMMDD>][<entry id>]``. A Session block that holds
contributions yields those contributions, with the block's title as their track; an
empty block is a session itself; a Break is not a session.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.parsers.common import clean, resolve_zone
from bot.ingest.parsers.frab_common import FrabContext, RawEvent, build_sessions
from bot.ingest.parsers.frab_json import load_json
from bot.ingest.records import ParseResult

LABEL = "Indico timetable"
EVENT_LABEL = "Indico event JSON"
_SESSION_TYPES = frozenset({"contribution", "session"})


def looks_like_indico_timetable(doc: object) -> bool:
    """True for ``{"results": {<event>: {<YYYYMMDD>: {...}}}}``."""
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, dict) or not results:
        return False
    return all(
        isinstance(days, dict) and all(_is_day_key(day) for day in days)
        for days in results.values()
    )


def looks_like_indico_event(doc: object) -> bool:
    """True for ``{"results": [{"contributions": [...]}, ...]}``."""
    results = doc.get("results") if isinstance(doc, dict) else None
    return (
        isinstance(results, list)
        and bool(results)
        and all(isinstance(e, dict) and isinstance(e.get("contributions"), list) for e in results)
    )


def parse_indico_event(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse an event export with contributions; the session's title is the track (as in
    the timetable), else the contribution's track. Unscheduled contributions are counted."""
    doc = load_json(data, EVENT_LABEL)
    if not isinstance(doc, dict):
        raise ParseError("top level is not an object", fmt=EVENT_LABEL)
    results = doc.get("results")
    if not isinstance(results, list):
        raise ParseError('no "results" list of events', fmt=EVENT_LABEL)
    ctx = FrabContext(venue=venue, label=EVENT_LABEL)
    warnings: list[str] = []
    raws: list[RawEvent] = []
    unscheduled = 0
    title: str | None = None
    for number, value in enumerate(results):
        event = _dict(value)
        contributions = event.get("contributions")
        if not isinstance(contributions, list):
            where = f"results/{number}"
            raise ParseError(
                'no "contributions" list (export with detail=contributions)', where, fmt=EVENT_LABEL
            )
        event_id = _text(event.get("id"))
        title = title or _text(event.get("title"))
        for index, item in enumerate(contributions):
            contribution = _dict(item)
            here = f"results/{number}/contributions/{index}"
            if not isinstance(contribution.get("startDate"), dict):
                unscheduled += 1
                continue
            ident = _text(contribution.get("id"))
            entry = contribution | {
                "uniqueId": f"a{event_id}c{ident}" if event_id and ident else None,
                "presenters": contribution.get("speakers") or [],
                "track": _session_title(contribution.get("session"))
                or _text(contribution.get("track")),
            }
            try:
                raws.append(_raw(entry, here, "contribution", None, venue))
            except (ValueError, OverflowError) as exc:
                ctx.problems.append(f"{here}: {exc}; skipped")
    if unscheduled:
        warnings.append(f"{unscheduled} contribution(s) not in the timetable; left out")
    sessions = build_sessions(raws, ctx, warnings)
    return ParseResult(
        format="indico_event", sessions=sessions, entries=[], warnings=warnings, title=title
    )


def _session_title(value: object) -> str | None:
    return _text(value.get("title")) if isinstance(value, dict) else _text(value)


def parse_indico_timetable(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse an Indico timetable export; entries without a usable start are skipped."""
    doc = load_json(data, LABEL)
    if not isinstance(doc, dict):
        raise ParseError("top level is not an object", fmt=LABEL)
    results = doc.get("results")
    if not isinstance(results, dict):
        raise ParseError('no "results" object keyed by event id', fmt=LABEL)
    ctx = FrabContext(venue=venue, label=LABEL)
    warnings: list[str] = []
    raws: list[RawEvent] = []
    for event_id, days in results.items():
        if not isinstance(days, dict):
            raise ParseError("not an object of days", f"results/{event_id}", fmt=LABEL)
        for day_key, entries in days.items():
            where = f"results/{event_id}/{day_key}"
            if not _is_day_key(day_key):
                raise ParseError(f"day key {day_key!r} is not YYYYMMDD", where, fmt=LABEL)
            if not isinstance(entries, dict):
                raise ParseError("day is not an object of entries", where, fmt=LABEL)
            _walk(entries, where, None, ctx, raws)
    sessions = build_sessions(raws, ctx, warnings)
    return ParseResult(
        format="indico_timetable",
        sessions=sessions,
        entries=[],
        warnings=warnings,
        title=_text(doc.get("title")),
    )


def _walk(
    entries: dict[str, Any],
    where: str,
    track: str | None,
    ctx: FrabContext,
    raws: list[RawEvent],
) -> None:
    for entry_id, value in entries.items():
        entry = _dict(value)
        here = f"{where}/{entry_id}"
        kind = (_text(entry.get("entryType")) or "").lower()
        if kind not in _SESSION_TYPES:
            if kind != "break":
                ctx.problems.append(
                    f"{here}: unknown entryType {entry.get('entryType')!r}; skipped"
                )
            continue
        children = _dict(entry.get("entries"))
        if kind == "session" and children:
            _walk(children, here, _text(entry.get("title")) or track, ctx, raws)
            continue
        try:
            raws.append(_raw(entry, here, kind, track, ctx.venue))
        except (ValueError, OverflowError) as exc:
            ctx.problems.append(f"{here}: {exc}; skipped")


def _raw(
    entry: dict[str, Any], where: str, kind: str, track: str | None, venue: ZoneInfo
) -> RawEvent:
    start = _moment(entry.get("startDate"), "startDate", venue)
    if start is None:
        raise ValueError("no startDate")
    end = _moment(entry.get("endDate"), "endDate", venue, required=False)
    title = _text(entry.get("title"))
    people = entry.get("presenters") or entry.get("speakers") or []
    if kind == "session":
        slot = _text(entry.get("slotTitle"))
        if slot and title and slot != title:
            title = f"{title}: {slot}"
        title = title or slot
        people = people or entry.get("conveners") or []
        track = _text(entry.get("track"))
    else:
        track = track or _text(entry.get("track"))
    return RawEvent(
        where=where,
        guid=_text(entry.get("uniqueId")) or _text(entry.get("friendlyId")),
        id=_text(entry.get("id")),
        title=title,
        date=start.isoformat(),
        end=end.isoformat() if end else None,
        room=_text(entry.get("room"))
        or _text(entry.get("roomFullname"))
        or _text(entry.get("location")),
        track=track,
        url=_text(entry.get("url")),
        persons=[_person(p) for p in people if isinstance(p, dict | str)],
        texts=[_text(entry.get("description"))],
        links=_links(entry),
    )


def _moment(value: object, name: str, venue: ZoneInfo, *, required: bool = True) -> datetime | None:
    """``{date, time, tz}`` as an aware datetime; ValueError if required and unreadable."""
    if not isinstance(value, dict) or not clean(value.get("date")):
        if required:
            raise ValueError(f"no {name}")
        return None
    try:
        day = date.fromisoformat(str(value.get("date")).strip())
        clock = time.fromisoformat(clean(value.get("time")) or "00:00")
    except ValueError as exc:
        if required:
            raise ValueError(f"unreadable {name} ({exc})") from exc
        return None
    zone = resolve_zone(_text(value.get("tz"))) or venue
    return datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone)


def _person(person: dict[str, Any] | str) -> str:
    if isinstance(person, str):
        return person
    first = _text(person.get("firstName")) or _text(person.get("first_name"))
    last = _text(person.get("familyName")) or _text(person.get("last_name"))
    name = _text(person.get("name")) or " ".join(filter(None, (first, last)))
    return name or _text(person.get("fullName")) or ""


def _links(entry: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    found: list[tuple[str | None, str | None]] = []
    for folder in entry.get("material") or []:
        if not isinstance(folder, dict):
            continue
        label = _text(folder.get("title"))
        for resource in folder.get("resources") or []:
            if isinstance(resource, dict):
                found.append((_text(resource.get("url")), label or _text(resource.get("name"))))
    return found


def _is_day_key(key: object) -> bool:
    return isinstance(key, str) and len(key) == 8 and key.isdigit()


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return clean(value)
    return None
