"""frab / pretalx schedule JSON (days -> rooms -> events) and schedule JSON v2 -> sessions."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.parsers.common import clean
from bot.ingest.parsers.frab_common import (
    LINK_FIELDS,
    RECORDING,
    FrabContext,
    RawEvent,
    build_sessions,
    check_zone,
)
from bot.ingest.records import ParseResult

LABEL = "frab JSON"
_PERSON_ROLES = frozenset({"SPEAKER", "MODERATOR", "HOST", "CHAIR", "PRESENTER"})


def load_json(data: bytes, label: str = LABEL) -> Any:
    """Decode JSON bytes; any failure (syntax, encoding, depth) is a ParseError."""
    if not data.strip():
        raise ParseError("empty document", fmt=label)
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ParseError(exc.msg, f"line {exc.lineno}, column {exc.colno}", fmt=label) from exc
    except RecursionError as exc:
        raise ParseError("nested too deeply", fmt=label) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"not JSON text ({exc})", fmt=label) from exc


def parse_frab_json(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse a frab/pretalx ``{"schedule": ...}`` document or a v2 one with top-level events."""
    doc = load_json(data)
    if not isinstance(doc, dict):
        raise ParseError("top level is not an object", fmt=LABEL)
    if "schedule" in doc and not isinstance(doc["schedule"], dict):
        raise ParseError(
            f'"schedule" is {_kind(doc["schedule"])}, expected an object', '"schedule"', fmt=LABEL
        )
    schedule = _dict(doc.get("schedule")) or doc
    conference = _dict(schedule.get("conference"))
    days = conference.get("days")
    events = schedule.get("events")
    if not isinstance(days, list) and not isinstance(events, list):
        where = '"schedule"' if "schedule" in doc else "top level"
        raise ParseError(
            'no "conference.days" list and no "events" list: nothing to read', where, fmt=LABEL
        )
    warnings: list[str] = []
    check_zone(_text(conference.get("time_zone_name")), venue, warnings)
    raws: list[RawEvent] = []
    for day in days if isinstance(days, list) else []:
        rooms = _dict(day).get("rooms")
        if not isinstance(rooms, dict):
            continue
        for room_name, room_events in rooms.items():
            for event in room_events if isinstance(room_events, list) else []:
                raws.append(
                    _raw_v1(_dict(event), _text(_dict(day).get("date")), room_name, len(raws) + 1)
                )
    if isinstance(events, list) and raws and events:
        warnings.append('both days/rooms and a top-level "events" list; used days/rooms')
    elif isinstance(events, list):
        tracks = {
            _text(t.get("slug")): _text(t.get("name"))
            for t in conference.get("tracks") or []
            if isinstance(t, dict)
        }
        raws.extend(
            _raw_v2(_dict(event), tracks, len(raws) + i) for i, event in enumerate(events, 1)
        )
    ctx = FrabContext(venue=venue, label=LABEL)
    sessions = build_sessions(raws, ctx, warnings)
    return ParseResult(
        format="frab_json",
        sessions=sessions,
        entries=[],
        warnings=warnings,
        title=_text(conference.get("title")),
        floating_times=ctx.counts["floating"],
    )


def _kind(value: object) -> str:
    """What a JSON value is, in words, for an error line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "something else"


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return clean(value)
    if isinstance(value, dict):
        return _text(value.get("name")) or _text(value.get("title"))
    return None


def _where(event: dict[str, Any], index: int) -> str:
    ident = _text(event.get("id")) or _text(event.get("guid"))
    return f"event {index}" + (f" (id {ident})" if ident else "")


def _links(event: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    found: list[tuple[str | None, str | None]] = [
        (_text(event.get(name)), label) for name, label in LINK_FIELDS if name != RECORDING
    ]
    for link in event.get("links") or []:
        if isinstance(link, dict):
            label = " ".join(filter(None, (_text(link.get("type")), _text(link.get("title")))))
            found.append((_text(link.get("url")), label))
        elif isinstance(link, str):
            found.append((link, None))
    found.append((_text(event.get(RECORDING)), "webcast recording"))
    return found


def _raw_v1(event: dict[str, Any], day_date: str | None, room: str, index: int) -> RawEvent:
    persons = [
        _text(p.get("public_name"))
        or _text(p.get("full_public_name"))
        or _text(p.get("name"))
        or ""
        if isinstance(p, dict)
        else _text(p) or ""
        for p in event.get("persons") or []
    ]
    return RawEvent(
        where=_where(event, index),
        guid=_text(event.get("guid")),
        id=_text(event.get("id")),
        title=_text(event.get("title")),
        date=_text(event.get("date")),
        day_date=day_date,
        start=_text(event.get("start")),
        duration=_text(event.get("duration")),
        room=_text(event.get("room")) or room,
        track=_text(event.get("track")),
        language=_text(event.get("language")),
        status=_text(event.get("status")) or _text(event.get("state")),
        url=_text(event.get("url")),
        persons=persons,
        texts=[_text(event.get("abstract")), _text(event.get("description"))],
        links=_links(event),
    )


def _raw_v2(event: dict[str, Any], tracks: dict[str | None, str | None], index: int) -> RawEvent:
    people = event.get("participants") or event.get("persons") or []
    persons = [
        _text(p.get("name")) or _text(p.get("public_name")) or ""
        for p in people
        if isinstance(p, dict) and (_text(p.get("role")) or "SPEAKER").upper() in _PERSON_ROLES
    ]
    track = event.get("track")
    track_name = _text(track) or (
        tracks.get(_text(track.get("slug"))) if isinstance(track, dict) else None
    )
    return RawEvent(
        where=_where(event, index),
        guid=_text(event.get("guid")),
        id=_text(event.get("id")) or _text(event.get("code")),
        title=_text(event.get("title")),
        start=_text(event.get("start")),
        date=_text(event.get("date")),
        end=_text(event.get("end")),
        duration=_text(event.get("duration")),
        room=_text(event.get("room")),
        track=track_name or (_text(track.get("slug")) if isinstance(track, dict) else None),
        language=_text(event.get("language")),
        status=_text(event.get("status")) or _text(event.get("state")),
        url=_text(event.get("url")),
        persons=persons,
        texts=[_text(event.get("abstract")), _text(event.get("description"))],
        links=_links(event),
    )
