"""Ingestion in the running bot: the service built at start, and a poll of due sources every 15 s.

No commands here (``/sources`` and ``/poll`` belong to the schedule feature and call the
service in ``services.features["ingestion"]``). A poll cycle runs as its own task so that a
slow source never makes the job queue skip ticks; a stop lets the cycle finish briefly, then
cancels it (a cancelled poll writes nothing and is simply repeated after the restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from telegram.ext import Application

from bot.context import RemoteHubContext
from bot.ingest.fetch import Fetcher
from bot.ingest.service import IngestionService
from bot.scheduling import real_interval
from bot.services import Services
from handlers.commands import CommandSpec

log = logging.getLogger(__name__)

COMMANDS: list[CommandSpec] = []
POLL_EVERY_SECONDS = 15.0
STOP_GRACE_SECONDS = 2.0
JOB_NAME = "ingest:poll_due"


def build_ingestion(services: Services) -> IngestionService:
    """The service with the bot's database, clock, listeners and sender."""
    return IngestionService(
        services.database,
        Fetcher(),
        services.clock,
        services.settings,
        lambda: services.programme_listeners,
        translator=services.translator,
        wake_sender=lambda: services.sender.wake(),
    )


class Poller:
    """Starts a poll cycle on each tick unless the previous one is still running."""

    def __init__(self, service: IngestionService) -> None:
        self.service = service
        self.cycle: asyncio.Task[None] | None = None

    async def tick(self, _context: RemoteHubContext) -> None:
        if self.cycle is None or self.cycle.done():
            self.cycle = asyncio.create_task(self._run(), name=JOB_NAME)

    async def _run(self) -> None:
        try:
            await self.service.poll_due()
        except Exception:
            log.exception("poll cycle failed")

    async def stop(self) -> None:
        cycle, self.cycle = self.cycle, None
        if cycle is None or cycle.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(cycle), STOP_GRACE_SECONDS)
        except TimeoutError:
            cycle.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await cycle


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Nothing to register: ingestion has no handlers of its own."""


async def on_start(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data.services
    service = build_ingestion(services)
    services.features["ingestion"] = service
    configured = await service.sync_configured_sources()
    log.info("ingestion: %d configured source(s)", len(configured))
    poller = Poller(service)
    services.features["ingestion.poller"] = poller
    if application.job_queue is None:
        raise RuntimeError("the job queue is missing: install python-telegram-bot[job-queue]")
    # Sources come due in bot time (the demo's clock runs fast): tick in bot seconds too.
    every = real_interval(services.clock, timedelta(seconds=POLL_EVERY_SECONDS))
    application.job_queue.run_repeating(poller.tick, interval=every, first=0.5, name=JOB_NAME)


async def on_stop(application: Application) -> None:  # type: ignore[type-arg]
    services: Services = application.bot_data.services
    poller = services.features.pop("ingestion.poller", None)
    if isinstance(poller, Poller):
        await poller.stop()
    service = services.features.pop("ingestion", None)
    if isinstance(service, IngestionService):
        await service.fetcher.aclose()
