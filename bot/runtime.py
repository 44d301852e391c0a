"""Running the application on the intake: polling or a webhook, started and stopped in order.

``remotehub run``, the tests' harness and the benchmarks all go through ``start_bot`` and
``stop_bot``: the PTB Application is built without an Updater, and updates reach its
``process_update`` only from the inbox (see ``bot.intake``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from telegram import Update

from bot.app import RemoteHubApplication
from bot.intake import Intake
from bot.intake.botapi import IntakeApi
from bot.intake.polling import PollingFetcher
from bot.intake.thread import IntakeThread
from bot.intake.webhook import WebhookServer, derived_secret, webhook_routes
from config.settings import ConfigError, Settings
from storage.repos.inbox import StoredUpdate

log = logging.getLogger(__name__)

Mode = Literal["polling", "webhook"]
# SQLite has one writer: handlers side by side only wait for its lock, and under a burst some
# waited past its busy timeout ("database is locked", measured at 4 and 16), so on SQLite
# updates are handled one at a time as before; PostgreSQL gets what is configured.
SQLITE_CONCURRENCY = 1


@dataclass
class RunningBot:
    """What ``start_bot`` started, for ``stop_bot``."""

    application: RemoteHubApplication
    intake: Intake
    api: IntakeApi
    mode: Mode
    fetcher: PollingFetcher | None = None
    fetch_api: IntakeApi | None = None  # the fetcher's own client, on the intake thread
    web: WebhookServer | None = None
    webhook_url: str | None = None


def webhook_secret(settings: Settings) -> str:
    """The configured secret, or one derived from the token."""
    configured = settings.telegram.webhook_secret
    if configured is not None:
        return configured.get_secret_value()
    if settings.token is None:
        raise ConfigError("config: token: missing (set REMOTEHUB_TOKEN to the bot's token)")
    return derived_secret(settings.token.get_secret_value())


def build_intake(application: RemoteHubApplication) -> Intake:
    """The intake feeding ``application`` (one chat's updates in order, chats side by side)."""
    services = application.bot_data.services
    telegram = services.settings.telegram

    async def handle(item: StoredUpdate) -> None:
        await application.process_update(Update.de_json(item.payload, application.bot))

    concurrency = telegram.concurrency
    if services.database.dialect == "sqlite":
        concurrency = min(concurrency, SQLITE_CONCURRENCY)
    return Intake(
        services.database,
        services.clock,
        handle,
        concurrency=concurrency,
        keep=timedelta(hours=telegram.inbox_keep_hours),
        leading=(lambda: services.leading) if services.lease.shared else None,
        # Fetching and storing on a thread of their own, clear of the handlers' work (an
        # in-memory SQLite database cannot be opened twice, so it keeps to one loop).
        thread=None if services.database.in_memory else IntakeThread(),
    )


async def start_bot(application: RemoteHubApplication, *, mode: Mode | None = None) -> RunningBot:
    """Initialise and start the application, replay the inbox, then open the intake."""
    services = application.bot_data.services
    settings = services.settings
    if settings.token is None:
        raise ConfigError("config: token: missing (set REMOTEHUB_TOKEN to the bot's token)")
    mode = mode or settings.telegram.mode
    intake = build_intake(application)
    if mode == "webhook" and settings.web.enabled:
        # The endpoint shares the web pages' server ([web] listen), started by the services.
        path = settings.telegram.webhook_path
        services.extra_web_routes.extend(webhook_routes(intake, webhook_secret(settings), path))
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    token = settings.token.get_secret_value()
    running = RunningBot(application, intake, IntakeApi(settings.api_url, token), mode)
    try:
        await intake.start()
        await _open(running, settings, token)
    except BaseException:
        await stop_bot(running, drain_seconds=1.0)
        raise
    return running


async def _open(running: RunningBot, settings: Settings, token: str) -> None:
    allowed = list(Update.ALL_TYPES)
    if running.mode == "polling":
        # The fetcher runs where the inbox writer runs, with an HTTP client made there.
        await running.intake.run_here(_start_fetcher(running, settings.api_url, token, allowed))
        return
    path = settings.telegram.webhook_path
    secret = webhook_secret(settings)
    shared = running.application.bot_data.services.web_server
    if shared is not None and shared.url:
        root = shared.url
    else:  # [web] enabled = false: a server of the endpoint's own
        running.web = WebhookServer(
            webhook_routes(running.intake, secret, path), settings.web.listen
        )
        root = await running.web.start()
    running.webhook_url = (settings.web.public_url or root).rstrip("/") + path
    if settings.web.public_url is None:
        log.warning("[web] public_url is not set; telling the Bot API %s", running.webhook_url)
    await running.api.set_webhook(
        running.webhook_url,
        secret_token=secret,
        allowed_updates=allowed,
        max_connections=settings.telegram.max_connections,
    )
    log.info("updates arrive by webhook at %s", running.webhook_url)


async def _start_fetcher(running: RunningBot, api_url: str, token: str, allowed: list[str]) -> None:
    running.fetch_api = IntakeApi(api_url, token)
    running.fetcher = PollingFetcher(running.fetch_api, running.intake, allowed_updates=allowed)
    await running.fetcher.start()


async def stop_intake(running: RunningBot, *, drain_seconds: float = 10.0) -> None:
    """Stop taking updates and finish the queued ones (the rest wait in the inbox)."""
    fetcher, running.fetcher = running.fetcher, None
    if fetcher is not None:
        await running.intake.run_here(fetcher.stop())
    fetch_api, running.fetch_api = running.fetch_api, None
    if fetch_api is not None:
        await running.intake.run_here(fetch_api.close())
    web, running.web = running.web, None
    if web is not None:
        await web.stop()  # requests under way finish storing first
    await running.intake.stop(drain_seconds)
    await running.api.close()


async def stop_application(application: RemoteHubApplication) -> None:
    """Stop jobs, the sender and the database, as PTB's own run loop would."""
    if application.running:
        await application.stop()
    if application.post_stop is not None:
        await application.post_stop(application)
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


async def stop_bot(running: RunningBot, *, drain_seconds: float = 10.0) -> None:
    """Stop taking updates, finish the queued ones, then stop the application."""
    await stop_intake(running, drain_seconds=drain_seconds)
    await stop_application(running.application)
