"""Announcements in the announce channel: IFLA sessions, their changes, "starting now", the
daily digest and news entries, each queued exactly once (the outbox key is the guarantee,
across restarts too).

Two ways in, both idempotent:
- as a ``ProgrammeListener``, inside ingestion's transaction (new and changed sessions, news);
- ``run_due()``, from timed jobs: sessions entering the lookahead window, sessions starting,
  the digest. At start it also posts what fell due while the bot was down and is still
  relevant, and logs what is no longer relevant.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.links import BotLinks
from bot.outbox.payloads import html_message
from bot.programme import posts
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from bot.programme.jobs import JobPlan, Timer
from bot.programme.posts import PostContext
from config.settings import Settings
from storage.db import Database
from storage.models import Session
from storage.repos import chats, outbox, schedule
from storage.repos.outbox import NewMessage, Priority

log = logging.getLogger(__name__)

TICK_SECONDS = 60.0
MISSED_LOOKBACK = timedelta(hours=24)
_KEY_MAX = 200


def _key(*parts: object) -> str:
    """An outbox key, hashed at the tail when a long feed key or room would not fit."""
    key = ":".join(str(part) for part in parts)
    if len(key) <= _KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"{key[: _KEY_MAX - 33]}#{digest}"


def announce_key(session_id: int) -> str:
    return f"announce:{session_id}"


def live_key(session_id: int) -> str:
    return f"live:{session_id}"


def change_key(change: SessionChange, round_: int = 0) -> str:
    """``round_`` tells a second cancellation (after a restore) from the first."""
    parts: list[object] = [
        "change",
        change.session_id,
        change.kind.value,
        change.new_start.isoformat(),
        change.new_room or "",
    ]
    if round_:
        parts.insert(3, f"r{round_}")
    return _key(*parts)


# Cancelled -> restored -> cancelled at the same time and room is a new notice each time:
# count the notices of the opposite kind posted before.
_OPPOSITE = {ChangeKind.CANCELLED: ChangeKind.RESTORED, ChangeKind.RESTORED: ChangeKind.CANCELLED}


def news_key(item: NewsItem) -> str:
    return _key("news", item.source_id, item.key)


class Announcer:
    """Decides what the announce channel hears and queues it; a ``ProgrammeListener``."""

    def __init__(
        self,
        *,
        database: Database,
        settings: Settings,
        translator: Translator,
        clock: Clock,
        links: BotLinks,
        timer: Timer | None = None,
    ) -> None:
        self._database = database
        self._settings = settings
        self._clock = clock
        self._jobs = JobPlan(timer, self.run_due)
        self._ctx = PostContext(translator, settings.default_language, settings, links)
        self._lock = asyncio.Lock()

    @property
    def channel(self) -> int | None:
        return self._settings.announce_chat_id

    # -- ProgrammeListener -----------------------------------------------------------------

    async def sessions_changed(self, db: AsyncSession, changes: Sequence[SessionChange]) -> None:
        """Announce new IFLA sessions in the window; tell the channel of changes it was told of."""
        if self.channel is None or not changes:
            return
        now = self._clock.now()
        ids = [change.session_id for change in changes]
        rows = await schedule.sessions_by_ids(db, ids)
        announced = await outbox.live_keys(db, [announce_key(i) for i in ids])
        for change in changes:
            row = rows.get(change.session_id)
            if row is None or not row.is_ifla:
                self._forget_live(change.session_id)
                continue
            if announce_key(row.id) in announced:
                if change.needs_notice:
                    await self._queue_change(db, row, change, now)
            elif self._in_window(row, now):
                await self._queue_announcement(db, row, now)
            self._plan_live(row, now)

    async def news_arrived(self, db: AsyncSession, items: Sequence[NewsItem]) -> None:
        """One post per new entry (the feed's first poll never reaches us)."""
        if self.channel is None or not items:
            return
        now = self._clock.now()
        for item in items:
            message = self._message(
                news_key(item),
                "news",
                posts.news_post(self._ctx, item),
                now,
                Priority.BULK,
                preview=item.link is not None,
            )
            await outbox.enqueue(db, message, now=now)

    # -- timed -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Plan the tick, log what can no longer be posted, and post what is due now."""
        if self.channel is None:
            log.info("announcements are off: announce_chat_id is not set")
            return
        self._jobs.every("announce:tick", TICK_SECONDS)
        try:
            await self._log_missed()
            await self.run_due()
        except Exception:
            # The bot still answers people; the tick tries again in a minute.
            log.exception("announcements could not catch up on start")

    def stop(self) -> None:
        self._jobs.clear()

    async def run_due(self) -> int:
        """Queue every post due now (idempotent), plan exact jobs for what is near; how many."""
        if self.channel is None:
            return 0
        async with self._lock:
            now = self._clock.now()
            async with self._database.transaction() as db:
                window = await self._window(db, now)
                queued = await self._announce_new(db, window, now)
                queued += await self._queue_live(db, window, now)
                queued += await self._queue_digest(db, now)
                self._plan(window, now)
        return queued

    # -- what is due -----------------------------------------------------------------------

    def _in_window(self, session: Session, now: datetime) -> bool:
        lookahead = timedelta(hours=self._settings.announce.lookahead_hours)
        return (
            not (session.cancelled or session.vanished)
            and session.end_at > now
            and session.start_at <= now + lookahead
        )

    async def _window(self, db: AsyncSession, now: datetime) -> list[Session]:
        """IFLA sessions not over and starting within the lookahead window."""
        lookahead = timedelta(hours=self._settings.announce.lookahead_hours)
        return await schedule.ifla_sessions(db, start_before=now + lookahead, end_after=now)

    async def _announce_new(self, db: AsyncSession, window: list[Session], now: datetime) -> int:
        known = await outbox.live_keys(db, [announce_key(row.id) for row in window])
        queued = 0
        for row in window:
            if announce_key(row.id) not in known:
                queued += await self._queue_announcement(db, row, now)
        return queued

    def _live_wanted(self, session: Session) -> bool:
        return (
            self._settings.announce.starting_now
            and session.is_ifla
            and not (session.cancelled or session.vanished or session.all_day)
        )

    async def _queue_live(self, db: AsyncSession, window: list[Session], now: datetime) -> int:
        running = [row for row in window if row.start_at <= now and self._live_wanted(row)]
        posted = await outbox.live_keys(db, [live_key(row.id) for row in running])
        queued = 0
        for row in running:
            if live_key(row.id) not in posted:
                text = posts.starting_now(self._ctx, row)
                message = self._message(
                    live_key(row.id), "live", text, now, Priority.REMINDER, session=row
                )
                queued += await outbox.enqueue(db, message, now=now)
        return queued

    def _digest_day_start(self, now: datetime) -> datetime | None:
        """Today's digest moment (venue-local), or None when there is no digest."""
        at = self._settings.announce.digest_at
        if at is None:
            return None
        zone = self._settings.zone
        return datetime.combine(now.astimezone(zone).date(), at, zone)

    async def _queue_digest(self, db: AsyncSession, now: datetime) -> int:
        moment = self._digest_day_start(now)
        if moment is None or now < moment:
            return 0
        day = moment.date()
        if not await chats.mark_once(db, f"announce:digest:{day.isoformat()}", now):
            return 0
        zone = self._settings.zone
        day_end = datetime.combine(day + timedelta(days=1), time(0), zone)
        rows = await schedule.ifla_sessions(
            db, start_from=datetime.combine(day, time(0), zone), start_before=day_end, end_after=now
        )
        if not rows:
            log.info("no IFLA sessions left on %s: no digest", day)
            return 0
        message = self._message(
            f"digest:{day.isoformat()}",
            "digest",
            posts.digest(self._ctx, day, rows),
            now,
            Priority.ANNOUNCEMENT,
            expires=day_end,
        )
        return int(await outbox.enqueue(db, message, now=now))

    async def _log_missed(self) -> None:
        """Posts due while the bot was down and no longer relevant: a log line each."""
        now = self._clock.now()
        async with self._database.transaction() as db:
            if self._settings.announce.starting_now:
                rows = await schedule.ifla_sessions(
                    db, start_from=now - MISSED_LOOKBACK, start_before=now
                )
                ended = [row for row in rows if row.end_at <= now and self._live_wanted(row)]
                posted = await outbox.live_keys(db, [live_key(row.id) for row in ended])
                for row in ended:
                    if live_key(row.id) not in posted and await chats.mark_once(
                        db, f"announce:missed:{live_key(row.id)}", now
                    ):
                        log.warning(
                            "session %s ended while the bot was down: starting-now post dropped",
                            row.id,
                        )
            moment = self._digest_day_start(now)
            if moment is not None:
                yesterday = moment.date() - timedelta(days=1)
                zone = self._settings.zone
                start = datetime.combine(yesterday, time(0), zone)
                had = await schedule.ifla_sessions(
                    db,
                    start_from=start,
                    start_before=datetime.combine(moment.date(), time(0), zone),
                )
                if had and await chats.mark_once(
                    db, f"announce:digest:{yesterday.isoformat()}", now
                ):
                    log.warning(
                        "the digest of %s was due while the bot was down: dropped", yesterday
                    )

    # -- queueing --------------------------------------------------------------------------

    async def _queue_announcement(self, db: AsyncSession, session: Session, now: datetime) -> int:
        text = posts.announcement(self._ctx, session)
        message = self._message(
            announce_key(session.id), "announce", text, now, Priority.ANNOUNCEMENT, session=session
        )
        return int(await outbox.enqueue(db, message, now=now))

    async def _queue_change(
        self, db: AsyncSession, session: Session, change: SessionChange, now: datetime
    ) -> int:
        text = posts.change_notice(self._ctx, session, change)
        opposite = _OPPOSITE.get(change.kind)
        round_ = 0
        if opposite is not None:
            prefix = f"change:{change.session_id}:{opposite.value}:"
            round_ = await outbox.count_keys(db, prefix)
        message = self._message(
            change_key(change, round_), "change", text, now, Priority.CHANGE, session=session
        )
        return int(await outbox.enqueue(db, message, now=now))

    def _message(
        self,
        key: str,
        kind: str,
        text: str,
        now: datetime,
        priority: int,
        *,
        session: Session | None = None,
        expires: datetime | None = None,
        preview: bool = False,
    ) -> NewMessage:
        assert self.channel is not None
        payload = html_message(self.channel, text, preview=preview)
        if session is not None and expires is None and kind != "change":
            expires = session.end_at
        return NewMessage(
            key=key,
            chat_id=self.channel,
            kind=kind,
            payload=payload,
            not_before=now,
            priority=priority,
            expires_at=expires,
            session_id=session.id if session is not None else None,
        )

    # -- planning jobs ---------------------------------------------------------------------

    def _plan(self, window: list[Session], now: datetime) -> None:
        """Exact jobs for IFLA sessions starting within the window and for the next digest."""
        for row in window:
            if row.start_at >= now:
                self._plan_live(row, now)
        moment = self._digest_day_start(now)
        if moment is not None:
            if moment <= now:
                moment = self._digest_day_start(now + timedelta(days=1)) or moment
            self._jobs.at("announce:digest", moment)

    def _plan_live(self, session: Session, now: datetime) -> None:
        if not self._live_wanted(session) or not self._in_window(session, now):
            self._forget_live(session.id)
        else:
            self._jobs.at(f"announce:{live_key(session.id)}", max(session.start_at, now))

    def _forget_live(self, session_id: int) -> None:
        self._jobs.drop(f"announce:{live_key(session_id)}")
