"""/sources (each source's health) and /poll (poll every source now), for admins only."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import RemoteHubApplication, RemoteHubContext
from bot.programme import source_views
from bot.roles import Role
from handlers.commands import CommandSpec
from handlers.common import reply, reply_text
from handlers.guards import require_role

COMMANDS = [
    CommandSpec("sources", "cmd.sources", Role.ADMIN),
    CommandSpec("poll", "cmd.poll", Role.ADMIN),
]


async def sources_command(update: Update, context: RemoteHubContext) -> None:
    chat = update.effective_chat
    if chat is None or not await require_role(update, context, Role.ADMIN):
        return
    health = await context.services.ingestion.source_health()
    zone = await context.services.browser.reader_zone(chat.id)
    text = source_views.sources_text(context.services.translator, context.language, health, zone)
    await reply_text(update, context, text)


async def poll_command(update: Update, context: RemoteHubContext) -> None:
    """Polls in the background: a slow feed must not hold up everyone else's updates."""
    if update.effective_chat is None or not await require_role(update, context, Role.ADMIN):
        return
    await reply(update, context, "schedule.poll.started")
    context.application.create_task(_poll_and_report(update, context), update=update)


async def _poll_and_report(update: Update, context: RemoteHubContext) -> None:
    outcomes = await context.services.ingestion.poll_all()
    text = source_views.poll_text(context.services.translator, context.language, outcomes)
    await reply_text(update, context, text)


def register(application: RemoteHubApplication) -> None:
    application.add_handler(CommandHandler("sources", sources_command))
    application.add_handler(CommandHandler("poll", poll_command))
