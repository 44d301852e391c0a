"""Checks made at the moment of use: roles, group admins, chat types."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.context import RemoteHubContext
from bot.roles import Role
from handlers.common import reply

_ADMIN_STATUSES = {ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}


async def is_group_admin(update: Update, context: RemoteHubContext) -> bool:
    """True in private chats; in groups, asks Telegram whether the user administers the group."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in _ADMIN_STATUSES


async def require_role(
    update: Update, context: RemoteHubContext, role: Role, session_id: int | None = None
) -> bool:
    """Check the user's role now; refuse politely (and change nothing) when it is not enough."""
    user = update.effective_user
    if user is not None and await context.services.roles.has(user.id, role, session_id):
        return True
    if update.callback_query is not None:
        await update.callback_query.answer(context.t("errors.not_allowed"), show_alert=True)
    else:
        await reply(update, context, "errors.not_allowed")
    return False
