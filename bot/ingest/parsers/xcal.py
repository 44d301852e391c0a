"""xCal -> sessions, in both of the shapes found in the wild.

* pentabarf's ``schedule.xcal`` (frab, pretalx, FOSDEM): ``<iCalendar><vcalendar><vevent>``
  whose children hold text (``<dtstart>20200201T103000</dtstart>``, floating local times in
  the venue's zone), plus ``<pentabarf:...>`` elements.
* RFC 6321: ``<icalendar xmlns="urn:ietf:params:xml:ns:icalendar-2.0">`` with
  ``<vevent><properties><dtstart><parameters><tzid><text>Europe/Brussels</text></tzid>
  </parameters><date-time>2020-02-01T10:30:00</date-time></dtstart>...``.

Both are read into one shape, property name -> (value texts, parameters), and built into
sessions by the rules frab's formats share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.parsers.common import clean, resolve_zone
from bot.ingest.parsers.frab_common import FrabContext, RawEvent, build_sessions, check_zone
from bot.ingest.parsers.ical_fields import (
    PARTICIPATION_PROPS,
    PERSON_PROPS,
    PERSON_ROLES,
    WEBCAST_PROPS,
)
from bot.ingest.parsers.xml_safe import load_xml, local_name
from bot.ingest.records import ParseResult

LABEL = "xCal"
PENTABARF_NS = "http://pentabarf.org"
_BASIC_TIME = re.compile(r"^(\d{8})(?:T(\d{6}))?(Z?)$")
# pentabarf writes durations as hours.minutes ("0.20000" is 20 minutes).
_PENTABARF_DURATION = re.compile(r"^(\d+)\.(\d{2})\d*$")


@dataclass(slots=True)
class Prop:
    """One property: its value texts (several for CATEGORIES) and parameters, upper-cased."""

    texts: list[str]
    params: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str | None:
        return clean(", ".join(t for t in self.texts if t.strip()))


Props = dict[str, list[Prop]]


def parse_xcal(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse an xCal document (pentabarf or RFC 6321)."""
    root = load_xml(data, LABEL)
    root_name = local_name(root.tag)
    if root_name.lower() != "icalendar":
        raise ParseError(f"root element is <{root_name}>, expected <iCalendar>", fmt=LABEL)
    calendar = next((e for e in root.iter() if local_name(e.tag) == "vcalendar"), None)
    if calendar is None:
        raise ParseError("no <vcalendar> element", fmt=LABEL)
    head = _properties(calendar)
    warnings: list[str] = []
    check_zone(_first(head, "X-WR-TIMEZONE"), venue, warnings)
    ctx = FrabContext(venue=venue, label=LABEL)
    unknown_zones: set[str] = set()
    raws = [
        _raw_event(_properties(event), index, unknown_zones)
        for index, event in enumerate(
            (e for e in calendar.iter() if local_name(e.tag) == "vevent"), 1
        )
    ]
    for zone in sorted(unknown_zones):
        warnings.append(f"unknown TZID {zone!r}; its times are read in the venue zone")
    sessions = build_sessions(raws, ctx, warnings)
    return ParseResult(
        format="xcal",
        sessions=sessions,
        entries=[],
        warnings=warnings,
        title=_first(head, "X-WR-CALNAME") or _first(head, "X-WR-CALDESC"),
        floating_times=ctx.counts["floating"],
    )


def _properties(component: Element) -> Props:
    """Property name -> values, from either shape; pentabarf's names keep their prefix."""
    rfc = next((c for c in component if local_name(c.tag) == "properties"), None)
    props: Props = {}
    for child in rfc if rfc is not None else component:
        name = local_name(child.tag)
        if name in ("components", "vevent", "vtimezone", "valarm"):
            continue
        if child.tag.startswith(f"{{{PENTABARF_NS}}}"):
            name = f"pentabarf:{name}"
        prop = _rfc_prop(child) if rfc is not None else _text_prop(child)
        props.setdefault(name.upper(), []).append(prop)
    return props


