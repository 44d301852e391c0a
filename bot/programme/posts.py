"""The announce channel's posts: announcement, change notice, starting now, digest, news.

Pure functions from rows to Telegram HTML in the channel's language; the announcer decides
when each is due and queues it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.ingest.telegram_html import to_telegram_html
from bot.links import BotLinks
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from bot.programme.markup import (
    TELEGRAM_TEXT_LIMIT,
    fit_html,
    link,
    safe_url,
    shorten,
    visible_length,
    webcast_url,
    zone_or,
)
from bot.timefmt import format_clock, format_day
from config.settings import Settings
from storage.models import Session

_TITLE_MAX = 300
_NEWS_TITLE_MAX = 300


@dataclass(frozen=True, slots=True)
class PostContext:
    """What every channel post needs besides the session: language, settings, the bot's name."""

    translator: Translator
    language: str
    settings: Settings
    links: BotLinks

    def t(self, message_id: str, **params: Any) -> str:
        return self.translator.t(self.language, message_id, **params)

    def venue_zone(self, session: Session) -> ZoneInfo:
        return zone_or(session.timezone, self.settings.zone)

    def when(self, session: Session, start: datetime | None = None) -> str:
        """``Tue 23 Jun 10:00–11:30 (Asia/Baku)`` in the venue's zone."""
        zone = self.venue_zone(session)
        start = start or session.start_at
        end = session.end_at + (start - session.start_at)
        text = (
            f"{format_day(start, zone, self.language)} {format_clock(start, zone, self.language)}"
        )
        if end > start:
            text += f"–{format_clock(end, zone, self.language)}"
        return f"{text} ({zone.key})"


def _title(session_title: str) -> str:
    return shorten(session_title, _TITLE_MAX)


def _links(ctx: PostContext, session: Session) -> list[str]:
    lines = []
    webcast = webcast_url(session, ctx.settings.webcasts)
    if webcast:
        lines.append(link(webcast, ctx.t("schedule.post.webcast")))
    participation = safe_url(session.participation_url)
    if participation:
        lines.append(link(participation, ctx.t("schedule.post.join")))
    return lines


def _open_in_bot(ctx: PostContext, session: Session) -> str:
    return link(ctx.links.card(session.id), ctx.t("schedule.post.open_in_bot"))


def announcement(ctx: PostContext, session: Session) -> str:
    """An IFLA session, announced once: title, venue time, room, webcast, joining, deep link."""
    lines = [ctx.t("schedule.post.announce", title=_title(session.title))]
    lines.append(ctx.t("schedule.post.when", when=ctx.when(session)))
    if session.room:
        lines.append(ctx.t("schedule.post.room", room=shorten(session.room, 200)))
    lines.extend(_links(ctx, session))
    lines.append(_open_in_bot(ctx, session))
    return "\n".join(lines)


def change_notice(ctx: PostContext, session: Session, change: SessionChange) -> str:
    """A moved, re-roomed, cancelled or restored session the channel was told about."""
    title = _title(session.title)
    if change.kind == ChangeKind.MOVED:
        old = ctx.when(session, change.old_start) if change.old_start else "—"
        text = ctx.t("schedule.post.moved", title=title, when=ctx.when(session), old=old)
        if change.old_room != change.new_room and session.room:
            text += "\n" + ctx.t("schedule.post.room", room=shorten(session.room, 200))
    elif change.kind == ChangeKind.ROOM_CHANGED:
        text = ctx.t(
            "schedule.post.room_changed",
            title=title,
            room=shorten(change.new_room or "—", 200),
            old=shorten(change.old_room or "—", 200),
            when=ctx.when(session),
        )
    elif change.kind == ChangeKind.CANCELLED:
        return ctx.t("schedule.post.cancelled", title=title, when=ctx.when(session))
    else:
        text = ctx.t("schedule.post.restored", title=title, when=ctx.when(session))
    return text + "\n" + _open_in_bot(ctx, session)


def starting_now(ctx: PostContext, session: Session) -> str:
    """The session is starting: where to watch it and how to join in."""
    lines = [ctx.t("schedule.post.live", title=_title(session.title))]
    if session.room:
        lines.append(ctx.t("schedule.post.room", room=shorten(session.room, 200)))
    lines.extend(_links(ctx, session))
    lines.append(_open_in_bot(ctx, session))
    return "\n".join(lines)


def digest(ctx: PostContext, day: date, sessions: Sequence[Session]) -> str:
    """The day's IFLA sessions in the venue's zone, one line each, as many as fit."""
    zone = ctx.settings.zone
    day_label = format_day(datetime.combine(day, datetime.min.time(), zone), zone, ctx.language)
    lines = [ctx.t("schedule.post.digest", day=day_label, zone=zone.key)]
    used = visible_length(lines[0])
    for index, session in enumerate(sessions):
        clock = format_clock(session.start_at, zone, ctx.language)
        if session.end_at > session.start_at:
            clock += "–" + format_clock(session.end_at, zone, ctx.language)
        title = link(
            ctx.links.card(session.id),
            ctx.t("schedule.post.digest_title", title=shorten(session.title, 150)),
        )
        line = ctx.t("schedule.post.digest_item", time=clock, safe={"title": title})
        if session.room:
            line += " " + ctx.t("schedule.list.room", room=shorten(session.room, 60))
        if used + visible_length(line) + 1 > TELEGRAM_TEXT_LIMIT - 80:
            lines.append(ctx.t("schedule.post.digest_more", count=len(sessions) - index))
            break
        lines.append(line)
        used += visible_length(line) + 1
    return "\n".join(lines)


def news_post(ctx: PostContext, item: NewsItem) -> str:
    """A feed entry: the title linked to the entry, the summary in Telegram's HTML, the source."""
    title = ctx.t("schedule.post.news_title", title=shorten(item.title or "—", _NEWS_TITLE_MAX))
    head = link(item.link, title)
    source = ctx.t("schedule.post.news_source", source=shorten(item.source_name, 100))
    room = TELEGRAM_TEXT_LIMIT - visible_length(head) - visible_length(source) - 4
    summary = ""
    if item.summary_html.strip() and room > 0:
        summary = fit_html(lambda limit: to_telegram_html(item.summary_html, limit=limit), room)
    return "\n\n".join(part for part in (head, summary, source) if part)
