"""What reminders and change notices say: the chat's language, the chat's zone, the venue's beside.

Rendered once per (language, zone) and shared by every chat that reads the same, so a
fan-out to thousands of chats formats a handful of texts.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import Translator
from bot.links import BotLinks
from bot.programme.events import ChangeKind
from bot.timefmt import format_span, local_label
from storage.models import Session


def webcast_for(session: Session, webcasts: Mapping[str, str]) -> str | None:
    """The session's own webcast link, else the configured stream of its room."""
    if session.webcast_url:
        return session.webcast_url
    return webcasts.get(session.room or "") if session.room else None


def zone_named(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """The zone a chat chose (or a session is in); ``fallback`` if unset or no longer known."""
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _link(text: str, url: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{text}</a>'


class ReminderTexts:
    """Formats reminders and change notices for one reader (language and zone)."""

    def __init__(self, translator: Translator, links: BotLinks) -> None:
        self._t = translator
        self._links = links

    def duration(self, language: str, seconds: float) -> str:
        """``10 minutes``, ``1 hour 30 minutes``, ``1 day`` (rounded to the minute)."""
        minutes = max(1, round(seconds / 60))
        if minutes < 60:
            return self._t.t(language, "duration.minutes", count=minutes)
        if minutes % (24 * 60) == 0:
            return self._t.t(language, "duration.days", count=minutes // (24 * 60))
        if minutes < 48 * 60:
            hours, rest = divmod(minutes, 60)
            text = self._t.t(language, "duration.hours", count=hours)
            if rest:
                text += " " + self._t.t(language, "duration.minutes", count=rest)
            return text
        return self._t.t(language, "duration.days", count=round(minutes / (24 * 60)))

    def leads(self, language: str, leads: list[int]) -> str:
        """``1 hour, 10 minutes``; ``switched off`` for none."""
        if not leads:
            return self._t.t(language, "leads.none")
        ordered = sorted(leads, reverse=True)
        return ", ".join(self.duration(language, minutes * 60) for minutes in ordered)

    def _when(self, session: Session, language: str, reader: ZoneInfo, venue: ZoneInfo) -> str:
        return format_span(session.start_at, session.end_at, reader, venue, language)

    def _card(self, session: Session, language: str) -> str:
        label = self._t.t(language, "reminder.card_link")
        return self._t.t(
            language,
            "reminder.card",
            safe={"link": _link(label, self._links.card(session.id))},
        )

    def reminder(
        self,
        session: Session,
        *,
        language: str,
        reader: ZoneInfo,
        venue: ZoneInfo,
        now: datetime,
        webcast: str | None,
    ) -> str:
        """Title, how soon, time in the reader's zone (venue's beside), room, webcast, card."""
        remaining = (session.start_at - now).total_seconds()
        lines = [
            self._t.t(
                language,
                "reminder.heading",
                title=session.title,
                duration=self.duration(language, remaining),
            ),
            self._t.t(language, "reminder.when", when=self._when(session, language, reader, venue)),
        ]
        if session.room:
            lines.append(self._t.t(language, "reminder.room", room=session.room))
        if webcast:
            label = self._t.t(language, "reminder.webcast_link")
            link = _link(label, webcast)
            lines.append(self._t.t(language, "reminder.webcast", safe={"link": link}))
        lines.append(self._card(session, language))
        return "\n".join(lines)

    def several_heading(self, language: str) -> str:
        """Above a reminder that lists several sessions starting in the same minute."""
        return self._t.t(language, "reminder.several")

    def notice(
        self,
        session: Session,
        kind: ChangeKind,
        *,
        old_start: datetime | None,
        old_room: str | None,
        language: str,
        reader: ZoneInfo,
        venue: ZoneInfo,
    ) -> str:
        """A change subscribers must hear about: moved, room changed, cancelled, restored."""
        when = self._when(session, language, reader, venue)
        params: dict[str, Any] = {"title": session.title, "when": when}
        if kind is ChangeKind.MOVED:
            moment = old_start or session.start_at
            params["old"] = local_label(moment, reader, language)
        elif kind is ChangeKind.ROOM_CHANGED:
            params["room"] = session.room or self._t.t(language, "notice.no_room")
            params["old_room"] = old_room or self._t.t(language, "notice.no_room")
        text = self._t.t(language, f"notice.{kind.value}", **params)
        return text + "\n" + self._card(session, language)
