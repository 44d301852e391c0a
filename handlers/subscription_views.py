"""How subscriptions and tracks look in chat: texts and their keyboards."""

from __future__ import annotations

from bot.context import RemoteHubContext
from bot.reminders.callbacks import (
    DropAllSubscriptions,
    DropSubscription,
    SubscribeTrack,
    TracksPage,
)
from bot.reminders.subscriptions import ChatSettings
from bot.reminders.texts import ReminderTexts, zone_named
from bot.timefmt import local_label
from handlers.common import Keyboard, inline_keyboard
from storage.models import SubscriptionKind
from storage.repos.subscriptions import ListedSubscription

TRACKS_PER_PAGE = 8
BUTTONS_SHOWN = 40  # Telegram keyboards stay usable; the text lists everything
LABEL_LENGTH = 40


def _describe(context: RemoteHubContext, item: ListedSubscription, settings: ChatSettings) -> str:
    if item.kind == SubscriptionKind.IFLA:
        return context.t("subs.item_ifla")
    if item.kind == SubscriptionKind.TRACK:
        return context.t("subs.item_track", track=item.target)
    if item.kind == SubscriptionKind.KEYWORD:
        return context.t("subs.item_keyword", keyword=item.target)
    zone = zone_named(settings.zone, context.services.settings.zone)
    when = local_label(item.session_start, zone, context.language) if item.session_start else ""
    return context.t("subs.item_session", title=item.session_title or "?", when=when)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1] + "…"


def subscription_list(
    context: RemoteHubContext,
    listed: list[ListedSubscription],
    settings: ChatSettings,
    texts: ReminderTexts,
) -> tuple[str, Keyboard | None]:
    """The chat's subscriptions, each with a ❌ button, and how reminders are set up."""
    if not listed:
        return context.t("subs.list_empty"), None
    lines = [context.t("subs.list_header")]
    rows: list[list[tuple[str, str]]] = []
    for item in listed:
        lines.append("• " + _describe(context, item, settings))
        if len(rows) < BUTTONS_SHOWN:
            label = item.session_title or item.target or context.t("subs.item_ifla_short")
            rows.append([(f"❌ {_short(label)}", DropSubscription(item.id).pack())])
    if len(listed) > 1:
        rows.append([(context.t("subs.drop_all"), DropAllSubscriptions().pack())])
    lines.append("")
    lines.append(
        context.t(
            "subs.list_footer",
            leads=texts.leads(context.language, settings.leads),
            zone=settings.zone,
        )
    )
    return "\n".join(lines), inline_keyboard(rows)


def tracks_keyboard(
    context: RemoteHubContext, tracks: list[tuple[str, str]], page: int
) -> tuple[str, Keyboard]:
    """One page of (track, code) buttons, with ◀ ▶ when there are more."""
    pages = max(1, -(-len(tracks) // TRACKS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = tracks[page * TRACKS_PER_PAGE : (page + 1) * TRACKS_PER_PAGE]
    rows = [[(_short(track), SubscribeTrack(code).pack())] for track, code in shown]
    navigation = []
    if page > 0:
        navigation.append(("◀", TracksPage(page - 1).pack()))
    if page < pages - 1:
        navigation.append(("▶", TracksPage(page + 1).pack()))
    if navigation:
        rows.append(navigation)
    text = context.t("subs.tracks_header", page=page + 1, pages=pages)
    return text, inline_keyboard(rows)
