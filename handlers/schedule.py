"""/sessions, /now and the session card (button ``card:<id>`` or deep link ``/start s_<id>``);
on start, the announcer joins the programme listeners and plans its jobs.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import RemoteHubContext
from bot.programme.announcer import Announcer
from bot.programme.browse import ProgrammeBrowser
from bot.programme.ptb_timer import JobQueueTimer
from handlers.commands import CommandSpec
from handlers.common import edit_text, reply, reply_text

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("sessions", "cmd.sessions"),
    CommandSpec("now", "cmd.now"),
]
_MAX_ID_DIGITS = 18  # a BIGINT; longer "ids" are junk, not a database error


def browser(context: RemoteHubContext) -> ProgrammeBrowser:
    found: ProgrammeBrowser = context.services.features["schedule"]
    return found


def _number(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit() or len(text) > _MAX_ID_DIGITS:
        return None
    return int(text)


async def sessions_command(update: Update, context: RemoteHubContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    text, keyboard = await browser(context).upcoming(chat.id, context.language, 1)
    await reply_text(update, context, text, keyboard)


async def sessions_page(update: Update, context: RemoteHubContext) -> None:
    """◀ ▶ under the list: the same message shows another page."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None or query.data is None:
        return
    page = _number(query.data.removeprefix("sessions:"))
    if page is None:
        await query.answer(context.t("errors.expired_button"))
        return
    await query.answer()
    text, keyboard = await browser(context).upcoming(chat.id, context.language, page)
    await edit_text(update, context, text, keyboard)


async def now_command(update: Update, context: RemoteHubContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    text, keyboard = await browser(context).live(chat.id, context.language)
    await reply_text(update, context, text, keyboard)


async def card_button(update: Update, context: RemoteHubContext) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    await show_card(update, context, query.data.removeprefix("card:"))


async def card_deep_link(update: Update, context: RemoteHubContext, payload: str) -> None:
    """``/start s_<id>``, from the announce channel or a shared link."""
    await show_card(update, context, payload)


async def show_card(update: Update, context: RemoteHubContext, session_ref: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    session_id = _number(session_ref)
    rendered = None
    if session_id is not None:
        rendered = await browser(context).card(chat.id, context.language, session_id)
    if rendered is None:
        await reply(update, context, "schedule.card.not_found")
        return
    text, keyboard = rendered
    await reply_text(update, context, text, keyboard)


START_PAYLOADS = {"s_": card_deep_link}


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("sessions", sessions_command))
    application.add_handler(CommandHandler("now", now_command))
    application.add_handler(CallbackQueryHandler(sessions_page, pattern=r"^sessions:"))
    application.add_handler(CallbackQueryHandler(card_button, pattern=r"^card:"))


async def on_start(application: Application) -> None:  # type: ignore[type-arg]
    """Build the browser and the announcer; the announcer catches up and plans its jobs."""
    services = application.bot_data.services
    services.features["schedule"] = ProgrammeBrowser(
        database=services.database,
        settings=services.settings,
        translator=services.translator,
        clock=services.clock,
        bot_username=services.bot_username,
    )
    job_queue = application.job_queue
    if job_queue is None:
        log.warning("no JobQueue: timed announcements run only when the programme changes")
    announcer = Announcer(
        database=services.database,
        settings=services.settings,
        translator=services.translator,
        clock=services.clock,
        waker=services.sender,
        bot_username=services.bot_username,
        timer=JobQueueTimer(job_queue, services.clock) if job_queue is not None else None,
    )
    services.features["announcer"] = announcer
    services.programme_listeners.append(announcer)
    await announcer.start()


async def on_stop(application: Application) -> None:  # type: ignore[type-arg]
    services = application.bot_data.services
    announcer = services.features.pop("announcer", None)
    if isinstance(announcer, Announcer):
        announcer.stop()
        services.programme_listeners.remove(announcer)
