"""Ingestion: poll each source on its own schedule, store what changed, tell the listeners.

One poll is a straight line: fetch (conditional GET) -> skip if unchanged -> parse in a
thread -> store and emit events in one transaction -> schedule the next poll. Every source is
isolated: its failure is recorded on its own row (with backoff and a once-a-day report to the
admins) and never stops or delays the others beyond the shared concurrency bound. Unchanged
polls, most of any cycle, are written together once the cycle ends (``SourceLedger.flush``):
a transaction per 304 cost three times the request itself.

A source's first successful poll sets the baseline and emits no events (no ADDED flood for a
new programme, no reposted archive for a new feed); later polls emit what changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import Translator, default_translator
from bot.ingest import reports
from bot.ingest.diff import stored_key
from bot.ingest.errors import ParseError
from bot.ingest.fetch import Fetcher, FetchError, FetchResult, FetchStatus, Validators
from bot.ingest.ledger import SourceLedger, configured_values, display_name, health_of
from bot.ingest.outcomes import ImportSummary, PollOutcome, PollStatus, SourceHealth
from bot.ingest.records import ParseResult
from bot.ingest.registry import parse_programme
from bot.ingest.store import ProgrammeRefused, store_news, store_programme
from bot.programme.events import ChangeKind, ProgrammeListener, SessionChange
from bot.programme.filter import KeywordMatcher
from config.settings import Settings
from storage.db import Database
from storage.models import Source
from storage.repos import programme

log = logging.getLogger(__name__)

Parse = Callable[..., ParseResult]


def sheet_of(sheet: str | None) -> dict[str, str]:
    """The ``sheet`` argument for a parse, only when one is named (a parser handed in by a
    test or a plug-in need not know the parameter)."""
    return {"sheet": sheet} if sheet else {}


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
        self._parse = parse
        self._slots = asyncio.Semaphore(concurrency)
        self._ledger = SourceLedger(
            database,
            clock,
            settings,
            translator or default_translator(),
            jitter=jitter,
            rng=rng or random.Random(),
            down_report_after=down_report_after,
        )
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
                        token=config.token_value,
                        sheet=config.sheet,
                    )
                else:
                    await programme.update_source(
                        db, source.id, **configured_values(source, config, now)
                    )
                ids.append(source.id)
            await programme.disable_sources_except(db, ids)
        return ids

    async def source_health(self) -> list[SourceHealth]:
        async with self.database.transaction() as db:
            sources = await programme.list_sources(db)
        return [health_of(source) for source in sources]

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
        try:
            return await self._poll_isolated(source)
        finally:
            await self._ledger.flush()

    async def _poll_many(self, sources: Sequence[Source]) -> list[PollOutcome]:
        """Poll concurrently; the unchanged ones are recorded together once all are done."""
        try:
            return list(await asyncio.gather(*(self._poll_isolated(s) for s in sources)))
        finally:
            await self._ledger.flush()

    async def _poll_isolated(self, source: Source) -> PollOutcome:
        if source.id in self._in_flight or self._ledger.is_pending(source.id):
            return PollOutcome(source.id, display_name(source), PollStatus.SKIPPED)
        self._in_flight.add(source.id)
        try:
            async with self._slots:
                return await self._poll(source)
        except Exception as exc:  # a bug or a database hiccup must not stop the other sources
            log.exception("polling source %s failed unexpectedly", source.id)
            return await self._ledger.record_failure_quietly(
                source, f"internal error ({type(exc).__name__})"
            )
        finally:
            self._in_flight.discard(source.id)

    async def _poll(self, source: Source) -> PollOutcome:
        validators = Validators(source.etag, source.last_modified)
        try:
            fetched = await self.fetcher.fetch(
                source.permanent_url or source.url, validators, token=source.token
            )
        except FetchError as exc:
            return await self._ledger.record_failure(
                source, exc.reason, retry_after=exc.retry_after
            )
        if fetched.status is FetchStatus.NOT_MODIFIED:
            self._ledger.defer_success(source, fetched)
            return PollOutcome(
                source.id, display_name(source), PollStatus.NOT_MODIFIED, items=source.item_count
            )
        digest = self._digest(source, fetched.body)
        if digest == source.content_hash:
            self._ledger.defer_success(source, fetched)
            return PollOutcome(
                source.id, display_name(source), PollStatus.UNCHANGED, items=source.item_count
            )
        try:
            parsed = await asyncio.to_thread(
                self._parse,
                fetched.body,
                format=source.format,
                venue_tz=source.timezone or self.settings.timezone,
                content_type=fetched.content_type,
                url=fetched.final_url,
                **sheet_of(source.sheet),
            )
        except ParseError as exc:
            return await self._ledger.record_failure(source, f"cannot read the programme: {exc}")
        for warning in parsed.warnings[:5]:
            log.info("source %s: %s", source.id, warning)
        try:
            return await self._store(source, parsed, digest, fetched, confirmed=False)
        except ProgrammeRefused as exc:
            if exc.hold:
                return await self._ledger.record_hold(source, exc.reason, digest)
            return await self._ledger.record_failure(source, exc.reason)

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
                    c
                    if source.initialised or c.kind is not ChangeKind.ADDED
                    else replace(c, kind=ChangeKind.BASELINE)
                    for c in changes
                ]
                if notify:
                    for listener in self._listeners():
                        await listener.sessions_changed(db, notify)
            success = self._ledger.success_values(source, fetched)
            success.update(content_hash=digest, held_hash=None, item_count=items, initialised=True)
            if not source.name and parsed.title:
                success["name"] = parsed.title[:255]
            await programme.update_source(db, source.id, **success)
            await self._ledger.report_recovery(db, source)
        return PollOutcome(
            source.id,
            display_name(source),
            PollStatus.UPDATED,
            changes=tuple(changes),
            new_entries=new_entries,
            items=items,
        )

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
        sheet: str | None = None,
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
            **sheet_of(sheet),
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
                    sheet=sheet,
                    interval_seconds=900,
                    enabled=False,
                    now=now,
                )
            before = {row.key: row.id for row in await programme.sessions_of_source(db, source.id)}
        outcome = await self._store(
            source, parsed, self._digest(source, data), None, confirmed=True
        )
        return ImportSummary.tally(
            source_id=source.id,
            format=parsed.format,
            records=[(stored_key(record.key), record.cancelled) for record in parsed.sessions],
            before=before,
            changes=outcome.changes,
            entries=len(parsed.entries),
            new_entries=outcome.new_entries,
            warnings=parsed.warnings,
            floating_times=parsed.floating_times,
        )
