"""/hub in a group: register it as a remote hub, and say how many people are in its room
(``/hub people 25``); group administrators only."""

from __future__ import annotations

import html

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, filters

from bot.context import RemoteHubApplication, RemoteHubContext
from handlers.commands import CommandSpec
from handlers.guards import is_group_admin
from handlers.questions import command_text
from handlers.relay_out import answer

COMMANDS = [CommandSpec("hub", "cmd.hub")]

OFF = ("off", "-", "выкл")
PEOPLE = ("people", "люди", "людей")
HEADCOUNT_DIGITS = 6


async def _headcount(
    update: Update, context: RemoteHubContext, chat_id: int, user_id: int, args: list[str]
) -> None:
    """``/hub people 25 [session]``: how many are in the hub's room for the session on now."""
    relay = context.services.questions
    label = await relay.hubs.label(chat_id)
    if label is None:
        await answer(update, context, context.t("hubs.not_hub") + "\n" + context.t("hubs.usage"))
        return
    numbers = [arg for arg in args if arg.isdigit() and len(arg) <= 18]
    if not args or len(numbers) != len(args) or len(args) > 2 or len(args[0]) > HEADCOUNT_DIGITS:
        await answer(update, context, context.t("hubs.people_usage"))
        return
    sessions = await relay.asking.open_sessions()
    if len(args) == 2:
        sessions = [session for session in sessions if session.id == int(args[1])]
    if not sessions:
        await answer(update, context, context.t("hubs.people_no_session"))
        return
    if len(sessions) > 1:
        choices = "; ".join(
            f"<code>/hub people {args[0]} {session.id}</code> — {html.escape(session.title)}"
            for session in sessions
        )
        await answer(update, context, context.t("hubs.people_several", safe={"choices": choices}))
        return
    people, session = int(args[0]), sessions[0]
    await relay.exports.set_headcount(session.id, chat_id, people, user_id)
    await answer(
        update,
        context,
        context.t("hubs.people_set", people=people, hub=label, session=session.title),
    )


async def hub_command(update: Update, context: RemoteHubContext) -> None:
    """``/hub`` shows, ``/hub Name, City`` registers or renames, ``/hub off`` stops."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or message is None:
        return
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        await answer(update, context, context.t("hubs.groups_only"))
        return
    hubs = context.services.questions.hubs
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
    words = text.split()
    if words and words[0].casefold() in PEOPLE:
        await _headcount(update, context, chat.id, user.id, words[1:])
        return
    if text.casefold() in OFF:
        stopped = await hubs.unregister(chat.id)
        await answer(update, context, context.t("hubs.unregistered" if stopped else "hubs.not_hub"))
        return
    label = await hubs.register(chat.id, text, user.id)
    await answer(update, context, context.t("hubs.registered", hub=label))


def register(application: RemoteHubApplication) -> None:
    application.add_handler(CommandHandler("hub", hub_command, filters=filters.UpdateType.MESSAGE))
