"""Reminder planning: the database says what is owed; jobs are only alarm clocks.

For each upcoming session with subscribers and each distinct lead time among them there is
one job at ``start - lead`` (named ``remind:{session}:{lead}``), rebuilt from the database at
start and after every change, never pickled. When it rings, one transaction queues one
outbox row per subscribed active chat (key ``remind:{chat}:{session}:{lead}:{start}``, so a
moved session gets fresh reminders and an unmoved one never repeats) and writes a marker
for the (session, lead, start), so a restart or a second ring sends nothing twice.

A reminder is owed to a chat whose rule existed when it came due: someone subscribing ten
minutes before a session does not get the "one hour before" one late. A reminder that came
due while the bot was down is sent on start if its session has not started (only the
nearest one per chat, not a burst); otherwise it is dropped with a log line.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.clock import Clock
from bot.i18n import pick_language
from bot.outbox.payloads import html_message
from bot.reminders.matching import LeadIndex, chat_leads, matched_keywords
from bot.reminders.texts import ReminderTexts, webcast_for, zone_named
from bot.scheduling import real_delay
from config.settings import Settings
from storage.db import Database
from storage.models import Session
from storage.repos import outbox
from storage.repos import subscriptions as subs
from storage.repos.outbox import NewMessage, Priority
from storage.repos.subscriptions import Subscriber

log = logging.getLogger(__name__)

JOB_PREFIX = "remind:"
# A job may ring a little before the clock says it is due (loop and clock granularity).
EARLY_TOLERANCE = timedelta(seconds=2)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True, order=True)
class DueReminder:
    """One (session, lead) pair for the session's current start."""

    start: datetime
    session_id: int
    lead: int  # minutes

    @property
    def at(self) -> datetime:
        return self.start - timedelta(minutes=self.lead)

    @property
    def job_name(self) -> str:
        return f"{JOB_PREFIX}{self.session_id}:{self.lead}"

    @property
    def marker(self) -> str:
        """Written when the fan-out is queued (or dropped): it never happens twice."""
        return f"reminded:{self.session_id}:{self.lead}:{iso(self.start)}"

    def key_for(self, chat_id: int) -> str:
        return f"remind:{chat_id}:{self.session_id}:{self.lead}:{iso(self.start)}"


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """A job the board must hold: ring ``run`` after ``delay`` real seconds."""

    name: str
    delay: float
    due: DueReminder
    run: Callable[[], Awaitable[None]]


class JobBoard(Protocol):
    """Where jobs live (PTB's JobQueue in the application, a list in tests)."""

    def replace_all(self, prefix: str, jobs: Sequence[PlannedJob]) -> None:
        """Make the jobs named ``prefix*`` exactly ``jobs`` (same name and due: left alone)."""


@dataclass(slots=True)
class PlanReport:
    scheduled: list[DueReminder] = field(default_factory=list)
    fired: list[DueReminder] = field(default_factory=list)
    dropped: list[DueReminder] = field(default_factory=list)


