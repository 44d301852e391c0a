"""What people see of the programme: the session card, the upcoming list, what is live now.

Plain functions from rows to ``(text, keyboard)``: Telegram HTML and Bot API keyboard JSON,
so the subscription and question features can show the same card without this module's
handlers. Times go through ``bot.timefmt``: the reader's zone first, the venue's beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.ingest.telegram_html import to_telegram_html
from bot.links import BotLinks
from bot.programme.callbacks import (
    AskFromCard,
    RemindMe,
    SessionCalendar,
    SessionCard,
    SessionsPage,
)
from bot.programme.markup import (
    TELEGRAM_TEXT_LIMIT,
    fit_html,
    link,
    safe_url,
    shorten,
    visible_length,
    webcast_url,
)
from bot.textlists import join_items
from bot.timefmt import format_clock, format_day, format_span
from config.settings import Settings
from storage.models import Session

Keyboard = dict[str, Any]
Rendered = tuple[str, Keyboard | None]

PAGE_SIZE = 8
IFLA_MARK = "⭐"
CANCELLED_MARK = "❌"
LIVE_MARK = "🔴"
PREV_PAGE, NEXT_PAGE = "◀", "▶"
_TITLE_IN_CARD = 300
_TITLE_IN_LIST = 90
_TITLE_ON_BUTTON = 40
_DESCRIPTION_MAX = 1500


def _button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


def _url_button(text: str, url: str) -> dict[str, str]:
    return {"text": text, "url": url}


def takes_questions(session: Session, settings: Settings, now: datetime) -> bool:
    """Whether the card offers asking: the session's own rule with the configured window."""
    return session.takes_questions(now, timedelta(minutes=settings.questions.open_before_minutes))


def session_card(
    translator: Translator,
    language: str,
    session: Session,
    reader_zone: ZoneInfo,
    venue_zone: ZoneInfo,
    settings: Settings,
    links: BotLinks,
    *,
    now: datetime | None = None,
) -> Rendered:
    """One session: title, times (reader's and venue's zone), room, people, description, links.

    Buttons: remind (``sub:add:<id>``) before the start, the .ics file (``ics:<id>``), a
    question (``ask:s:<id>``) while the session takes them, and the webcast/participation links.
    """
    now = now or datetime.now(UTC)

    def t(message_id: str, **params: Any) -> str:
        return translator.t(language, message_id, **params)

    title = t("schedule.card.title", title=shorten(session.title, _TITLE_IN_CARD))
    lines = [title]
    if session.cancelled:
        lines.append(t("schedule.card.cancelled"))
    elif session.start_at <= now < session.end_at:
        lines.append(t("schedule.card.live"))
    elif session.end_at <= now:
        lines.append(t("schedule.card.ended"))
    span = format_span(session.start_at, session.end_at, reader_zone, venue_zone, language)
    lines.append(t("schedule.card.when", when=span))
    if session.room:
        lines.append(t("schedule.card.room", room=shorten(session.room, 200)))
    if session.track:
        lines.append(t("schedule.card.track", track=shorten(session.track, 200)))
    if session.organiser:
        lines.append(t("schedule.card.organiser", organiser=shorten(session.organiser, 300)))
    if session.persons:
        names = shorten(join_items(session.persons, language), 500)
        lines.append(t("schedule.card.speakers", names=names))
    if session.is_ifla:
        lines.append(t("schedule.card.ifla"))
    share = t("schedule.card.share_label")
    footer = link(links.card(session.id), share)
    head = "\n".join(lines)
    budget = TELEGRAM_TEXT_LIMIT - visible_length(head) - visible_length(footer) - 4
    description = ""
    if session.description.strip() and budget > 20:
        description = fit_html(
            lambda limit: to_telegram_html(session.description, limit=limit),
            min(_DESCRIPTION_MAX, budget),
        )
    text = "\n\n".join(part for part in (head, description, footer) if part)
    return text, _card_keyboard(t, session, settings, now)


def _card_keyboard(t: Any, session: Session, settings: Settings, now: datetime) -> Keyboard:
    rows: list[list[dict[str, str]]] = []
    first: list[dict[str, str]] = []
    if not session.cancelled and now < session.start_at:
        first.append(_button(t("schedule.button.remind"), RemindMe(session.id).pack()))
    first.append(_button(t("schedule.button.ics"), SessionCalendar(session.id).pack()))
    rows.append(first)
    if takes_questions(session, settings, now):
        rows.append([_button(t("schedule.button.ask"), AskFromCard(session.id).pack())])
    links: list[dict[str, str]] = []
    webcast = webcast_url(session, settings.webcasts)
    if webcast and not session.cancelled:
        links.append(_url_button(t("schedule.button.webcast"), webcast))
    participation = safe_url(session.participation_url)
    if participation and not session.cancelled:
        links.append(_url_button(t("schedule.button.join"), participation))
    page = safe_url(session.url)
    if page:
        links.append(_url_button(t("schedule.button.page"), page))
    if links:
        rows.append(links)
    return {"inline_keyboard": rows}


