"""Ingestion: poll each source on its own schedule, store what changed, tell the listeners.

One poll is a straight line: fetch (conditional GET) -> skip if unchanged -> parse in a
thread -> store and emit events in one transaction -> schedule the next poll. Every source is
isolated: its failure is recorded on its own row (with backoff and a once-a-day report to the
admins) and never stops or delays the others beyond the shared concurrency bound.

A source's first successful poll sets the baseline and emits no events (no ADDED flood for a
new programme, no reposted archive for a new feed); later polls emit what changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import Translator, default_translator
from bot.ingest import reports
from bot.ingest.errors import ParseError
from bot.ingest.fetch import Fetcher, FetchError, FetchResult, FetchStatus, Validators
from bot.ingest.outcomes import ImportSummary, PollOutcome, PollStatus, SourceHealth
from bot.ingest.records import ParseResult
from bot.ingest.registry import parse_programme
from bot.ingest.schedule import next_poll_at
from bot.ingest.store import ProgrammeRefused, store_news, store_programme
from bot.programme.events import ChangeKind, ProgrammeListener, SessionChange
from bot.programme.filter import KeywordMatcher
from config.settings import Settings, SourceSettings
from storage.db import Database
from storage.models import Source
from storage.repos import programme

log = logging.getLogger(__name__)

Parse = Callable[..., ParseResult]


class IngestionService:
    def __init__(
        self,
        database: Database,
        fetcher: Fetcher,
        clock: Clock,
        settings: Settings,
        listeners: Callable[[], Sequence[ProgrammeListener]],
        *,
        translator: Translator | None = None,
        wake_sender: Callable[[], None] = lambda: None,
        parse: Parse = parse_programme,
        concurrency: int = 8,
        jitter: float = 0.1,
        rng: random.Random | None = None,
        down_report_after: timedelta = reports.DOWN_REPORT_AFTER,
    ) -> None:
        self.database = database
        self.fetcher = fetcher
        self.clock = clock
        self.settings = settings
        self._listeners = listeners
        self._translator = translator or default_translator()
        self._wake_sender = wake_sender
        self._parse = parse
        self._slots = asyncio.Semaphore(concurrency)
        self._jitter = jitter
        self._rng = rng or random.Random()
        self._down_after = down_report_after
        self._matcher = KeywordMatcher(settings.filter.keywords)
        self._in_flight: set[int] = set()

    # --- sources ----------------------------------------------------------------------

    async def sync_configured_sources(self) -> list[int]:
        """Make the sources table match ``settings.sources``; returns the configured ids."""
        now = self.clock.now()
        ids: list[int] = []
        async with self.database.transaction() as db:
            for config in self.settings.sources:
                source = await programme.get_source_by_url(db, config.url)
                if source is None:
                    source = await programme.add_source(
                        db,
                        url=config.url,
                        name=config.name,
                        format=config.format,
                        timezone=config.timezone,
                        interval_seconds=config.interval,
                        enabled=True,
                        now=now,
                    )
                else:
                    await programme.update_source(
                        db, source.id, **_reconfigured(source, config, now)
                    )
                ids.append(source.id)
            await programme.disable_sources_except(db, ids)
        return ids

    async def source_health(self) -> list[SourceHealth]:
        async with self.database.transaction() as db:
            sources = await programme.list_sources(db)
        return [_health(source) for source in sources]

    # --- polling ----------------------------------------------------------------------

    async def poll_due(self) -> list[PollOutcome]:
        """Poll every enabled source whose time has come, concurrently, each on its own."""
        async with self.database.transaction() as db:
            sources = await programme.due_sources(db, self.clock.now())
        return await self._poll_many(sources)

    async def poll_all(self) -> list[PollOutcome]:
        """Poll every enabled source now (the admin's /poll)."""
        async with self.database.transaction() as db:
            sources = await programme.enabled_sources(db)
        return await self._poll_many(sources)

    async def poll_source(self, source_id: int) -> PollOutcome:
        async with self.database.transaction() as db:
            source = await programme.get_source(db, source_id)
        if source is None:
            raise UserFacingError("ingest.unknown_source", source_id=source_id)
        return await self._poll_isolated(source)

    async def _poll_many(self, sources: Sequence[Source]) -> list[PollOutcome]:
        outcomes = await asyncio.gather(*(self._poll_isolated(source) for source in sources))
        if any(o.changes or o.new_entries for o in outcomes):
            self._wake_sender()
        return list(outcomes)

    async def _poll_isolated(self, source: Source) -> PollOutcome:
        if source.id in self._in_flight:
            return PollOutcome(source.id, _name(source), PollStatus.SKIPPED)
        self._in_flight.add(source.id)
        try:
            async with self._slots:
                return await self._poll(source)
        except Exception as exc:  # a bug or a database hiccup must not stop the other sources
            log.exception("polling source %s failed unexpectedly", source.id)
            return await self._fail_quietly(source, f"internal error ({type(exc).__name__})")
        finally:
            self._in_flight.discard(source.id)

    async def _poll(self, source: Source) -> PollOutcome:
        validators = Validators(source.etag, source.last_modified)
        try:
            fetched = await self.fetcher.fetch(source.permanent_url or source.url, validators)
        except FetchError as exc:
            return await self._failed(source, exc.reason, retry_after=exc.retry_after)
        if fetched.status is FetchStatus.NOT_MODIFIED:
            await self._succeeded_without_parse(source, fetched)
            return PollOutcome(
                source.id, _name(source), PollStatus.NOT_MODIFIED, items=source.item_count
            )
        digest = self._digest(source, fetched.body)
        if digest == source.content_hash:
            await self._succeeded_without_parse(source, fetched)
            return PollOutcome(
                source.id, _name(source), PollStatus.UNCHANGED, items=source.item_count
            )
        try:
            parsed = await asyncio.to_thread(
                self._parse,
                fetched.body,
                format=source.format,
                venue_tz=source.timezone or self.settings.timezone,
                content_type=fetched.content_type,
                url=fetched.final_url,
            )
        except ParseError as exc:
            return await self._failed(source, f"cannot read the programme: {exc}")
        for warning in parsed.warnings[:5]:
            log.info("source %s: %s", source.id, warning)
        try:
            return await self._store(source, parsed, digest, fetched, confirmed=False)
        except ProgrammeRefused as exc:
            if exc.hold:
                return await self._hold(source, exc.reason, digest)
            return await self._failed(source, exc.reason)

    async def _store(
        self,
        source: Source,
        parsed: ParseResult,
        digest: str,
        fetched: FetchResult | None,
        *,
        confirmed: bool,
    ) -> PollOutcome:
        """Store a parse and tell the listeners, all in one transaction."""
        now = self.clock.now()
        changes: list[SessionChange] = []
        async with self.database.transaction() as db:
            if parsed.format == "news":
                news = await store_news(db, source, parsed.entries, now=now)
                items, new_entries = news.entries, news.new_entries
                if news.items:
                    for listener in self._listeners():
                        await listener.news_arrived(db, news.items)
            else:
                changes = await store_programme(
                    db,
                    source,
                    parsed.sessions,
                    matcher=self._matcher,
                    now=now,
                    confirmed=confirmed or source.held_hash == digest,
                )
                items, new_entries = len(parsed.sessions), 0
                notify = [
                    c for c in changes if source.initialised or c.kind is not ChangeKind.ADDED
                ]
                if notify:
                    for listener in self._listeners():
                        await listener.sessions_changed(db, notify)
            success = self._success_values(source, fetched)
            success.update(content_hash=digest, held_hash=None, item_count=items, initialised=True)
            if not source.name and parsed.title:
                success["name"] = parsed.title[:255]
            await programme.update_source(db, source.id, **success)
            await self._report_recovery(db, source)
        return PollOutcome(
            source.id,
            _name(source),
            PollStatus.UPDATED,
            changes=tuple(changes),
            new_entries=new_entries,
            items=items,
        )

    async def _succeeded_without_parse(self, source: Source, fetched: FetchResult) -> None:
        async with self.database.transaction() as db:
            await programme.update_source(db, source.id, **self._success_values(source, fetched))
            await self._report_recovery(db, source)

    def _success_values(self, source: Source, fetched: FetchResult | None) -> dict[str, Any]:
        now = self.clock.now()
        values: dict[str, Any] = {
            "last_success_at": now,
            "consecutive_failures": 0,
            "failing_since": None,
            "down_reported": False,
        }
        if source.enabled:
            values["next_poll_at"] = next_poll_at(
                now, source.interval_seconds, jitter=self._jitter, rng=self._rng
            )
        if fetched is not None:
            values["etag"] = fetched.validators.etag
            values["last_modified"] = fetched.validators.last_modified
            if fetched.permanent_url:
                values["permanent_url"] = fetched.permanent_url
        return values

    async def _report_recovery(self, db: Any, source: Source) -> None:
        if source.down_reported and source.failing_since is not None:
            log.info("source %s is back after failing since %s", source.id, source.failing_since)
            await reports.queue_source_up(
                db,
                self.settings,
                self._translator,
                source=source,
                failing_since=source.failing_since,
                now=self.clock.now(),
            )
            self._wake_sender()

    async def _failed(
        self, source: Source, reason: str, *, retry_after: float | None = None
    ) -> PollOutcome:
        now = self.clock.now()
        failures = source.consecutive_failures + 1
        failing_since = source.failing_since or now
        report = not source.down_reported and now - failing_since >= self._down_after
        log.warning(
            "source %s (%s) failed (%d in a row): %s", source.id, source.url, failures, reason
        )
        async with self.database.transaction() as db:
            await programme.update_source(
                db,
                source.id,
                last_error=reason[:1000],
                last_error_at=now,
                consecutive_failures=failures,
                failing_since=failing_since,
                down_reported=source.down_reported or report,
                next_poll_at=next_poll_at(
                    now,
                    source.interval_seconds,
                    failures=failures,
                    retry_after=retry_after,
                    jitter=self._jitter,
                    rng=self._rng,
                )
                if source.enabled
                else None,
            )
            if report:
                await reports.queue_source_down(
                    db,
                    self.settings,
                    self._translator,
                    source=source,
                    failing_since=failing_since,
                    error=reason,
                    now=now,
                )
        if report:
            self._wake_sender()
        return PollOutcome(source.id, _name(source), PollStatus.FAILED, error=reason)

    async def _fail_quietly(self, source: Source, reason: str) -> PollOutcome:
        try:
            return await self._failed(source, reason)
        except Exception:
            log.exception("could not record the failure of source %s", source.id)
            return PollOutcome(source.id, _name(source), PollStatus.FAILED, error=reason)

    async def _hold(self, source: Source, reason: str, digest: str) -> PollOutcome:
        """Keep the programme as it is and fetch in full next time (no validators kept)."""
        now = self.clock.now()
        log.warning("source %s: %s", source.id, reason)
        async with self.database.transaction() as db:
            await programme.update_source(
                db,
                source.id,
                held_hash=digest,
                last_error=reason[:1000],
                last_error_at=now,
                etag=None,
                last_modified=None,
                next_poll_at=next_poll_at(
                    now, source.interval_seconds, jitter=self._jitter, rng=self._rng
                )
                if source.enabled
                else None,
            )
        return PollOutcome(source.id, _name(source), PollStatus.HELD, error=reason)

    def _digest(self, source: Source, body: bytes) -> str:
        """The body plus everything that changes how it is read: same digest, same result."""
        reading = "\x1f".join(
            [
                source.format or "",
                source.timezone or self.settings.timezone,
                *self._matcher.keywords,
            ]
        )
        return hashlib.sha256(reading.encode() + b"\x00" + body).hexdigest()

    # --- the command line -------------------------------------------------------------

    async def import_bytes(
        self,
        data: bytes,
        *,
        source_url: str,
        format: str | None,
        venue_tz: str,
        content_type: str | None = None,
    ) -> ImportSummary:
        """Parse and store a programme given by hand (``remotehub import``); raises ParseError
        or ProgrammeRefused. The source is created if new, and not polled unless configured."""
        parsed = await asyncio.to_thread(
            self._parse,
            data,
            format=format,
            venue_tz=venue_tz,
            content_type=content_type,
            url=source_url,
        )
        now = self.clock.now()
        async with self.database.transaction() as db:
            source = await programme.get_source_by_url(db, source_url)
            if source is None:
                source = await programme.add_source(
                    db,
                    url=source_url,
                    name=parsed.title,
                    format=format,
                    timezone=venue_tz,
                    interval_seconds=900,
                    enabled=False,
                    now=now,
                )
        outcome = await self._store(
            source, parsed, self._digest(source, data), None, confirmed=True
        )
        return ImportSummary.from_changes(
            source_id=source.id,
            format=parsed.format,
            sessions=len(parsed.sessions),
            entries=len(parsed.entries),
            changes=outcome.changes,
            new_entries=outcome.new_entries,
            warnings=parsed.warnings,
        )


def _name(source: Source) -> str:
    return source.name or source.url


def _reconfigured(source: Source, config: SourceSettings, now: datetime) -> dict[str, Any]:
    """Apply the configuration; a change in how the source is read forces a full re-read."""
    values: dict[str, Any] = {
        "name": config.name or source.name,
        "interval_seconds": config.interval,
        "enabled": True,
        "format": config.format,
        "timezone": config.timezone,
    }
    if config.format != source.format or config.timezone != source.timezone:
        values.update(etag=None, last_modified=None, content_hash=None)
    if not source.enabled or source.next_poll_at is None:
        values["next_poll_at"] = now
    elif config.interval != source.interval_seconds:
        values["next_poll_at"] = min(source.next_poll_at, now + timedelta(seconds=config.interval))
    return values


def _health(source: Source) -> SourceHealth:
    return SourceHealth(
        source_id=source.id,
        name=_name(source),
        url=source.url,
        format=source.format,
        enabled=source.enabled,
        last_success_at=source.last_success_at,
        last_error_at=source.last_error_at,
        last_error=source.last_error,
        items=source.item_count,
        failing_since=source.failing_since,
        consecutive_failures=source.consecutive_failures,
        next_poll_at=source.next_poll_at,
        permanent_url=source.permanent_url,
    )
