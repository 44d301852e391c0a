"""Every handler, registered in one place, in an order that matters:

group -1  tracking: remember the user and chat and choose the language before anything else;
group 0   feature handlers (commands, buttons, conversations), first match wins;
group 90  fallbacks: a command nobody claimed gets a polite "unknown command".
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.context import AppState
from handlers import (
    admin_sources,
    calendar,
    core,
    errors,
    hubs,
    ingest_jobs,
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
# Order matters twice: handlers match in this order, and on_start runs in it, so the listeners
# (subscriptions' change notifier, the announcer) are in place before ingestion's first poll.
# They stop in reverse. The question relay: ``questions`` builds the relay the next four use.
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
    ingest_jobs,
]


def all_commands() -> list[CommandSpec]:
    return [spec for feature in FEATURES for spec in feature.COMMANDS]


def register_all(application: Application) -> None:  # type: ignore[type-arg]
    state: AppState = application.bot_data
    state.commands = all_commands()
    application.add_handler(TypeHandler(Update, tracking.remember), group=-1)
    for feature in FEATURES:
        feature.register(application)
        state.start_payloads.update(getattr(feature, "START_PAYLOADS", {}))
    core.register_fallbacks(application)
    application.add_error_handler(errors.on_error)


async def start_features(application: Application) -> None:  # type: ignore[type-arg]
    """Feature start-up (jobs rebuilt from the database, pollers), in registration order."""
    for feature in FEATURES:
        on_start = getattr(feature, "on_start", None)
        if on_start is not None:
            await on_start(application)


async def stop_features(application: Application) -> None:  # type: ignore[type-arg]
    for feature in reversed(FEATURES):
        on_stop = getattr(feature, "on_stop", None)
        if on_stop is not None:
            await on_stop(application)
