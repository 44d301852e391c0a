"""Normalised records every parser produces: sessions, news entries, and the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One programme session, times aware and in UTC."""

    key: str
    title: str
    start: datetime
    end: datetime
    timezone: str
    room: str | None = None
    track: str | None = None
    url: str | None = None
    webcast_url: str | None = None
    participation_url: str | None = None
    organiser: str | None = None
    persons: tuple[str, ...] = ()
    description: str = ""
    language: str | None = None
    cancelled: bool = False
    sequence: int = 0
    all_day: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON shape printed by `remotehub import --dry-run --json`."""
        return {
            "key": self.key,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
            "room": self.room,
            "track": self.track,
            "url": self.url,
            "webcast_url": self.webcast_url,
            "persons": list(self.persons),
            "description": self.description,
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True, slots=True)
class NewsEntry:
    """One feed entry; `summary_html` is raw and must be sanitised before sending."""

    key: str
    title: str
    link: str | None
    published: datetime | None
    summary_html: str

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON shape printed by `remotehub import --dry-run --json`."""
        return {
            "key": self.key,
            "title": self.title,
            "link": self.link,
            "published": self.published.isoformat() if self.published else None,
            "summary": self.summary_html,
        }


@dataclass(slots=True)
class ParseResult:
    """What one parse produced; warnings are lenient-validation notes, never fatal."""

    format: str
    sessions: list[SessionRecord]
    entries: list[NewsEntry]
    warnings: list[str]
    title: str | None = None
    # Times written without a zone or offset and read in the venue zone (for a warning when
    # that zone is only the default).
    floating_times: int = 0