def _text_prop(element: Element) -> Prop:
    params = {key.upper(): value for key, value in element.attrib.items()}
    return Prop([element.text or ""], params)


def _rfc_prop(element: Element) -> Prop:
    params: dict[str, str] = {}
    texts: list[str] = []
    for child in element:
        if local_name(child.tag) == "parameters":
            for param in child:
                value = next((v.text for v in param if v.text), param.text)
                params[local_name(param.tag).upper()] = value or ""
        else:
            texts.append(child.text or "")
    return Prop(texts, params)


def _first(props: Props, name: str) -> str | None:
    values = props.get(name)
    return values[0].text if values else None


def _raw_event(props: Props, index: int, unknown_zones: set[str]) -> RawEvent:
    uid = _first(props, "UID")
    ident = _first(props, "PENTABARF:EVENT-ID")
    summary = props.get("SUMMARY", [Prop([])])[0]
    raw = RawEvent(
        where=f"vevent {index}" + (f" (uid {uid})" if uid else ""),
        guid=uid,
        id=ident,
        title=summary.text or _first(props, "PENTABARF:TITLE"),
        date=_moment(props, "DTSTART", unknown_zones),
        end=_moment(props, "DTEND", unknown_zones),
        duration=_duration(_first(props, "DURATION")),
        room=_first(props, "LOCATION"),
        track=_joined(props, "CATEGORIES") or _joined(props, "CATEGORY"),
        language=summary.params.get("LANGUAGE")
        or _first(props, "PENTABARF:LANGUAGE-CODE")
        or _first(props, "X-LANGUAGE"),
        status=_first(props, "STATUS"),
        url=_first(props, "URL"),
        persons=_persons(props),
        texts=[_first(props, "DESCRIPTION")],
    )
    for name in WEBCAST_PROPS:
        raw.links.extend((p.text, "livestream") for p in props.get(name, []))
    for name in PARTICIPATION_PROPS:
        raw.links.extend((p.text, "remote participation") for p in props.get(name, []))
    return raw


def _joined(props: Props, name: str) -> str | None:
    return clean(", ".join(p.text for p in props.get(name, []) if p.text))


def _persons(props: Props) -> list[str]:
    persons: list[str] = []
    for name in PERSON_PROPS:
        for prop in props.get(name, []):
            persons.extend(p.strip() for p in re.split(r"[;,]", prop.text or "") if p.strip())
    for attendee in props.get("ATTENDEE", []):
        if not attendee.params:  # pentabarf: the text is the speaker's name
            persons.append(attendee.text or "")
        elif attendee.params.get("ROLE", "").upper() in PERSON_ROLES and attendee.params.get("CN"):
            persons.append(attendee.params["CN"])
    return list(dict.fromkeys(p.strip() for p in persons if p.strip()))


def _moment(props: Props, name: str, unknown_zones: set[str]) -> str | None:
    """The ISO text of a DTSTART/DTEND, with the offset of its TZID if it names one."""
    values = props.get(name)
    if not values or values[0].text is None:
        return None
    prop = values[0]
    text = prop.text or ""
    basic = _BASIC_TIME.match(text)
    try:
        if basic:
            moment = datetime.strptime(basic[1] + (basic[2] or "000000"), "%Y%m%d%H%M%S")
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # build_sessions reports it
    if basic and basic[3]:
        moment = moment.replace(tzinfo=UTC)
    tzid = prop.params.get("TZID")
    if tzid and moment.tzinfo is None:
        zone = resolve_zone(tzid)
        if zone is None:
            unknown_zones.add(tzid)
        else:
            moment = moment.replace(tzinfo=zone)
    return moment.isoformat()


def _duration(text: str | None) -> str | None:
    pentabarf = _PENTABARF_DURATION.match(text or "")
    return f"{pentabarf[1]}:{pentabarf[2]}" if pentabarf else text
