"""The one error handler: log with the update id, answer politely, never leak internals."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import RemoteHubContext
from bot.errors import UserFacingError
from bot.i18n import pick_language
from bot.outbox.payloads import html_message
from handlers.common import reply_text
from storage.repos import chats

log = logging.getLogger("remotehub.errors")


async def on_error(update: object, context: RemoteHubContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(update, Update):
        # PTB gives the error handler a fresh context: choose the language again.
        context.language = await _language_for(update, context)
    if isinstance(error, UserFacingError) and isinstance(update, Update):
        await _tell_user(update, context, context.t(error.message_id, **error.params))
        return
    log.error("update %s failed: %r", update_id, error, exc_info=error)
    if isinstance(update, Update):
        await _tell_user(update, context, context.t("errors.unexpected"))


async def _language_for(update: Update, context: RemoteHubContext) -> str:
    services = context.services
    user, chat = update.effective_user, update.effective_chat
    chosen = None
    if chat is not None:
        try:
            async with services.database.transaction() as db:
                stored = await chats.get_chat(db, chat.id)
                chosen = stored.language if stored is not None else None
        except Exception:  # the database may be what failed
            log.warning("could not read chat %s language for the error reply", chat.id)
    telegram_code = user.language_code if user is not None else None
    return pick_language(chosen, telegram_code, services.settings.default_language)


async def _tell_user(update: Update, context: RemoteHubContext, text: str) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        await reply_text(update, context, text)
    except Exception:
        # The database itself may be what failed: say it directly instead.
        log.exception("could not queue the error reply for chat %s; sending directly", chat.id)
        try:
            payload = html_message(chat.id, text)
            await context.bot.send_message(chat.id, payload["text"], parse_mode="HTML")
        except TelegramError:
            log.warning("could not tell chat %s about the error either", chat.id)
