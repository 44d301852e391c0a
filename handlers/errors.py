"""The one error handler: log with the update id, answer politely, never leak internals."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import RemoteHubContext
from bot.errors import UserFacingError
from handlers.common import message_payload, reply_text

log = logging.getLogger("remotehub.errors")


async def on_error(update: object, context: RemoteHubContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, UserFacingError) and isinstance(update, Update):
        await _tell_user(update, context, context.t(error.message_id, **error.params))
        return
    log.error("update %s failed: %r", update_id, error, exc_info=error)
    if isinstance(update, Update):
        await _tell_user(update, context, context.t("errors.unexpected"))


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
            payload = message_payload(chat.id, text)
            await context.bot.send_message(chat.id, payload["text"], parse_mode="HTML")
        except TelegramError:
            log.warning("could not tell chat %s about the error either", chat.id)
