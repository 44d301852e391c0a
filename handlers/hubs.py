"""/hub in a group: register it as a remote hub (group administrators only)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, filters

from bot.context import RemoteHubContext
from bot.questions import relay_of
from handlers.commands import CommandSpec
from handlers.guards import is_group_admin
from handlers.questions import command_text
from handlers.relay_out import answer

COMMANDS = [CommandSpec("hub", "cmd.hub")]

OFF = ("off", "-", "выкл")


async def hub_command(update: Update, context: RemoteHubContext) -> None:
    """``/hub`` shows, ``/hub Name, City`` registers or renames, ``/hub off`` stops."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None:
        return
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await answer(update, context, context.t("hubs.groups_only"))
        return
    hubs = relay_of(context.services).hubs
    text = command_text(message.text or "")
    if not text:
        label = await hubs.label(chat.id)
        if label is None:
            await answer(
                update, context, context.t("hubs.not_hub") + "\n" + context.t("hubs.usage")
            )
        else:
            await answer(update, context, context.t("hubs.status", hub=label))
        return
    if not await is_group_admin(update, context):
        await answer(update, context, context.t("hubs.admins_only"), quote=True)
        return
    if text.casefold() in OFF:
        stopped = await hubs.unregister(chat.id)
        await answer(update, context, context.t("hubs.unregistered" if stopped else "hubs.not_hub"))
        return
    label = await hubs.register(chat.id, text, user.id)
    await answer(update, context, context.t("hubs.registered", hub=label))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("hub", hub_command, filters=filters.UpdateType.MESSAGE))
