"""An .ics file of one session for the user's own calendar (times in UTC, a stable UID).

The UID comes from the session's source and key, not the database id, so importing the
file again after a programme change updates the same calendar entry (SEQUENCE grows).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime

from icalendar import Calendar, Event

from storage.models import Session

PRODID = "-//RemoteHub//Forum sessions//EN"


def session_uid(session: Session) -> str:
    digest = hashlib.sha1(f"{session.source_id}:{session.key}".encode()).hexdigest()[:20]
    return f"{digest}@remotehub"


def session_filename(session: Session) -> str:
    """A short ASCII file name Telegram shows under the document."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", session.title).strip("-")[:40].lower()
    return f"{slug or 'session'}-{session.id}.ics"


def session_calendar(
    session: Session,
    *,
    webcast: str | None,
    card_url: str | None,
    now: datetime,
    translate: Callable[[str], str],
) -> bytes:
    """The session as an iCalendar file with one VEVENT; ``translate`` gives the labels."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", session.start_at.astimezone(UTC))
    event.add("dtend", max(session.end_at, session.start_at).astimezone(UTC))
    event.add("summary", session.title)
    event.add("sequence", session.sequence)
    if session.room:
        event.add("location", session.room)
    url = webcast or session.url or card_url
    if url:
        event.add("url", url)
    event.add("description", _description(session, webcast, card_url, translate))
    if session.cancelled:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data


def _description(
    session: Session,
    webcast: str | None,
    card_url: str | None,
    translate: Callable[[str], str],
) -> str:
    lines = []
    if webcast:
        lines.append(f"{translate('ics.webcast')} {webcast}")
    if session.participation_url:
        lines.append(f"{translate('ics.participation')} {session.participation_url}")
    if card_url:
        lines.append(f"{translate('ics.questions')} {card_url}")
    if session.description:
        lines += ["", _plain(session.description)]
    return "\n".join(lines).strip()


def _plain(text: str) -> str:
    """Descriptions may hold the programme's HTML; a calendar wants text."""
    return re.sub(r"<[^>]+>", "", text).strip()
