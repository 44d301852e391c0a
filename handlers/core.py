"""/start, /help and /lang: the welcome, the command list for this user's role, the language."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import RemoteHubApplication, RemoteHubContext
from bot.core_callbacks import LanguageChosen
from bot.i18n import LANGUAGE_NAMES, LANGUAGES
from bot.roles import Role
from handlers.commands import CommandSpec, visible_commands
from handlers.common import edit_text, inline_keyboard, reply, reply_text
from handlers.guards import is_group_admin
from handlers.presses import catch_all_presses, on_press
from storage.repos import chats

COMMANDS = [
    CommandSpec("start", "cmd.start"),
    CommandSpec("help", "cmd.help"),
    CommandSpec("lang", "cmd.lang"),
]


async def start(update: Update, context: RemoteHubContext) -> None:
    """Welcome, or follow a deep link (``/start s_12`` opens session 12)."""
    payload = (context.args or [""])[0]
    for prefix, handler in context.bot_data.start_payloads.items():
        if payload.startswith(prefix):
            await handler(update, context, payload.removeprefix(prefix))
            return
    await help_command(update, context, welcome=True)


async def help_command(update: Update, context: RemoteHubContext, welcome: bool = False) -> None:
    user = update.effective_user
    if user is None:
        return
    role = await context.services.roles.role_of(user.id)
    specs = visible_commands(context.bot_data.commands, role)
    sections: list[str] = []
    if welcome:
        sections.append(context.t("start.welcome", name=user.first_name))
    sections.append(_command_block(context, "start.commands_header", specs, Role.PARTICIPANT))
    if role >= Role.MODERATOR:
        sections.append(_command_block(context, "help.moderator_header", specs, Role.MODERATOR))
    if role >= Role.ADMIN:
        sections.append(_command_block(context, "help.admin_header", specs, Role.ADMIN))
    sections.append(context.t("help.footer"))
    await reply_text(update, context, "\n\n".join(section for section in sections if section))


def _command_block(
    context: RemoteHubContext, header_id: str, specs: list[CommandSpec], role: Role
) -> str:
    lines = [
        f"/{spec.name} — {context.t(spec.description_id)}" for spec in specs if spec.role == role
    ]
    return "\n".join([context.t(header_id), *lines]) if lines else ""


async def help_handler(update: Update, context: RemoteHubContext) -> None:
    await help_command(update, context)


async def lang(update: Update, context: RemoteHubContext) -> None:
    buttons = [(LANGUAGE_NAMES[code], LanguageChosen(code).pack()) for code in LANGUAGES]
    # Two a row: seven names fit a phone's width that way, in every script.
    keyboard = inline_keyboard([buttons[start : start + 2] for start in range(0, len(buttons), 2)])
    await reply(update, context, "lang.choose", keyboard)


async def lang_chosen(update: Update, context: RemoteHubContext, data: LanguageChosen) -> None:
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    language = data.language
    if chat.type != ChatType.PRIVATE and not await is_group_admin(update, context):
        await query.answer(context.t("lang.group_admins_only"), show_alert=True)
        return
    await query.answer()
    services = context.services
    async with services.database.transaction() as db:
        await chats.set_language(db, chat.id, language, services.clock.now())
    context.language = language
    await edit_text(update, context, context.t("lang.set"))


async def unknown_command(update: Update, context: RemoteHubContext) -> None:
    """Group 90 sees every command, also those a feature answered in group 0: only unknown ones."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.type != ChatType.PRIVATE or message is None or not message.text:
        return
    name = message.text.split(maxsplit=1)[0].removeprefix("/").split("@", 1)[0].lower()
    if name in {spec.name for spec in context.bot_data.commands}:
        return
    await reply(update, context, "errors.unknown_command")


def register(application: RemoteHubApplication) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_handler))
    application.add_handler(CommandHandler("lang", lang))
    application.add_handler(on_press(LanguageChosen, lang_chosen))


def register_fallbacks(application: RemoteHubApplication) -> None:
    """Last group: commands nobody claimed; group 0's last: buttons no codec routes."""
    application.add_handler(catch_all_presses())
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command), group=90)
