"""Long polling of our own: an offset moves past updates only once the inbox holds them.

Telegram counts an update delivered when a later ``getUpdates`` asks past it, so the next
call (which carries the offset) starts only after ``Intake.accept`` committed the batch. A
crash in between costs nothing: the same updates come again, and the inbox knows them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.intake.botapi import BotApiError, BotApiUnreachable, IntakeApi
from bot.intake.service import Intake, IntakeClosed

log = logging.getLogger(__name__)

CONFLICT = 409


class PollingFetcher:
    """Feeds the intake from ``getUpdates`` until stopped."""

    def __init__(
        self,
        api: IntakeApi,
        intake: Intake,
        *,
        allowed_updates: list[str] | None = None,
        poll_timeout: int = 10,
        max_backoff: float = 5.0,
    ) -> None:
        self._api = api
        self._intake = intake
        self._allowed = allowed_updates
        self._poll_timeout = poll_timeout
        self._max_backoff = max_backoff
        self._task: asyncio.Task[None] | None = None
        self.polls = 0

    async def start(self) -> None:
        """Leave webhook mode (keeping what Telegram holds) and start polling."""
        await self._api.delete_webhook()
        self._task = asyncio.create_task(self._run(), name="polling-fetcher")

    async def stop(self) -> None:
        """Stop polling (a batch not stored yet is simply fetched again next time)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        offset: int | None = None
        failures = 0
        while True:
            await self._intake.wait_capacity()
            try:
                updates = await self._api.get_updates(
                    offset, poll_seconds=self._poll_timeout, allowed_updates=self._allowed
                )
                self.polls += 1
                if updates:
                    await self._intake.accept(updates)
                    offset = max(update["update_id"] for update in updates) + 1
                failures = 0
            except IntakeClosed:
                return
            except (BotApiError, BotApiUnreachable, OSError) as exc:
                failures += 1
                delay = self._delay(exc, failures)
                if isinstance(exc, BotApiError) and exc.status == CONFLICT:
                    log.error("getUpdates: %s (is another instance polling?)", exc.description)
                else:
                    log.warning("getUpdates failed (%s); again in %.1fs", exc, delay)
                await asyncio.sleep(delay)
            except Exception as exc:  # the database: keep the offset, try the batch again
                failures += 1
                delay = self._delay(exc, failures)
                log.warning("could not store updates (%r); again in %.1fs", exc, delay)
                await asyncio.sleep(delay)

    def _delay(self, exc: Exception, failures: int) -> float:
        if isinstance(exc, BotApiError) and exc.retry_after is not None:
            return float(exc.retry_after)
        return min(0.1 * 2.0 ** (failures - 1), self._max_backoff)
