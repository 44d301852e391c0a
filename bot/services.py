"""The composition root: every service of one process, built here as a typed field, started
and stopped in the order written once in ``Services.start``.

Handlers, jobs, the CLI, benches, the demo and (next) web routes all get the same objects
from here; nothing is looked up by name. PTB stays outside: the application hands in a
``Timer`` and a ``JobBoard`` on its JobQueue and a ``MessageTransport`` on its bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.i18n import Translator, default_translator
from bot.ingest.fetch import Fetcher
from bot.ingest.service import IngestionService
from bot.leadership import WAKE_CHANNEL, WAKE_REPLAN, LeaderWatch, Lease, lease_for
from bot.links import BotLinks
from bot.live import LiveHub
from bot.live_bridge import LiveBridge
from bot.outbox.pacing import SendLimits
from bot.outbox.sender import OutboxSender
from bot.outbox.transport import MessageTransport
from bot.programme.announcer import Announcer
from bot.programme.browse import ProgrammeBrowser
from bot.programme.events import ProgrammeListener
from bot.programme.jobs import Timer
from bot.questions import QuestionRelay, assemble
from bot.questions.base import RelayContext
from bot.reminders import Reminders, build_reminders
from bot.reminders.planner import JobBoard
from bot.roles import RoleService
from bot.translation.service import TranslationService
from bot.webaccess import WebAccess
from config.settings import Settings
from storage.db import WAKE_OUTBOX, Database
from storage.migrate import upgrade_to_head

if TYPE_CHECKING:
    from aiohttp.web import AbstractRouteDef

    from web.server import WebServer

log = logging.getLogger(__name__)

POLL_EVERY_SECONDS = 15.0
# The plan is rebuilt after every change it hears of; this catches what it cannot hear of:
# a source's first poll, sessions coming into the planning horizon, a chat that is back.
REPLAN_EVERY = timedelta(minutes=5)
STALE_CLAIM_CHECK_SECONDS = 30.0
STOP_GRACE_SECONDS = 2.0
# What only the leader runs, in the order it starts them (and stops them in reverse): the
# sender before anything queues, the listeners (reminders, announcer) before the first poll.
LEADER_DUTIES = ("sender", "reminders", "announcer", "questions", "ingestion")


class Poller:
    """Starts a poll cycle on each tick unless the previous one is still running; a stop lets
    the cycle finish briefly, then cancels it (a cancelled poll writes nothing)."""

    def __init__(self, service: IngestionService) -> None:
        self.service = service
        self.cycle: asyncio.Task[None] | None = None

    async def tick(self) -> None:
        if self.cycle is None or self.cycle.done():
            self.cycle = asyncio.create_task(self._run(), name="ingest:poll_due")

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


@dataclass
class Services:
    """One process's services. Build with ``build_services``."""

    settings: Settings
    database: Database
    translator: Translator
    clock: Clock
    roles: RoleService
    links: BotLinks
    questions: QuestionRelay
    reminders: Reminders
    browser: ProgrammeBrowser
    announcer: Announcer
    ingestion: IngestionService
    poller: Poller
    # Changes of a session's questions, for the live web pages (console, wall).
    live: LiveHub
    # Machine translations of questions for moderators ([translate]; off without a url).
    translations: TranslationService
    # Signing in to the web pages (links, Mini App initData, browser sessions).
    web_access: WebAccess
    # The right to lead (send, run the timed jobs, poll): see ``bot.leadership``.
    lease: Lease
    sender: OutboxSender | None = None
    timer: Timer | None = None
    # The web pages' server, started last ([web] enabled); ``web_url`` is what people open.
    web_server: WebServer | None = None
    web_url: str | None = None
    # Routes of other front doors served by the same web server (the webhook endpoint).
    extra_web_routes: list[AbstractRouteDef] = field(default_factory=list)
    # Told of every programme change inside its poll's transaction, in this order: reminders,
    # then the channel (set by the root; a plug-in or a test may append its own).
    programme_listeners: list[ProgrammeListener] = field(default_factory=list)
    # Names of the steps run by start(), in order (the order test reads it).
    started: list[str] = field(default_factory=list)
    watch: LeaderWatch | None = None
    # Several processes on PostgreSQL: the live changes of each reach the pages of all.
    live_bridge: LiveBridge | None = None
    _background: set[asyncio.Task[None]] = field(default_factory=set)

    # This process runs the leader's duties now (set once they are all up).
    leading: bool = False

    @property
    def bot_username(self) -> str:
        return self.links.username

    async def chat_gone(self, chat_id: int) -> None:
        """The sender found a chat gone for good (after deactivating it)."""
        await self.reminders.subscriptions.chat_gone(chat_id)

    async def start(self, *, bot_username: str | None = None) -> None:
        """Schema, the lease (and the live bridge when processes share the database), the
        leader's duties if this process leads, then the web pages."""
        if bot_username:
            self.links.username = bot_username
        await upgrade_to_head(self.database)
        self.started.append("schema")
        leading = await self.lease.try_acquire()  # a second process on SQLite stops here
        self.started.append("leadership")
        if self.lease.shared:
            self.database.wake_channel = WAKE_CHANNEL
            self.live_bridge = LiveBridge(self.database.url, self.live)
            await self.live_bridge.start()
            self.started.append("live")
        if leading:
            await self.lead()
        else:
            self.reminders.planner.elsewhere = self._ask_leader_to_replan
            log.info("leadership: another process leads; this one handles updates and pages")
        if self.settings.web.enabled:
            from web.server import WebServer  # web/ builds on bot/, not the other way round

            self.web_server = WebServer(self, self.settings.web)
            self.web_server.add_routes(self.extra_web_routes)
            await self.web_server.start()
            self.started.append("web")
        if self.lease.shared:
            self.watch = LeaderWatch(self.lease, self.lead, self.step_down)
            self.watch.start()

    async def lead(self) -> None:
        """Take up the leader's duties, in the order of ``LEADER_DUTIES``."""
        self.reminders.planner.elsewhere = None
        for duty in LEADER_DUTIES:
            await self._start_duty(duty)
            self.started.append(duty)
        self.leading = True
        if self.lease.shared:
            log.info("leadership: this process leads (sender, timed jobs, pollers)")

    async def step_down(self) -> None:
        """The lease is lost: stop the duties (another process takes them up)."""
        self.leading = False
        for duty in reversed(LEADER_DUTIES):
            if duty in self.started:
                await self._stop_duty(duty)
                self.started.remove(duty)
        self.reminders.planner.elsewhere = self._ask_leader_to_replan
        log.warning("leadership: lost the lease; another process takes over")

    def _heard_wake(self, what: str) -> None:
        """Another process committed an outbox row or changed what reminders are owed."""
        if what == WAKE_OUTBOX and self.sender is not None:
            self.sender.wake()
        elif what == WAKE_REPLAN:
            self.reminders.planner.request_replan()

    def _ask_leader_to_replan(self) -> None:
        task = asyncio.create_task(self.database.notify(WAKE_REPLAN), name="ask-leader-replan")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _start_duty(self, duty: str) -> None:
        if duty == "sender":
            if self.sender is not None:
                await self.sender.start()
        elif duty == "reminders":
            await self._start_reminders()
        elif duty == "announcer":
            await self.announcer.start()
        elif duty == "questions":
            if self.timer is not None:
                claims = self.questions.moderation.release_stale_claims
                self.timer.every(
                    "questions.release_stale_claims", STALE_CLAIM_CHECK_SECONDS, claims
                )
        elif duty == "ingestion":
            configured = await self.ingestion.sync_configured_sources()
            log.info("ingestion: %d configured source(s)", len(configured))
            if self.timer is not None:
                self.timer.every("ingest:poll_due", POLL_EVERY_SECONDS, self.poller.tick)
                await self.poller.tick()  # the first poll at once, not in 15 s

    async def _stop_duty(self, duty: str) -> None:
        if duty == "ingestion":
            if self.timer is not None:
                self.timer.cancel("ingest:poll_due")
            await self.poller.stop()
        elif duty == "questions":
            if self.timer is not None:
                self.timer.cancel("questions.release_stale_claims")
        elif duty == "announcer":
            self.announcer.stop()
        elif duty == "reminders":
            if self.timer is not None:
                self.timer.cancel("reminders-replan")
            await self.reminders.planner.close()
            self.reminders.planner.forget_jobs()
        elif duty == "sender" and self.sender is not None:
            await self.sender.stop()

    async def _start_reminders(self) -> None:
        if self.timer is not None:
            seconds = REPLAN_EVERY.total_seconds()
            self.timer.every("reminders-replan", seconds, self.reminders.planner.plan)
        await self.reminders.planner.plan(startup=True)

    async def stop(self) -> list[str]:
        """Stop in the reverse order of ``start``; returns the names, in the order stopped."""
        watch, self.watch = self.watch, None
        if watch is not None:
            await watch.stop()
        stopped: list[str] = []
        await self.translations.stop()
        for name in reversed(self.started):
            if name == "web" and self.web_server is not None:
                await self.web_server.stop()
                self.web_server = None
            elif name == "leadership":
                await self.lease.release()
            elif name == "live" and self.live_bridge is not None:
                await self.live_bridge.stop()
                self.live_bridge = None
            elif name in LEADER_DUTIES:
                await self._stop_duty(name)
                if name == "ingestion":
                    await self.ingestion.fetcher.aclose()
            stopped.append(name)
        self.started.clear()
        self.leading = False
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        return stopped


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    transport: MessageTransport | None = None,
    timer: Timer | None = None,
    board: JobBoard | None = None,
    bot_username: str | None = None,
) -> Services:
    """Every service of one process. Without a transport nothing is sent from this process
    (a web route or the CLI only queues); without a timer nothing runs on its own."""
    database = Database(settings.database_url)
    translator = default_translator()
    clock = clock or SystemClock()
    links = BotLinks(bot_username) if bot_username else BotLinks()
    roles = RoleService(settings)
    live = LiveHub()
    questions = assemble(
        RelayContext(
            database=database,
            clock=clock,
            limits=settings.questions,
            translator=translator,
            live=live,
        )
    )
    translations = TranslationService(database, clock, settings, live)
    questions.context.question_stored.append(translations.question_stored)
    token = settings.token.get_secret_value() if settings.token is not None else ""
    roles.use_lookup(questions.moderators)
    reminders = build_reminders(database, clock, settings, translator, links, board)
    browser = ProgrammeBrowser(
        database=database, settings=settings, translator=translator, clock=clock, links=links
    )
    announcer = Announcer(
        database=database,
        settings=settings,
        translator=translator,
        clock=clock,
        links=links,
        timer=timer,
    )
    services: Services
    ingestion = IngestionService(
        database,
        Fetcher(),
        clock,
        settings,
        lambda: services.programme_listeners,
        translator=translator,
    )
    services = Services(
        settings=settings,
        database=database,
        translator=translator,
        clock=clock,
        roles=roles,
        links=links,
        questions=questions,
        reminders=reminders,
        browser=browser,
        announcer=announcer,
        ingestion=ingestion,
        poller=Poller(ingestion),
        live=live,
        translations=translations,
        web_access=WebAccess(database, clock, roles, token),
        lease=lease_for(settings.database_url, lambda what: services._heard_wake(what)),
        timer=timer,
    )
    services.programme_listeners.extend([reminders.notifier, announcer])
    if transport is not None:
        limits = SendLimits.paid_broadcast() if settings.broadcast.paid else SendLimits()
        services.sender = OutboxSender(
            database, transport, clock, limits=limits, on_chat_gone=services.chat_gone
        )
        # The one place the sender is woken: after every commit that queued a message.
        database.outbox_wakers.append(services.sender.wake)
    return services
