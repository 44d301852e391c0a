"""/console (a one-time sign-in link and the Mini App button) and /wall (the projector's
address) for moderators."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, filters

from bot.context import RemoteHubApplication, RemoteHubContext
from bot.roles import Role
from handlers.commands import CommandSpec
from handlers.guards import require_role
from handlers.moderation import focused_session
from handlers.relay_out import answer

COMMANDS = [
    CommandSpec("console", "cmd.console", Role.MODERATOR),
    CommandSpec("wall", "cmd.wall", Role.MODERATOR),
]


async def console_command(update: Update, context: RemoteHubContext) -> None:
    """A sign-in link for a laptop, and (under https) a button opening the Mini App."""
    if not await require_role(update, context, Role.MODERATOR):
        return
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await answer(update, context, context.t("web.console_private_only"))
        return
    services = context.services
    if services.web_url is None:
        await answer(update, context, context.t("web.console_disabled"))
        return
    token = await services.web_access.issue_link(user.id, context.language)
    link = f"{services.web_url}/signin/{token}"
    text = context.t("web.console_link", safe={"link": html.escape(link, quote=True)})
    keyboard = None
    if services.web_url.startswith("https://"):  # Telegram opens Mini Apps over https only
        button = {
            "text": context.t("web.console_button"),
            "web_app": {"url": f"{services.web_url}/app?lang={context.language}"},
        }
        keyboard = {"inline_keyboard": [[button]]}
    await answer(update, context, text, keyboard)


async def wall_command(update: Update, context: RemoteHubContext) -> None:
    """The wall's address for the session this moderator works on."""
    session = await focused_session(update, context)
    if session is None:
        return
    services = context.services
    if services.web_url is None:
        await answer(update, context, context.t("web.console_disabled"))
        return
    token = await services.questions.walls.token(session.id)
    link = f"{services.web_url}/wall/{token}"
    await answer(update, context, context.t("web.wall_chat", session=session.title, link=link))


def register(application: RemoteHubApplication) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("console", console_command, filters=only_new))
    application.add_handler(CommandHandler("wall", wall_command, filters=only_new))
