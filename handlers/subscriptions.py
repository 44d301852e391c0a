"""/subscribe, /mysubs, /unsubscribe and the card's "🔔 Remind me" button.

Callback data: ``sub:add:<session>`` (card), ``sub:ifla``, ``sub:tracks:<page>``,
``sub:trk:<crc32 of the track>``, ``sub:kw`` (asks for a keyword), ``sub:del:<id>``,
``sub:delall``. In groups only admins change subscriptions. Also builds the reminder services
on start (``on_start``): planning, change notices, the sender's chat-gone hook.
"""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any, cast

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import RemoteHubContext
from bot.errors import UserFacingError
from bot.reminders import Reminders, build_reminders
from bot.reminders.texts import zone_named
from bot.scheduling import real_interval
from bot.timefmt import format_span
from handlers.commands import CommandSpec
from handlers.common import Keyboard, edit_text, inline_keyboard, reply, reply_text
from handlers.guards import is_group_admin
from handlers.prompts import PromptReply, ask
from handlers.reminder_jobs import JobQueueBoard
from handlers.subscription_views import subscription_list, tracks_keyboard

COMMANDS = [
    CommandSpec("subscribe", "cmd.subscribe"),
    CommandSpec("mysubs", "cmd.mysubs"),
    CommandSpec("unsubscribe", "cmd.unsubscribe"),
]
# The plan is rebuilt after every change it hears of; this catches what it cannot hear of:
# a source's first poll (ingestion tells listeners nothing then), sessions coming into the
# planning horizon, a chat that comes back after blocking the bot. A plan costs milliseconds.
REPLAN_EVERY = timedelta(minutes=5)


def reminders_of(context: RemoteHubContext) -> Reminders:
    return cast(Reminders, context.services.features["reminders"])


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
            [(context.t("subs.menu_ifla"), "sub:ifla")],
            [(context.t("subs.menu_track"), "sub:tracks:0")],
            [(context.t("subs.menu_keyword"), "sub:kw")],
        ]
    )


async def _subscribe_ifla(update: Update, context: RemoteHubContext) -> None:
    chat_id, user_id = _ids(update)
    added = await reminders_of(context).subscriptions.subscribe_ifla(chat_id, user_id)
    await _answer(update, context, "subs.ifla_added" if added else "subs.ifla_already")


async def _subscribe_track_named(update: Update, context: RemoteHubContext, name: str) -> None:
    tracks = await reminders_of(context).subscriptions.tracks()
    wanted = name.strip().casefold()
    track = next((known for known in tracks if known.casefold() == wanted), None)
    if track is None:
        await _show_tracks(update, context, 0)
        return
    await _subscribe_track(update, context, track)


async def _subscribe_track(update: Update, context: RemoteHubContext, track: str) -> None:
    chat_id, user_id = _ids(update)
    added = await reminders_of(context).subscriptions.subscribe_track(chat_id, track, user_id)
    message_id = "subs.track_added" if added else "subs.track_already"
    await _answer(update, context, message_id, track=track)


async def _subscribe_keyword(update: Update, context: RemoteHubContext, text: str) -> None:
    if not text.strip():
        await ask(update, context, "subs.keyword_prompt")
        return
    chat_id, user_id = _ids(update)
    service = reminders_of(context).subscriptions
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


async def on_button(update: Update, context: RemoteHubContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    action, argument = parts[1], parts[2] if len(parts) > 2 else ""
    try:
        if action == "tracks":
            page = int(argument or 0)
            await query.answer()
            await _show_tracks(update, context, page)
        elif await _may_change(update, context):
            await _act(update, context, action, argument)
    except UserFacingError as error:
        await query.answer(context.t(error.message_id, **error.params), show_alert=True)
    except ValueError:
        await query.answer(context.t("errors.expired_button"))


async def _act(update: Update, context: RemoteHubContext, action: str, argument: str) -> None:
    query = update.callback_query
    assert query is not None
    service = reminders_of(context).subscriptions
    chat_id, _user_id = _ids(update)
    if action == "add":
        await _remind_me(update, context, int(argument))
    elif action == "ifla":
        await _subscribe_ifla(update, context)
    elif action == "trk":
        tracks = {track_code(track): track for track in await service.tracks()}
        if argument not in tracks:
            raise ValueError(argument)
        await _subscribe_track(update, context, tracks[argument])
    elif action == "kw":
        await query.answer()
        await ask(update, context, "subs.keyword_prompt")
    elif action == "del":
        removed = await service.unsubscribe(chat_id, int(argument))
        await query.answer(context.t("subs.removed" if removed else "subs.already_removed"))
        await _show_list(update, context, edit=True)
    elif action == "delall":
        await service.unsubscribe_all(chat_id)
        await query.answer(context.t("subs.removed"))
        await _show_list(update, context, edit=True)
    else:
        raise ValueError(action)


async def _remind_me(update: Update, context: RemoteHubContext, session_id: int) -> None:
    """The card's "🔔 Remind me": a toast, and a message saying when the reminders come."""
    query = update.callback_query
    assert query is not None
    reminders = reminders_of(context)
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
    service = reminders_of(context).subscriptions
    listed = await service.subscriptions(chat_id)
    settings = await service.chat_settings(chat_id)
    text, keyboard = subscription_list(context, listed, settings, reminders_of(context).texts)
    if edit:
        await edit_text(update, context, text, keyboard)
    else:
        await reply_text(update, context, text, keyboard)


async def _show_tracks(update: Update, context: RemoteHubContext, page: int) -> None:
    tracks = await reminders_of(context).subscriptions.tracks()
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


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("subscribe", subscribe))
    application.add_handler(CommandHandler(["mysubs", "unsubscribe"], mysubs))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^sub:"))
    keyword_answers = filters.TEXT & ~filters.COMMAND & PromptReply("subs.keyword_prompt")
    application.add_handler(MessageHandler(keyword_answers, keyword_reply))


async def on_start(application: Application) -> None:  # type: ignore[type-arg]
    """Build the reminder services, listen to the programme, plan from the database."""
    services = application.bot_data.services
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    reminders = build_reminders(services, JobQueueBoard(job_queue))
    services.features["reminders"] = reminders
    services.programme_listeners.append(reminders.notifier)
    services.chat_gone_listeners.append(reminders.subscriptions.chat_gone)

    async def replan(_context: object) -> None:
        await reminders.planner.plan()

    every = real_interval(services.clock, REPLAN_EVERY)
    job_queue.run_repeating(replan, interval=every, first=every, name="reminders-replan")
    await reminders.planner.plan(startup=True)


async def on_stop(application: Application) -> None:  # type: ignore[type-arg]
    reminders = application.bot_data.services.features.get("reminders")
    if isinstance(reminders, Reminders):
        await reminders.planner.close()
