"""pretalx's widget/schedule JSON (``talks``, ``rooms``, ``speakers``, ``timezone``) -> sessions.

Rooms, tracks and speakers are referenced by id or code and resolved here; names may be
plain strings or per-language objects (``{"en": ..., "de": ...}``). Entries without a
``code`` are breaks and are not sessions.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.parsers.common import clean
from bot.ingest.parsers.frab_common import FrabContext, RawEvent, build_sessions, check_zone
from bot.ingest.parsers.frab_json import load_json
from bot.ingest.records import ParseResult

LABEL = "pretalx widget JSON"


def looks_like_pretalx_widget(doc: object) -> bool:
    """True for an object with a ``talks`` list beside ``rooms`` or ``speakers``."""
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("talks"), list)
        and ("rooms" in doc or "speakers" in doc)
    )


def parse_pretalx_widget(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse a pretalx widget document; talks without a usable start are skipped."""
    doc = load_json(data, LABEL)
    if not isinstance(doc, dict):
        raise ParseError("top level is not an object", fmt=LABEL)
    talks = doc.get("talks")
    if not isinstance(talks, list):
        raise ParseError('no "talks" list', fmt=LABEL)
    warnings: list[str] = []
    check_zone(_name(doc.get("timezone")), venue, warnings)
    rooms = _names(doc.get("rooms"), "id", "rooms")
    tracks = _names(doc.get("tracks"), "id", "tracks")
    speakers = _names(doc.get("speakers"), "code", "speakers")
    ctx = FrabContext(venue=venue, label=LABEL)
    raws: list[RawEvent] = []
    unknown = 0
    for index, value in enumerate(talks, 1):
        if not isinstance(value, dict):
            ctx.problems.append(f"talk {index}: not an object; skipped")
            continue
        talk = value
        code = _name(talk.get("code"))
        if not code:
            continue  # a break, or a blocker: not a session
        names: list[str] = []
        for ref in talk.get("speakers") or []:
            name = (
                speakers.get(_key(ref) or "")
                if not isinstance(ref, dict)
                else _name(ref.get("name"))
            )
            if name is None:
                unknown += 1
            names.append(name or "")
        raws.append(
            RawEvent(
                where=f"talk {index} (code {code})",
                id=code,
                title=_name(talk.get("title")),
                start=_name(talk.get("start")),
                end=_name(talk.get("end")),
                duration=_name(talk.get("duration")),
                room=_ref(talk.get("room"), rooms),
                track=_ref(talk.get("track"), tracks),
                language=_name(talk.get("content_locale")) or _name(talk.get("language")),
                status=_name(talk.get("state")),
                url=_name(talk.get("url")),
                persons=names,
                texts=[_name(talk.get("abstract")), _name(talk.get("description"))],
            )
        )
    if unknown:
        warnings.append(f'{unknown} speaker code(s) not in "speakers"; left out')
    sessions = build_sessions(raws, ctx, warnings)
    return ParseResult(
        format="pretalx_widget",
        sessions=sessions,
        entries=[],
        warnings=warnings,
        title=_name(doc.get("name")) or _name(doc.get("title")),
    )


def _names(value: object, key: str, where: str) -> dict[str, str]:
    """``[{key: ..., "name": ...}]`` as key -> name; ParseError if not a list."""
    if value is None:
        return {}
    if not isinstance(value, list):
        raise ParseError(f'"{where}" is not a list', fmt=LABEL)
    found: dict[str, str] = {}
    for item in value:
        if isinstance(item, dict):
            ident, name = _key(item.get(key)), _name(item.get("name"))
            if ident is not None and name:
                found[ident] = name
    return found


def _ref(value: object, names: dict[str, str]) -> str | None:
    """A room or track given by id (resolved) or inline by name."""
    if isinstance(value, dict):
        return _name(value.get("name")) or names.get(_key(value.get("id")) or "")
    ident = _key(value)
    if ident is None:
        return None
    return names.get(ident) or (None if isinstance(value, int) else clean(value))


def _key(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return clean(value)


def _name(value: object) -> str | None:
    """Text, or the English (else first) value of a per-language object."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return clean(value)
    if isinstance(value, dict):
        for lang in ("en", *value):
            text = value.get(lang)
            if isinstance(text, str) and text.strip():
                return text.strip()
    return None
