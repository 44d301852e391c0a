"""/sessions, /now and the session card (button ``card:<id>`` or deep link ``/start s_<id>``);"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler

from bot.callbacks import parse_id
from bot.context import RemoteHubApplication, RemoteHubContext
from bot.links import CARD_PAYLOAD
from bot.programme.callbacks import SessionCard, SessionsPage
from handlers.commands import CommandSpec
from handlers.common import edit_text, reply, reply_text
from handlers.presses import on_press

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("sessions", "cmd.sessions"),
    CommandSpec("now", "cmd.now"),
]


async def sessions_command(update: Update, context: RemoteHubContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    text, keyboard = await context.services.browser.upcoming(chat.id, context.language, 1)
    await reply_text(update, context, text, keyboard)


async def sessions_page(update: Update, context: RemoteHubContext, data: SessionsPage) -> None:
    """◀ ▶ under the list: the same message shows another page."""
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    await query.answer()
    text, keyboard = await context.services.browser.upcoming(chat.id, context.language, data.page)
    await edit_text(update, context, text, keyboard)


async def now_command(update: Update, context: RemoteHubContext) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    text, keyboard = await context.services.browser.live(chat.id, context.language)
    await reply_text(update, context, text, keyboard)


async def card_button(update: Update, context: RemoteHubContext, data: SessionCard) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await show_card(update, context, str(data.session))


async def card_deep_link(update: Update, context: RemoteHubContext, payload: str) -> None:
    """``/start s_<id>``, from the announce channel or a shared link."""
    await show_card(update, context, payload)


async def show_card(update: Update, context: RemoteHubContext, session_ref: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    session_id = parse_id(session_ref)
    rendered = None
    if session_id is not None:
        rendered = await context.services.browser.card(chat.id, context.language, session_id)
    if rendered is None:
        await reply(update, context, "schedule.card.not_found")
        return
    text, keyboard = rendered
    await reply_text(update, context, text, keyboard)


START_PAYLOADS = {CARD_PAYLOAD: card_deep_link}


def register(application: RemoteHubApplication) -> None:
    application.add_handler(CommandHandler("sessions", sessions_command))
    application.add_handler(CommandHandler("now", now_command))
    application.add_handler(on_press(SessionsPage, sessions_page))
    application.add_handler(on_press(SessionCard, card_button))
