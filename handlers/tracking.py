"""First handler group: remember who wrote, pick their language, notice blocks and kicks."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import ApplicationHandlerStop

from bot.context import RemoteHubContext
from bot.i18n import pick_language
from storage.repos import chats, outbox

log = logging.getLogger(__name__)

_GONE = {ChatMemberStatus.BANNED, ChatMemberStatus.LEFT}


async def remember(update: Update, context: RemoteHubContext) -> None:
    """Store the user and chat (re-activating a chat that talks to us again); set the language."""
    services = context.services
    now = services.clock.now()
    user, chat = update.effective_user, update.effective_chat
    async with services.database.transaction() as db:
        if user is not None and not user.is_bot:
            await chats.remember_user(
                db,
                user_id=user.id,
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
                language_code=user.language_code,
                now=now,
            )
        if chat is None:
            return
        if update.my_chat_member is not None and _bot_removed(update.my_chat_member):
            await chats.deactivate(db, chat.id, "removed or blocked the bot", now)
            dropped = await outbox.drop_pending_for_chat(db, chat.id, reason="bot removed")
            log.info("chat %s removed the bot; dropped %d queued messages", chat.id, dropped)
            raise ApplicationHandlerStop
        stored = await chats.remember_chat(
            db, chat_id=chat.id, type=chat.type, title=chat.title, now=now
        )
    context.language = pick_language(
        stored.language,
        user.language_code if user else None,
        services.settings.default_language,
    )


def _bot_removed(change: ChatMemberUpdated) -> bool:
    return change.new_chat_member.status in _GONE
