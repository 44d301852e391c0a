"""frab / Pentabarf / wafer schedule XML -> sessions."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element
from zoneinfo import ZoneInfo

from bot.ingest.errors import ParseError
from bot.ingest.parsers.common import clean, parse_clock
from bot.ingest.parsers.frab_common import (
    LINK_FIELDS,
    RECORDING,
    FrabContext,
    RawEvent,
    build_sessions,
    check_zone,
)
from bot.ingest.parsers.xml_safe import load_xml, local_name
from bot.ingest.records import ParseResult

LABEL = "frab XML"
_ROOTS = frozenset({"schedule", "conference"})


def parse_frab_xml(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse a frab-style ``<schedule>`` document."""
    root = load_xml(data, LABEL)
    root_name = local_name(root.tag)
    if root_name not in _ROOTS:
        raise ParseError(f"root element is <{root_name}>, expected <schedule>", fmt=LABEL)
    warnings: list[str] = []
    conference = root if root_name == "conference" else root.find("conference")
    title = None
    ctx = FrabContext(venue=venue, label=LABEL)
    if conference is not None:
        title = clean(conference.findtext("title"))
        check_zone(clean(conference.findtext("time_zone_name")), venue, warnings)
        day_change = clean(conference.findtext("day_change"))
        if day_change:
            try:
                ctx.day_change = parse_clock(day_change)
            except ValueError:
                warnings.append(f"unreadable <day_change> {day_change!r}; using 00:00")
    raws = list(_raw_events(root))
    orphans = sum(1 for _ in root.iter("event")) - len(raws)
    if orphans:
        warnings.append(f"{orphans} <event> element(s) outside any <day>; ignored")
    sessions = build_sessions(raws, ctx, warnings)
    return ParseResult(
        format="frab_xml",
        sessions=sessions,
        entries=[],
        warnings=warnings,
        title=title,
        floating_times=ctx.counts["floating"],
    )


def _raw_events(root: Element) -> Iterator[RawEvent]:
    index = 0
    for day in root.iter("day"):
        for child in day:
            if child.tag == "room":
                events = [(child.get("name"), event) for event in child.iter("event")]
            elif child.tag == "event":
                events = [(None, child)]
            else:
                continue
            for room_name, event in events:
                index += 1
                yield _raw_event(event, day, room_name, index)


def _raw_event(event: Element, day: Element, room_name: str | None, index: int) -> RawEvent:
    ident = event.get("id")
    raw = RawEvent(
        where=f"event {index}" + (f" (id {ident})" if ident else ""),
        guid=event.get("guid"),
        id=ident,
        title=event.findtext("title"),
        date=event.findtext("date"),
        day_date=day.get("date"),
        start=event.findtext("start"),
        duration=event.findtext("duration"),
        room=clean(event.findtext("room")) or room_name,
        track=event.findtext("track"),
        language=event.findtext("language"),
        status=event.findtext("status") or event.get("status"),
        url=event.findtext("url"),
        persons=[person.text or "" for person in event.iterfind("persons/person")],
        texts=[event.findtext("abstract"), event.findtext("description")],
    )
    raw.links.extend((event.findtext(tag), label) for tag, label in LINK_FIELDS if tag != RECORDING)
    raw.links.extend((link.get("href"), link.text) for link in event.iterfind("links/link"))
    raw.links.append((event.findtext(RECORDING), "webcast recording"))  # last resort
    return raw
