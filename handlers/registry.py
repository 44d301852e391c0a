"""Every handler, registered in one place, in an order that matters:

group -1  tracking: remember the user and chat and choose the language before anything else;
group 0   feature handlers (commands, buttons, conversations), first match wins: the answers
          to the bot's own questions (settings, subscriptions) come before the relay's
          catch-all for text, which continues a conversation or gives a hint;
group 90  fallbacks: a command nobody claimed gets a polite "unknown command".

Services are built and started in ``bot.services``, not here.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import TypeHandler

from bot.context import AppState, RemoteHubApplication
from handlers import (
    admin_sources,
    calendar,
    console,
    core,
    errors,
    hubs,
    moderation,
    questions,
    relay_tools,
    schedule,
    settings,
    subscriptions,
    tracking,
    voting,
)
from handlers.commands import CommandSpec

# Feature modules, each with COMMANDS, register(application) and optional START_PAYLOADS.
FEATURES = [
    core,
    settings,
    subscriptions,
    calendar,
    schedule,
    admin_sources,
    questions,
    voting,
    hubs,
    moderation,
    relay_tools,
    console,
]


def all_commands() -> list[CommandSpec]:
    return [spec for feature in FEATURES for spec in feature.COMMANDS]


def register_all(application: RemoteHubApplication) -> None:
    state: AppState = application.bot_data
    state.commands = all_commands()
    application.add_handler(TypeHandler(Update, tracking.remember), group=-1)
    for feature in FEATURES:
        feature.register(application)
        state.start_payloads.update(getattr(feature, "START_PAYLOADS", {}))
    core.register_fallbacks(application)
    application.add_error_handler(errors.on_error)
