"""Building the Application: services in, handlers registered, the outbox sender started."""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot.clock import Clock, SystemClock
from bot.context import AppState, RemoteHubContext
from bot.i18n import default_translator
from bot.roles import RoleService
from bot.services import Services
from config.settings import Settings
from handlers import registry
from handlers.commands import publish_commands
from storage.db import Database
from storage.migrate import upgrade_to_head

log = logging.getLogger(__name__)

RemoteHubApplication = Application[Any, RemoteHubContext, Any, Any, AppState, Any]


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    database = Database(settings.database_url)
    return Services(
        settings=settings,
        database=database,
        translator=default_translator(),
        clock=clock or SystemClock(),
        roles=RoleService(settings),
    )


def build_application(services: Services) -> RemoteHubApplication:
    """The real bot: the same code path for ``run``, the tests and the demo."""
    settings = services.settings
    if settings.token is None:
        raise ValueError("a token is required to build the application")
    api = settings.api_url
    application: RemoteHubApplication = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .context_types(ContextTypes(context=RemoteHubContext, bot_data=AppState))
        .defaults(Defaults(parse_mode="HTML"))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.attach(services)
    registry.register_all(application)
    return application


async def _post_init(application: RemoteHubApplication) -> None:
    services = application.bot_data.services
    await upgrade_to_head(services.database)
    services.bot_username = application.bot.username
    from bot.outbox.ptb_transport import PtbTransport
    from bot.outbox.sender import OutboxSender

    sender = OutboxSender(
        services.database,
        PtbTransport(application.bot),
        services.clock,
        on_chat_gone=services.chat_gone,
    )
    services.sender = sender
    await sender.start()
    await publish_commands(
        application.bot, application.bot_data.commands, services.settings, services.translator
    )
    await registry.start_features(application)
    log.info("RemoteHub is up as @%s", services.bot_username)


async def _post_stop(application: RemoteHubApplication) -> None:
    services = application.bot_data.services
    await registry.stop_features(application)
    stop = getattr(services.sender, "stop", None)
    if stop is not None:
        await stop()


async def _post_shutdown(application: RemoteHubApplication) -> None:
    await application.bot_data.services.database.dispose()
