"""Typed access to VEVENT properties, and the descriptive ones: track, people, links."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

import icalendar

from bot.ingest.parsers.common import clean, midnight_utc, to_utc

# Properties that carry a livestream or a remote-participation link.
WEBCAST_PROPS = ("X-WEBCAST", "X-WEBCAST-URL", "X-LIVESTREAM", "X-LIVESTREAM-URL", "X-STREAM-URL")
PARTICIPATION_PROPS = (
    "CONFERENCE",
    "X-PARTICIPATION-URL",
    "X-REMOTE-URL",
    "X-ZOOM-URL",
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
)
PERSON_PROPS = ("X-SPEAKER", "X-SPEAKERS", "X-PERSONS", "X-PRESENTER", "X-PRESENTERS")
PERSON_ROLES = frozenset({"CHAIR", "SPEAKER", "X-SPEAKER", "MODERATOR"})


def prop(component: icalendar.Component, name: str) -> Any:
    """A property as icalendar parsed it (its union of value types is no help here)."""
    return component.get(name)


def values(component: icalendar.Component, name: str) -> list[Any]:
    """A property that may occur several times, as a list."""
    value = prop(component, name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def attr(value: Any, name: str) -> Any:
    """``value.<name>``, or None when absent or the property is broken."""
    if value is None or isinstance(value, icalendar.vBroken):
        return None
    try:
        return getattr(value, name, None)
    except ValueError:  # icalendar raises BrokenCalendarProperty on broken values
        return None


def moment(component: icalendar.Component, name: str) -> date | None:
    """The date or date-time of DTSTART/DTEND/RECURRENCE-ID, or None."""
    value = attr(prop(component, name), "dt")
    return value if isinstance(value, date) else None


def start_of(component: icalendar.Component) -> date:
    """DTSTART; callers only see events already checked to have one."""
    value = moment(component, "DTSTART")
    if value is None:
        raise ValueError("no DTSTART")
    return value


def as_utc(value: date, zone: tzinfo) -> datetime:
    """A date-time in UTC; a date is its midnight in `zone`."""
    if isinstance(value, datetime):
        return to_utc(value, zone)
    return midnight_utc(value, zone)


@dataclass(slots=True)
class IcalFields:
    """Descriptive fields of one VEVENT."""

    track: str | None = None
    organiser: str | None = None
    persons: tuple[str, ...] = ()
    language: str | None = None
    sequence: int = 0
    links: list[tuple[str | None, str | None]] = field(default_factory=list)


def event_fields(event: icalendar.Component) -> IcalFields:
    """Read the optional descriptive properties leniently."""
    fields = IcalFields()
    categories: list[str] = []
    for value in values(event, "CATEGORIES"):
        cats = attr(value, "cats")
        if cats is not None:
            categories.extend(str(c) for c in cats)
        else:
            categories.append(str(value))
    fields.track = clean(", ".join(c.strip() for c in categories if c.strip()))
    organiser = prop(event, "ORGANIZER")
    if organiser is not None:
        cn = (attr(organiser, "params") or {}).get("CN")
        fields.organiser = clean(cn) or clean(re.sub(r"^mailto:", "", str(organiser), flags=re.I))
    persons: list[str] = []
    for name in PERSON_PROPS:
        for value in values(event, name):
            persons.extend(p.strip() for p in re.split(r"[;,]", str(value)) if p.strip())
    for attendee in values(event, "ATTENDEE"):
        params = attr(attendee, "params") or {}
        if str(params.get("ROLE", "")).upper() in PERSON_ROLES and clean(params.get("CN")):
            persons.append(str(params["CN"]).strip())
    fields.persons = tuple(dict.fromkeys(persons))
    summary_params = attr(prop(event, "SUMMARY"), "params") or {}
    fields.language = clean(summary_params.get("LANGUAGE")) or clean(prop(event, "X-LANGUAGE"))
    try:
        fields.sequence = int(str(prop(event, "SEQUENCE") or 0))
    except ValueError:
        fields.sequence = 0
    for name in WEBCAST_PROPS:
        fields.links.extend((str(v), "livestream") for v in values(event, name))
    for name in PARTICIPATION_PROPS:
        fields.links.extend((str(v), "remote participation") for v in values(event, name))
    return fields
