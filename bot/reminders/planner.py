"""Reminder planning: the database says what is owed; jobs are only alarm clocks.

Each upcoming session with subscribers owes a reminder per distinct lead time among them,
due at ``start - lead``. Those due in one minute form a batch with one job (named
``remind:{minute}``), rebuilt from the database at start and after every change, never
pickled; it rings the batch's own broadcast length before the minute (``batches``), so the
last chat hears by the due time. When it rings, one transaction queues one outbox row per
chat, listing every session of the batch it follows (key ``remind:{chat}:{session}:{lead}:
{start}`` for one session, so a moved session gets fresh reminders and an unmoved one never
repeats), and writes a marker per (session, lead, start), so a restart or a second ring
sends nothing twice.

A reminder is owed to a chat whose rule existed when it came due: someone subscribing ten
minutes before a session does not get the "one hour before" one late. A reminder that came
due while the bot was down is sent on start if its session has not started (only the
nearest one per chat, not a burst); otherwise it is dropped with a log line.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import pick_language
from bot.outbox.pacing import SendLimits
from bot.outbox.payloads import html_message
from bot.reminders.batches import (
    BroadcastPace,
    DueReminder,
    ReminderBatch,
    group_by_minute,
    iso,
    plan_batches,
)
from bot.reminders.matching import LeadIndex, chat_leads, matched_keywords
from bot.reminders.texts import ReminderTexts, webcast_for, zone_named
from bot.scheduling import real_delay, sending_speed
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
# Batches are counted (one subscriber query per session) only this close to their minute:
# enough for a 45,000-chat broadcast at 30 a second, between two periodic plans.
COUNT_AHEAD = timedelta(minutes=30)
# What a paid broadcast is planned for: the sender, not Telegram's 1,000, is the limit (about
# 150-220 a second on a 2-core machine with SQLite, by the load), so two thirds of the low end.
PAID_PACE = 100.0
# Under Telegram's 4,096 characters, with room for the heading.
MESSAGE_BUDGET = 3800


@dataclass(frozen=True, slots=True)
class PlannedJob:
    """A job the board must hold: ring ``run`` after ``delay`` real seconds."""

    name: str
    delay: float
    due: ReminderBatch
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
    batches: list[ReminderBatch] = field(default_factory=list)


@dataclass(slots=True)
class _Recipient:
    """One chat of a fan-out and, per session, the nearest reminder it is owed."""

    subscriber: Subscriber
    picks: dict[int, DueReminder] = field(default_factory=dict)


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

    @property
    def pace(self) -> BroadcastPace:
        """The pace a fan-out is planned for: 90% of the sender's, which replies share."""
        paid = self._settings.broadcast.paid
        per_second = PAID_PACE if paid else SendLimits().per_second * 0.9
        return BroadcastPace(per_second, sending_speed(self._clock))

    # ---- planning ----------------------------------------------------------------------

    async def plan(self, *, startup: bool = False) -> PlanReport:
        """Rebuild every reminder job from the database; send what is owed and overdue."""
        async with self._lock:
            report = await self._plan(startup)
        log.debug(
            "reminders planned: %d jobs, %d sent late, %d dropped",
            len(report.batches),
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
        for due in candidates:
            if due.marker in done:
                continue
            if due.at > now:
                report.scheduled.append(due)
            elif due.start > now:
                report.fired.append(due)
            else:
                report.dropped.append(due)
        if report.dropped:
            await self._drop_started(report.dropped)
        if report.fired:  # came due while we were down: each chat gets one message
            await self._fan_out(report.fired, early=timedelta(0))
        groups = group_by_minute(report.scheduled)
        counts = await self._count_near(groups, now)
        report.batches = plan_batches(groups, counts, self.pace)
        if self._board is not None:
            self._board.replace_all(JOB_PREFIX, [self._job(batch) for batch in report.batches])
        return report

    async def _count_near(
        self, groups: dict[datetime, list[DueReminder]], now: datetime
    ) -> dict[datetime, int]:
        """Recipients of each batch due within ``COUNT_AHEAD`` (the others ring as planned)."""
        horizon = now + COUNT_AHEAD * self.pace.speed
        near = {minute: dues for minute, dues in groups.items() if minute <= horizon}
        counts: dict[datetime, int] = {}
        if near:
            async with self._database.transaction() as db:
                for minute, dues in near.items():
                    sessions = await self._sessions(db, dues)
                    counts[minute] = len(await self._recipients(db, dues, sessions))
        return counts

    def _job(self, batch: ReminderBatch) -> PlannedJob:
        async def ring() -> None:
            await self.fire_batch(batch)

        return PlannedJob(batch.job_name, real_delay(self._clock, batch.ring_at), batch, ring)

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
        async with self._database.transaction() as db:
            session = await subs.get_session(db, session_id)
        if session is None:
            return 0
        dues = [DueReminder(session.start_at, session_id, lead) for lead in set(leads)]
        return await self._fan_out(dues, early=timedelta(0))

    async def fire_batch(self, batch: ReminderBatch) -> int:
        """A batch's job rang: queue its reminders, up to ``batch.early`` before they are due."""
        now = self._clock.now()
        on_time = now + EARLY_TOLERANCE >= batch.ring_at
        return await self._fan_out(
            batch.dues, early=batch.early, as_planned=batch.markers if on_time else frozenset()
        )

    async def _fan_out(
        self,
        planned: Sequence[DueReminder],
        *,
        early: timedelta,
        as_planned: frozenset[str] = frozenset(),
    ) -> int:
        """One transaction: a message per chat for the owed reminders due within ``early``
        (or ``as_planned``: not moved since their batch was planned).

        A session is re-read first: if it moved later, its reminder waits for a new plan.
        """
        now = self._clock.now()
        async with self._database.transaction() as db:
            sessions = await self._sessions(db, planned)
            current = [
                DueReminder(sessions[due.session_id].start_at, due.session_id, due.lead)
                for due in planned
                if due.session_id in sessions
            ]
            done = await subs.marked(db, [due.marker for due in current])
            owed = [due for due in current if due.marker not in done]
            due_now = [
                due
                for due in owed
                if due.marker in as_planned or due.at - early <= now + EARLY_TOLERANCE
            ]
            started = [due for due in due_now if due.start <= now]
            for due in started:
                log.info("reminders of session %s rang after it started: dropped", due.session_id)
            live = [due for due in due_now if due.start > now]
            queued = 0
            if live:
                recipients = await self._recipients(db, live, sessions)
                messages = self._messages(recipients, sessions, now)
                queued = await outbox.enqueue_many(db, messages, now=now)
            await subs.mark(db, [due.marker for due in due_now], now)
        if len(due_now) < len(owed):  # moved later since the job was planned: plan again
            self.request_replan()
        if queued:
            log.info(
                "reminders for %s queued: %d messages",
                ", ".join(f"session {due.session_id} ({due.lead} min)" for due in sorted(live)),
                queued,
            )
        return queued

    @staticmethod
    async def _sessions(db: AsyncSession, dues: Iterable[DueReminder]) -> dict[int, Session]:
        """The live sessions of ``dues`` as stored now (cancelled and vanished left out)."""
        found: dict[int, Session] = {}
        for session_id in sorted({due.session_id for due in dues}):
            session = await subs.get_session(db, session_id)
            if session is not None and not session.cancelled and not session.vanished:
                found[session_id] = session
        return found

    async def _recipients(
        self, db: AsyncSession, dues: Sequence[DueReminder], sessions: dict[int, Session]
    ) -> dict[int, _Recipient]:
        """Every chat owed one of ``dues``, with its nearest lead per session.

        A reminder is owed to a chat whose rule existed when it came due, and whose lead
        times include it.
        """
        targets = await subs.keyword_targets(db)
        recipients: dict[int, _Recipient] = {}
        by_session: dict[int, list[DueReminder]] = defaultdict(list)
        for due in dues:
            if due.session_id in sessions:
                by_session[due.session_id].append(due)
        for session_id, session_dues in by_session.items():
            session = sessions[session_id]
            keywords = matched_keywords(session, targets)
            for subscriber in await subs.subscribers(db, session, keywords):
                leads = chat_leads(subscriber.reminder_minutes, self.default_leads)
                eligible = [
                    due
                    for due in session_dues
                    if due.lead in leads and due.at >= subscriber.subscribed_at
                ]
                if not eligible:
                    continue
                nearest = min(eligible, key=lambda item: item.lead)
                entry = recipients.setdefault(subscriber.chat_id, _Recipient(subscriber))
                entry.picks[session_id] = nearest
        return recipients

    def _messages(
        self, recipients: dict[int, _Recipient], sessions: dict[int, Session], now: datetime
    ) -> list[NewMessage]:
        """The rows of a fan-out; each says how soon as of when it should leave."""
        settings = self._settings
        pace = self.pace
        paid = settings.broadcast.paid
        venues = {sid: zone_named(s.timezone, settings.zone) for sid, s in sessions.items()}
        webcasts = {sid: webcast_for(s, settings.webcasts) for sid, s in sessions.items()}
        blocks: dict[tuple[str, str, int, int], str] = {}
        messages: list[NewMessage] = []
        for position, (chat_id, recipient) in enumerate(recipients.items()):
            subscriber = recipient.subscriber
            language = pick_language(
                subscriber.language, subscriber.user_language, settings.default_language
            )
            reader = zone_named(subscriber.timezone, settings.zone)
            leaves = max(now, pace.expected_send(now, position))
            picks = sorted(recipient.picks.values(), key=lambda due: (due.start, due.session_id))
            texts = []
            for due in picks:
                session = sessions[due.session_id]
                minutes = round((session.start_at - leaves).total_seconds() / 60)
                cache_key = (language, reader.key, due.session_id, minutes)
                text = blocks.get(cache_key)
                if text is None:
                    text = self._texts.reminder(
                        session,
                        language=language,
                        reader=reader,
                        venue=venues[due.session_id],
                        now=session.start_at - timedelta(minutes=minutes),
                        webcast=webcasts[due.session_id],
                    )
                    blocks[cache_key] = text
                texts.append(text)
            for part, (chunk, chunk_dues) in enumerate(self._chunks(language, texts, picks)):
                payload = html_message(chat_id, chunk)
                if paid:
                    payload["allow_paid_broadcast"] = True
                single = chunk_dues[0] if len(picks) == 1 else None
                messages.append(
                    NewMessage(
                        key=single.key_for(chat_id)
                        if single is not None
                        else self._combined_key(chat_id, picks, part),
                        chat_id=chat_id,
                        kind="reminder",
                        payload=payload,
                        not_before=now,
                        priority=Priority.REMINDER,
                        expires_at=min(due.start for due in chunk_dues),
                        # A combined message is not dropped when one of its sessions moves:
                        # the others are still owed (the moved one gets its change notice).
                        session_id=single.session_id if single is not None else None,
                    )
                )
        return messages

    def _chunks(
        self, language: str, texts: list[str], picks: list[DueReminder]
    ) -> list[tuple[str, list[DueReminder]]]:
        """One message for several sessions; more only past Telegram's length limit."""
        if len(texts) == 1:
            return [(texts[0], picks)]
        heading = self._texts.several_heading(language)
        chunks: list[tuple[str, list[DueReminder]]] = []
        current: list[str] = []
        current_dues: list[DueReminder] = []
        for text, due in zip(texts, picks, strict=True):
            size = len(heading) + sum(len(item) + 2 for item in current) + len(text)
            if current and size > MESSAGE_BUDGET:
                chunks.append(("\n\n".join([heading, *current]), current_dues))
                current, current_dues = [], []
            current.append(text)
            current_dues.append(due)
        chunks.append(("\n\n".join([heading, *current]), current_dues))
        return chunks

    @staticmethod
    def _combined_key(chat_id: int, picks: Sequence[DueReminder], part: int) -> str:
        digest = hashlib.sha1(
            "|".join(due.marker for due in picks).encode(), usedforsecurity=False
        ).hexdigest()[:20]
        return f"remind:{chat_id}:several:{digest}:{part}"

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
