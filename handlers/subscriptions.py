"""/subscribe, /mysubs, /unsubscribe and the card's "🔔 Remind me" button.

Buttons: ``bot.reminders.callbacks`` (and the card's ``RemindMe``). In groups only admins
change subscriptions.
"""

from __future__ import annotations

import zlib
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import RemoteHubApplication, RemoteHubContext
from bot.errors import UserFacingError
from bot.programme.callbacks import RemindMe
from bot.reminders.callbacks import (
    AskKeyword,
    DropAllSubscriptions,
    DropSubscription,
    SubscribeIfla,
    SubscribeTrack,
    TracksPage,
)
from bot.reminders.texts import zone_named
from bot.timefmt import format_span
from handlers.commands import CommandSpec
from handlers.common import Keyboard, edit_text, inline_keyboard, reply, reply_text
from handlers.guards import is_group_admin
from handlers.presses import Data, PressHandler, on_press, stale_press
from handlers.prompts import PromptReply, ask
from handlers.subscription_views import subscription_list, tracks_keyboard

COMMANDS = [
    CommandSpec("subscribe", "cmd.subscribe"),
    CommandSpec("mysubs", "cmd.mysubs"),
    CommandSpec("unsubscribe", "cmd.unsubscribe"),
]


def track_code(track: str) -> str:
    return f"{zlib.crc32(track.encode()):08x}"


async def _may_change(update: Update, context: RemoteHubContext) -> bool:
    """In groups only admins change subscriptions; refuse (changing nothing) otherwise."""
    if await is_group_admin(update, context):
        return True
    if update.callback_query is not None:
        await update.callback_query.answer(context.t("subs.admins_only"), show_alert=True)
    else:
        await reply(update, context, "subs.admins_only")
    return False


def _ids(update: Update) -> tuple[int, int | None]:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    return chat.id, user.id if user else None


# ---- /subscribe ----------------------------------------------------------------------


async def subscribe(update: Update, context: RemoteHubContext) -> None:
    """``/subscribe`` offers the choices; ``/subscribe ifla|track <name>|keyword <word>``."""
    args = list(context.args or [])
    if not args:
        await reply(update, context, "subs.menu", _menu(context))
        return
    if not await _may_change(update, context):
        return
    head, rest = args[0].casefold(), " ".join(args[1:])
    if head == "ifla" and not rest:
        await _subscribe_ifla(update, context)
    elif head == "track":
        await _subscribe_track_named(update, context, rest)
    elif head in ("keyword", "kw"):
        await _subscribe_keyword(update, context, rest)
    else:  # "/subscribe privacy": a keyword is what people mean
        await _subscribe_keyword(update, context, " ".join(args))


def _menu(context: RemoteHubContext) -> Keyboard:
    return inline_keyboard(
        [
            [(context.t("subs.menu_ifla"), SubscribeIfla().pack())],
            [(context.t("subs.menu_track"), TracksPage(0).pack())],
            [(context.t("subs.menu_keyword"), AskKeyword().pack())],
        ]
    )


async def _subscribe_ifla(update: Update, context: RemoteHubContext) -> None:
    chat_id, user_id = _ids(update)
    added = await context.services.reminders.subscriptions.subscribe_ifla(chat_id, user_id)
    await _answer(update, context, "subs.ifla_added" if added else "subs.ifla_already")


async def _subscribe_track_named(update: Update, context: RemoteHubContext, name: str) -> None:
    tracks = await context.services.reminders.subscriptions.tracks()
    wanted = name.strip().casefold()
    track = next((known for known in tracks if known.casefold() == wanted), None)
    if track is None:
        await _show_tracks(update, context, 0)
        return
    await _subscribe_track(update, context, track)


async def _subscribe_track(update: Update, context: RemoteHubContext, track: str) -> None:
    chat_id, user_id = _ids(update)
    added = await context.services.reminders.subscriptions.subscribe_track(chat_id, track, user_id)
    message_id = "subs.track_added" if added else "subs.track_already"
    await _answer(update, context, message_id, track=track)


async def _subscribe_keyword(update: Update, context: RemoteHubContext, text: str) -> None:
    if not text.strip():
        await ask(update, context, "subs.keyword_prompt")
        return
    chat_id, user_id = _ids(update)
    service = context.services.reminders.subscriptions
    keyword, added = await service.subscribe_keyword(chat_id, text, user_id)
    message_id = "subs.keyword_added" if added else "subs.keyword_already"
    await _answer(update, context, message_id, keyword=keyword)


async def _answer(
    update: Update, context: RemoteHubContext, message_id: str, **params: Any
) -> None:
    """Edit the menu the button was on, or reply to a command."""
    text = context.t(message_id, **params) + "\n" + context.t("subs.see_list")
    if update.callback_query is not None:
        await update.callback_query.answer()
        await edit_text(update, context, text)
    else:
        await reply_text(update, context, text)


async def keyword_reply(update: Update, context: RemoteHubContext) -> None:
    """The answer to "which keyword?" (a reply to the bot's question)."""
    message = update.effective_message
    if message is None or not message.text or not await _may_change(update, context):
        return
    await _subscribe_keyword(update, context, message.text)


# ---- buttons -------------------------------------------------------------------------


def _refusing(handler: PressHandler[Data]) -> PressHandler[Data]:
    """A refusal (``UserFacingError``) shows as an alert on the pressed button."""

    async def wrapped(update: Update, context: RemoteHubContext, data: Data) -> None:
        try:
            await handler(update, context, data)
        except UserFacingError as error:
            query = update.callback_query
            assert query is not None
            await query.answer(context.t(error.message_id, **error.params), show_alert=True)

    return wrapped