def _marks(session: Session) -> str:
    if session.cancelled:
        return CANCELLED_MARK
    return IFLA_MARK if session.is_ifla else ""


def upcoming_page(
    translator: Translator,
    language: str,
    sessions: Sequence[Session],
    *,
    page: int,
    total: int,
    reader_zone: ZoneInfo,
) -> Rendered:
    """One page of the upcoming list: sessions grouped by the reader's day, a button each."""
    if total == 0:
        return translator.t(language, "schedule.list.empty"), None
    pages = max(1, -(-total // PAGE_SIZE))
    lines = [
        translator.t(language, "schedule.list.header", page=page, pages=pages),
        translator.t(language, "schedule.list.legend", zone=reader_zone.key),
    ]
    day = ""
    buttons: list[list[dict[str, str]]] = []
    for session in sessions:
        session_day = format_day(session.start_at, reader_zone, language)
        if session_day != day:
            day = session_day
            lines.append("")
            lines.append(translator.t(language, "schedule.list.day", day=day))
        clock = format_clock(session.start_at, reader_zone, language)
        marks = _marks(session)
        line = translator.t(
            language,
            "schedule.list.item",
            marks=marks,
            time=clock,
            title=shorten(session.title, _TITLE_IN_LIST),
        ).strip()
        if session.room:
            line += " " + translator.t(
                language, "schedule.list.room", room=shorten(session.room, 60)
            )
        lines.append(line)
        label = " ".join(
            part for part in (marks, clock, shorten(session.title, _TITLE_ON_BUTTON)) if part
        )
        buttons.append([_button(label, SessionCard(session.id).pack())])
    navigation = []
    if page > 1:
        navigation.append(_button(PREV_PAGE, SessionsPage(page - 1).pack()))
    if page < pages:
        navigation.append(_button(NEXT_PAGE, SessionsPage(page + 1).pack()))
    if navigation:
        buttons.append(navigation)
    return "\n".join(lines), {"inline_keyboard": buttons}


def live_now(
    translator: Translator,
    language: str,
    sessions: Sequence[Session],
    *,
    reader_zone: ZoneInfo,
    settings: Settings,
) -> Rendered:
    """Sessions live now with their webcast links, as many as fit in one message."""
    if not sessions:
        return translator.t(language, "schedule.now.empty"), None
    lines = [translator.t(language, "schedule.now.header", zone=reader_zone.key)]
    buttons: list[list[dict[str, str]]] = []
    used = visible_length(lines[0])
    reserve = 100  # room for the "and N more" line
    for index, session in enumerate(sessions):
        entry = _live_entry(translator, language, session, reader_zone, settings)
        if used + visible_length(entry) + 2 > TELEGRAM_TEXT_LIMIT - reserve:
            more = len(sessions) - index
            lines.append(translator.t(language, "schedule.now.more", count=more))
            break
        lines.append(entry)
        used += visible_length(entry) + 2
        if len(buttons) < PAGE_SIZE:
            label = f"{_marks(session)} {shorten(session.title, _TITLE_ON_BUTTON)}".strip()
            buttons.append([_button(label, SessionCard(session.id).pack())])
    return "\n\n".join(lines), {"inline_keyboard": buttons}


def _live_entry(
    translator: Translator,
    language: str,
    session: Session,
    reader_zone: ZoneInfo,
    settings: Settings,
) -> str:
    head = translator.t(
        language,
        "schedule.now.item",
        marks=_marks(session) or LIVE_MARK,
        title=shorten(session.title, _TITLE_IN_LIST),
    )
    until = format_clock(session.end_at, reader_zone, language)
    if session.room:
        room = shorten(session.room, 60)
        head += "\n" + translator.t(language, "schedule.now.room_until", room=room, until=until)
    else:
        head += "\n" + translator.t(language, "schedule.now.until", until=until)
    links = []
    webcast = webcast_url(session, settings.webcasts)
    if webcast:
        links.append(link(webcast, translator.t(language, "schedule.now.webcast")))
    participation = safe_url(session.participation_url)
    if participation:
        links.append(link(participation, translator.t(language, "schedule.now.join")))
    if not links:
        links.append(translator.t(language, "schedule.now.no_webcast"))
    return head + "\n" + " · ".join(links)
