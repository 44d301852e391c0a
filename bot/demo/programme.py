"""The rehearsal's sample programme: one forum day in the venue's zone, as an iCalendar file.

It is written for the day the demo runs (so "today" in every chat is the demo's day) and fed
to the bot through a configured source, exactly like a real forum's export: the demo never
puts sessions into the database itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

IFLA_KEYWORDS = ("IFLA", "librar", "библиотек")
WEBCAST_ROOT = "https://webcast.example.org/forum"
PROGRAMME_ROOT = "https://forum.example.org/programme"


@dataclass(frozen=True, slots=True)
class SampleSession:
    """One session of the sample day; times are venue-local."""

    slug: str
    title: str
    start: time
    end: time
    room: str
    organiser: str
    track: str
    description: str

    @property
    def webcast_url(self) -> str:
        return f"{WEBCAST_ROOT}/{self.slug}"

    @property
    def url(self) -> str:
        return f"{PROGRAMME_ROOT}/{self.slug}"

    def starts_on(self, day: date, zone: ZoneInfo) -> datetime:
        return datetime.combine(day, self.start, zone)

    def ends_on(self, day: date, zone: ZoneInfo) -> datetime:
        return datetime.combine(day, self.end, zone)


# Three IFLA sessions among others; the Open Forum overlaps the workshop on purpose, so an
# asker sees the bot offer a choice of sessions.
SAMPLE_DAY: tuple[SampleSession, ...] = (
    SampleSession(
        "opening",
        "Opening ceremony",
        time(9, 0),
        time(9, 45),
        "Plenary Hall",
        "Forum secretariat",
        "Main",
        "Welcome by the host country and the forum's chair.",
    ),
    SampleSession(
        "ws-public-access",
        "Public access to the Internet in libraries: the last mile and the first stop",
        time(10, 0),
        time(11, 30),
        "Workshop Room 3",
        "IFLA",
        "Universal access",
        "How public libraries keep people connected where the market does not: "
        "free Wi-Fi, devices to borrow and staff who help.",
    ),
    SampleSession(
        "of-data-south",
        "Open Forum: Data governance in the Global South",
        time(11, 0),
        time(12, 0),
        "Room 5",
        "Regional data network",
        "Data governance",
        "Cross-border data flows, local capacity and regulation.",
    ),
    SampleSession(
        "dc-pal",
        "Dynamic Coalition on Public Access in Libraries",
        time(13, 0),
        time(14, 0),
        "Room 7",
        "IFLA",
        "Dynamic Coalitions",
        "The coalition's annual meeting: the public access principles and the year's work.",
    ),
    SampleSession(
        "main-meaningful-access",
        "Main Session: Meaningful access for everyone: connectivity, skills, libraries",
        time(15, 0),
        time(16, 30),
        "Plenary Hall",
        "Forum secretariat with IFLA",
        "Main",
        "Connectivity is not enough: skills, content and places to go online.",
    ),
    SampleSession(
        "closing",
        "Closing ceremony",
        time(17, 0),
        time(17, 30),
        "Plenary Hall",
        "Forum secretariat",
        "Main",
        "Messages from the day and thanks to the hosts.",
    ),
)


def programme_ical(day: date, zone: ZoneInfo, *, stamp: datetime) -> bytes:
    """The sample day as iCalendar bytes, start and end in the venue's zone (TZID)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//RemoteHub//rehearsal demo//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Forum day (RemoteHub rehearsal)")
    calendar.add("x-wr-timezone", zone.key)
    for session in SAMPLE_DAY:
        event = icalendar.Event()
        event.add("uid", f"{session.slug}-{day.isoformat()}@demo.remotehub")
        event.add("summary", session.title)
        event.add("dtstart", session.starts_on(day, zone))
        event.add("dtend", session.ends_on(day, zone))
        event.add("dtstamp", stamp)
        event.add("location", session.room)
        event.add("categories", [session.track])
        event.add(
            "organizer", f"mailto:{session.slug}@forum.example.org", {"CN": session.organiser}
        )
        event.add("description", session.description)
        event.add("url", session.url)
        event.add("x-webcast-url", session.webcast_url)
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def write_programme(directory: Path, day: date, zone: ZoneInfo, *, stamp: datetime) -> Path:
    """Write ``programme.ics`` into ``directory``; returns its path."""
    path = directory / "programme.ics"
    path.write_bytes(programme_ical(day, zone, stamp=stamp))
    return path