async def tracks_page(update: Update, context: RemoteHubContext, data: TracksPage) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _show_tracks(update, context, data.page)


async def remind_me(update: Update, context: RemoteHubContext, data: RemindMe) -> None:
    if await _may_change(update, context):
        await _remind_me(update, context, data.session)


async def ifla_button(update: Update, context: RemoteHubContext, _data: SubscribeIfla) -> None:
    if await _may_change(update, context):
        await _subscribe_ifla(update, context)


async def track_button(update: Update, context: RemoteHubContext, data: SubscribeTrack) -> None:
    if not await _may_change(update, context):
        return
    tracks = {
        track_code(track): track
        for track in await context.services.reminders.subscriptions.tracks()
    }
    if data.code not in tracks:
        await stale_press(update, context)
        return
    await _subscribe_track(update, context, tracks[data.code])


async def keyword_button(update: Update, context: RemoteHubContext, _data: AskKeyword) -> None:
    if not await _may_change(update, context):
        return
    assert update.callback_query is not None
    await update.callback_query.answer()
    await ask(update, context, "subs.keyword_prompt")


async def drop_button(update: Update, context: RemoteHubContext, data: DropSubscription) -> None:
    if not await _may_change(update, context):
        return
    query = update.callback_query
    assert query is not None
    chat_id, _user_id = _ids(update)
    removed = await context.services.reminders.subscriptions.unsubscribe(chat_id, data.subscription)
    await query.answer(context.t("subs.removed" if removed else "subs.already_removed"))
    await _show_list(update, context, edit=True)


async def drop_all_button(
    update: Update, context: RemoteHubContext, _data: DropAllSubscriptions
) -> None:
    if not await _may_change(update, context):
        return
    query = update.callback_query
    assert query is not None
    chat_id, _user_id = _ids(update)
    await context.services.reminders.subscriptions.unsubscribe_all(chat_id)
    await query.answer(context.t("subs.removed"))
    await _show_list(update, context, edit=True)


async def _remind_me(update: Update, context: RemoteHubContext, session_id: int) -> None:
    """The card's "🔔 Remind me": a toast, and a message saying when the reminders come."""
    query = update.callback_query
    assert query is not None
    reminders = context.services.reminders
    chat_id, user_id = _ids(update)
    result = await reminders.subscriptions.subscribe_session(chat_id, session_id, user_id)
    await query.answer(context.t("subs.added_toast" if result.added else "subs.already_toast"))
    settings = await reminders.subscriptions.chat_settings(chat_id)
    session = result.session
    texts = reminders.texts
    fallback = context.services.settings.zone
    reader, venue = zone_named(settings.zone, fallback), zone_named(session.timezone, fallback)
    when = format_span(session.start_at, session.end_at, reader, venue, context.language)
    if settings.leads:
        leads = texts.leads(context.language, settings.leads)
        text = context.t("subs.session_added", title=session.title, when=when, leads=leads)
    else:
        text = context.t("subs.session_added_no_leads", title=session.title, when=when)
    if settings.timezone is None:
        text += "\n" + context.t("subs.zone_hint", zone=settings.zone)
    await reply_text(update, context, text)


# ---- /mysubs and /unsubscribe --------------------------------------------------------


async def mysubs(update: Update, context: RemoteHubContext) -> None:
    await _show_list(update, context, edit=False)


async def _show_list(update: Update, context: RemoteHubContext, *, edit: bool) -> None:
    chat_id, _user = _ids(update)
    service = context.services.reminders.subscriptions
    listed = await service.subscriptions(chat_id)
    settings = await service.chat_settings(chat_id)
    text, keyboard = subscription_list(context, listed, settings, context.services.reminders.texts)
    if edit:
        await edit_text(update, context, text, keyboard)
    else:
        await reply_text(update, context, text, keyboard)


async def _show_tracks(update: Update, context: RemoteHubContext, page: int) -> None:
    tracks = await context.services.reminders.subscriptions.tracks()
    if not tracks:
        await edit_text(update, context, context.t("subs.no_tracks"))
        return
    codes = [(track, track_code(track)) for track in tracks]
    text, keyboard = tracks_keyboard(context, codes, page)
    if update.callback_query is not None:
        await edit_text(update, context, text, keyboard)
    else:
        await reply_text(update, context, text, keyboard)


# ---- wiring --------------------------------------------------------------------------


def register(application: RemoteHubApplication) -> None:
    application.add_handler(CommandHandler("subscribe", subscribe))
    application.add_handler(CommandHandler(["mysubs", "unsubscribe"], mysubs))
    application.add_handler(on_press(TracksPage, _refusing(tracks_page)))
    application.add_handler(on_press(RemindMe, _refusing(remind_me)))
    application.add_handler(on_press(SubscribeIfla, _refusing(ifla_button)))
    application.add_handler(on_press(SubscribeTrack, _refusing(track_button)))
    application.add_handler(on_press(AskKeyword, _refusing(keyword_button)))
    application.add_handler(on_press(DropSubscription, _refusing(drop_button)))
    application.add_handler(on_press(DropAllSubscriptions, _refusing(drop_all_button)))
    keyword_answers = filters.TEXT & ~filters.COMMAND & PromptReply("subs.keyword_prompt")
    application.add_handler(MessageHandler(keyword_answers, keyword_reply))
