"""Building the Application: the composition root on PTB's bot and JobQueue, handlers
registered, the services started and stopped with the application."""

from __future__ import annotations

import logging

from telegram.ext import ApplicationBuilder, ContextTypes, Defaults

from bot.clock import Clock, SystemClock
from bot.context import AppState, RemoteHubApplication, RemoteHubContext
from bot.outbox.ptb_transport import PtbTransport
from bot.programme.ptb_timer import JobQueueTimer
from bot.reminders.ptb_board import JobQueueBoard
from bot.services import build_services
from config.settings import Settings
from handlers import registry
from handlers.commands import publish_commands
from storage.repos import bot_facts

log = logging.getLogger(__name__)

__all__ = ["RemoteHubApplication", "build_application"]


def build_application(settings: Settings, *, clock: Clock | None = None) -> RemoteHubApplication:
    """The real bot: the same code path for ``run``, the tests and the demo."""
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
        # Updates come from the intake (bot/intake), which stores them before handling.
        .updater(None)
        .build()
    )
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    clock = clock or SystemClock()
    services = build_services(
        settings,
        clock=clock,
        transport=PtbTransport(application.bot),
        timer=JobQueueTimer(job_queue, clock),
        board=JobQueueBoard(job_queue, clock),
    )
    application.bot_data.attach(services)
    registry.register_all(application)
    return application


async def _post_init(application: RemoteHubApplication) -> None:
    services = application.bot_data.services
    await services.start(bot_username=application.bot.username)
    await publish_commands(
        application.bot, application.bot_data.commands, services.settings, services.translator
    )
    async with services.database.transaction() as db:  # for `remotehub qr` offline
        await bot_facts.remember(
            db, bot_facts.USERNAME, services.bot_username, now=services.clock.now()
        )
    log.info("RemoteHub is up as @%s", services.bot_username)


async def _post_stop(application: RemoteHubApplication) -> None:
    await application.bot_data.services.stop()


async def _post_shutdown(application: RemoteHubApplication) -> None:
    await application.bot_data.services.database.dispose()
