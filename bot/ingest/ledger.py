"""What a poll writes on its source's row: success, failure with backoff, a held programme.

Also where the once-a-day report to the admins is decided: a source failing for
``down_report_after`` is reported once (keyed by when it started failing, so a restart never
repeats it), and its recovery once more.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Translator
from bot.ingest import reports
from bot.ingest.fetch import FetchResult
from bot.ingest.outcomes import PollOutcome, PollStatus, SourceHealth
from bot.ingest.schedule import next_poll_at
from config.settings import Settings, SourceSettings
from storage.db import Database
from storage.models import Source
from storage.repos import programme

log = logging.getLogger(__name__)


class SourceLedger:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        settings: Settings,
        translator: Translator,
        *,
        jitter: float,
        rng: random.Random,
        down_report_after: timedelta,
    ) -> None:
        self.database = database
        self.clock = clock
        self.settings = settings
        self._translator = translator
        self._jitter = jitter
        self._rng = rng
        self._down_after = down_report_after
        self._pending: dict[int, tuple[Source, dict[str, Any]]] = {}

    def _next_poll(
        self, source: Source, *, failures: int = 0, retry_after: float | None = None
    ) -> datetime | None:
        if not source.enabled:
            return None
        return next_poll_at(
            self.clock.now(),
            source.interval_seconds,
            failures=failures,
            retry_after=retry_after,
            jitter=self._jitter,
            rng=self._rng,
        )

    def success_values(self, source: Source, fetched: FetchResult | None) -> dict[str, Any]:
        now = self.clock.now()
        values: dict[str, Any] = {
            "last_success_at": now,
            "consecutive_failures": 0,
            "failing_since": None,
            "down_reported": False,
        }
        if source.enabled:
            values["next_poll_at"] = self._next_poll(source)
        if fetched is not None:
            values["etag"] = fetched.validators.etag
            values["last_modified"] = fetched.validators.last_modified
            if fetched.permanent_url:
                values["permanent_url"] = fetched.permanent_url
        return values

    async def report_recovery(self, db: AsyncSession, source: Source) -> bool:
        """Queue the "works again" report if the outage was reported (True if so)."""
        if not source.down_reported or source.failing_since is None:
            return False
        log.info("source %s is back after failing since %s", source.id, source.failing_since)
        await reports.queue_source_up(
            db,
            self.settings,
            self._translator,
            source=source,
            failing_since=source.failing_since,
            now=self.clock.now(),
        )
        return True

    def defer_success(self, source: Source, fetched: FetchResult) -> None:
        """Note an unchanged poll (a 304, or the same body) for the next ``flush``.

        Most polls change nothing but timestamps; one write per cycle for all of them costs
        a fraction of a transaction per source.
        """
        self._pending[source.id] = (source, self.success_values(source, fetched))

    async def flush(self) -> None:
        """Write every deferred success in one transaction, recoveries reported with them.

        If the write fails the sources stay due and are simply polled again next time.
        """
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            async with self.database.transaction() as db:
                await programme.update_sources(
                    db, [{"id": source_id, **values} for source_id, (_, values) in pending.items()]
                )
                for source, _ in pending.values():
                    await self.report_recovery(db, source)
        except Exception:
            log.exception("could not record %d unchanged polls", len(pending))

    def is_pending(self, source_id: int) -> bool:
        """Polled, but not yet written: not to be polled again before ``flush``."""
        return source_id in self._pending

    async def record_failure(
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
                next_poll_at=self._next_poll(source, failures=failures, retry_after=retry_after),
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
        return PollOutcome(source.id, display_name(source), PollStatus.FAILED, error=reason)

    async def record_failure_quietly(self, source: Source, reason: str) -> PollOutcome:
        try:
            return await self.record_failure(source, reason)
        except Exception:
            log.exception("could not record the failure of source %s", source.id)
            return PollOutcome(source.id, display_name(source), PollStatus.FAILED, error=reason)

    async def record_hold(self, source: Source, reason: str, digest: str) -> PollOutcome:
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
                next_poll_at=self._next_poll(source),
            )
        return PollOutcome(source.id, display_name(source), PollStatus.HELD, error=reason)


def display_name(source: Source) -> str:
    return source.name or source.url


def configured_values(source: Source, config: SourceSettings, now: datetime) -> dict[str, Any]:
    """Apply the configuration; a change in how the source is read forces a full re-read."""
    values: dict[str, Any] = {
        "name": config.name or source.name,
        "interval_seconds": config.interval,
        "enabled": True,
        "format": config.format,
        "timezone": config.timezone,
        "token": config.token_value,
        "sheet": config.sheet,
    }
    if (
        config.format != source.format
        or config.timezone != source.timezone
        or config.sheet != source.sheet
        or config.token_value != source.token  # another token may see another programme
    ):
        values.update(etag=None, last_modified=None, content_hash=None)
    if not source.enabled or source.next_poll_at is None:
        values["next_poll_at"] = now
    elif config.interval != source.interval_seconds:
        values["next_poll_at"] = min(source.next_poll_at, now + timedelta(seconds=config.interval))
    return values


def health_of(source: Source) -> SourceHealth:
    return SourceHealth(
        source_id=source.id,
        name=display_name(source),
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