class ReminderPlanner:
    """Plans reminder jobs from the database and fans reminders out when they ring."""

    HORIZON = timedelta(days=8)  # longer than the longest lead time (7 days)
    LOOKBACK = timedelta(days=1)  # on start: sessions that began while we were down

    def __init__(
        self,
        database: Database,
        clock: Clock,
        settings: Settings,
        texts: ReminderTexts,
        board: JobBoard | None = None,
        *,
        replan_delay: float = 0.2,
    ) -> None:
        self._database = database
        self._clock = clock
        self._settings = settings
        self._texts = texts
        self._board = board
        self._replan_delay = replan_delay
        self._lock = asyncio.Lock()
        self._dirty = False
        self._replanner: asyncio.Task[None] | None = None
        # Set while another process leads: a change heard here is passed on to it instead.
        self.elsewhere: Callable[[], None] | None = None

    @property
    def default_leads(self) -> list[int]:
        return list(self._settings.reminder_minutes)

    # ---- planning ----------------------------------------------------------------------

    async def plan(self, *, startup: bool = False) -> PlanReport:
        """Rebuild every reminder job from the database; send what is owed and overdue."""
        async with self._lock:
            report = await self._plan(startup)
        log.debug(
            "reminders planned: %d jobs, %d sent late, %d dropped",
            len(report.scheduled),
            len(report.fired),
            len(report.dropped),
        )
        return report

    async def _plan(self, startup: bool) -> PlanReport:
        now = self._clock.now()
        since = now - self.LOOKBACK if startup else now
        async with self._database.transaction() as db:
            sessions = await subs.sessions_starting_between(db, since, now + self.HORIZON)
            index = LeadIndex(await subs.rule_profiles(db), self.default_leads)
            candidates = [
                DueReminder(session.start_at, session.id, lead)
                for session in sessions
                for lead in sorted(index.leads_for(session))
            ]
            done = await subs.marked(db, [due.marker for due in candidates])
        report = PlanReport()
        overdue: dict[int, list[int]] = defaultdict(list)
        for due in candidates:
            if due.marker in done:
                continue
            if due.at > now:
                report.scheduled.append(due)
            elif due.start > now:
                overdue[due.session_id].append(due.lead)
                report.fired.append(due)
            else:
                report.dropped.append(due)
        if report.dropped:
            await self._drop_started(report.dropped)
        for session_id, leads in overdue.items():
            await self.fire(session_id, leads)
        if self._board is not None:
            self._board.replace_all(JOB_PREFIX, [self._job(due) for due in report.scheduled])
        return report

    def _job(self, due: DueReminder) -> PlannedJob:
        async def ring() -> None:
            await self.fire(due.session_id, [due.lead])

        return PlannedJob(due.job_name, real_delay(self._clock, due.at), due, ring)

    async def _drop_started(self, dropped: Sequence[DueReminder]) -> None:
        now = self._clock.now()
        for due in dropped:
            log.info(
                "reminder %d min before session %s (start %s) came due while the bot was "
                "down and the session has started: dropped",
                due.lead,
                due.session_id,
                iso(due.start),
            )
        async with self._database.transaction() as db:
            await subs.mark(db, [due.marker for due in dropped], now)

    # ---- ringing -----------------------------------------------------------------------

    async def fire(self, session_id: int, leads: Collection[int]) -> int:
        """Queue the reminders of ``session_id`` for these lead times; returns rows queued.

        Several leads at once (after downtime): each chat gets only its nearest one.
        """
        now = self._clock.now()
        early = False
        async with self._database.transaction() as db:
            session = await subs.get_session(db, session_id)
            if session is None or session.cancelled or session.vanished:
                return 0
            wanted = [DueReminder(session.start_at, session.id, lead) for lead in set(leads)]
            done = await subs.marked(db, [due.marker for due in wanted])
            owed = [due for due in wanted if due.marker not in done]
            due_now = [due for due in owed if due.at <= now + EARLY_TOLERANCE]
            early = len(due_now) < len(owed)
            if not due_now:
                queued = 0
            elif session.start_at <= now:
                log.info("reminders of session %s rang after it started: dropped", session_id)
                queued = 0
            else:
                keywords = matched_keywords(session, await subs.keyword_targets(db))
                subscribers = await subs.subscribers(db, session, keywords)
                messages = self._messages(session, due_now, subscribers, now)
                queued = await outbox.enqueue_many(db, messages, now=now)
            await subs.mark(db, [due.marker for due in due_now], now)
        if early:  # moved later since the job was planned, or a fast clock: plan again
            self.request_replan()
        if queued:
            log.info(
                "reminders for session %s (%s min before) queued for %d chats",
                session_id,
                "/".join(str(due.lead) for due in sorted(due_now, key=lambda d: d.lead)),
                queued,
            )
        return queued

    def _messages(
        self,
        session: Session,
        due_now: Sequence[DueReminder],
        subscribers: Sequence[Subscriber],
        now: datetime,
    ) -> list[NewMessage]:
        settings = self._settings
        venue = zone_named(session.timezone, settings.zone)
        webcast = webcast_for(session, settings.webcasts)
        texts: dict[tuple[str, str], str] = {}
        messages = []
        for subscriber in subscribers:
            leads = chat_leads(subscriber.reminder_minutes, self.default_leads)
            eligible = [
                due for due in due_now if due.lead in leads and due.at >= subscriber.subscribed_at
            ]
            if not eligible:
                continue
            due = min(eligible, key=lambda item: item.lead)
            language = pick_language(
                subscriber.language, subscriber.user_language, settings.default_language
            )
            reader = zone_named(subscriber.timezone, settings.zone)
            text = texts.get((language, reader.key))
            if text is None:
                text = self._texts.reminder(
                    session, language=language, reader=reader, venue=venue, now=now, webcast=webcast
                )
                texts[(language, reader.key)] = text
            messages.append(
                NewMessage(
                    key=due.key_for(subscriber.chat_id),
                    chat_id=subscriber.chat_id,
                    kind="reminder",
                    payload=html_message(subscriber.chat_id, text),
                    not_before=now,
                    priority=Priority.REMINDER,
                    expires_at=session.start_at,
                    session_id=session.id,
                )
            )
        return messages

    # ---- re-planning after changes -----------------------------------------------------

    def attach(self, board: JobBoard) -> None:
        self._board = board

    def request_replan(self) -> None:
        """Plan again soon (changes come in bursts: one plan after the burst is enough)."""
        if self.elsewhere is not None:
            self.elsewhere()
            return
        self._dirty = True
        if self._replanner is None or self._replanner.done():
            self._replanner = asyncio.create_task(self._replan_loop(), name="reminders-replan")

    async def _replan_loop(self) -> None:
        while self._dirty:
            self._dirty = False
            await asyncio.sleep(self._replan_delay)
            try:
                await self.plan()
            except Exception:
                log.exception("reminders: re-planning failed; the periodic plan will retry")

    async def settle(self) -> None:
        """Wait until requested re-plans are done (tests, shutdown)."""
        while self._replanner is not None and not self._replanner.done():
            await asyncio.shield(self._replanner)

    def forget_jobs(self) -> None:
        """Drop every reminder job (this process no longer leads; the marks stay in the db)."""
        if self._board is not None:
            self._board.replace_all(JOB_PREFIX, [])

    async def close(self) -> None:
        task, self._replanner = self._replanner, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
