"""The bot's command menu: which commands each role sees, published per scope and language."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.i18n import LANGUAGES, Translator
from bot.roles import Role
from config.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command, the message id of its one-line description, and who may use it."""

    name: str
    description_id: str
    role: Role = Role.PARTICIPANT


def visible_commands(specs: list[CommandSpec], role: Role) -> list[CommandSpec]:
    return [spec for spec in specs if spec.role <= role]


def _bot_commands(
    specs: list[CommandSpec], translator: Translator, language: str
) -> list[BotCommand]:
    return [BotCommand(spec.name, translator.t(language, spec.description_id)) for spec in specs]


async def publish_commands(
    bot: ExtBot[None], specs: list[CommandSpec], settings: Settings, translator: Translator
) -> None:
    """setMyCommands for participants (all private chats) and each moderator's and admin's chat."""
    staff = {user_id: Role.MODERATOR for user_id in settings.moderators}
    staff.update({user_id: Role.ADMIN for user_id in settings.admins})
    try:
        for language in LANGUAGES:
            code = "" if language == "en" else language
            await bot.set_my_commands(
                _bot_commands(visible_commands(specs, Role.PARTICIPANT), translator, language),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=code or None,
            )
            for user_id, role in staff.items():
                await bot.set_my_commands(
                    _bot_commands(visible_commands(specs, role), translator, language),
                    scope=BotCommandScopeChat(user_id),
                    language_code=code or None,
                )
    except TelegramError as exc:
        # A staff member who never opened the bot makes Telegram answer "chat not found".
        log.warning("could not publish the command menu: %s", exc)


async def publish_for_user(
    bot: ExtBot[None], specs: list[CommandSpec], translator: Translator, user_id: int, role: Role
) -> None:
    """The menu of one person whose role changed at run time (``/mod add``, ``/mod remove``):
    their role's commands, or back to the participants' menu (their own scope deleted)."""
    try:
        for language in LANGUAGES:
            code = None if language == "en" else language
            scope = BotCommandScopeChat(user_id)
            if role > Role.PARTICIPANT:
                commands = _bot_commands(visible_commands(specs, role), translator, language)
                await bot.set_my_commands(commands, scope=scope, language_code=code)
            else:
                await bot.delete_my_commands(scope=scope, language_code=code)
    except TelegramError as exc:
        log.warning("could not publish the command menu of %s: %s", user_id, exc)
