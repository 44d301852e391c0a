"""The announcer's ``Timer`` on python-telegram-bot's JobQueue (the one module here that
imports ``telegram``). Jobs are rebuilt from the database on every start, never persisted.

Moments are in the bot's clock, turned into real seconds by ``bot.scheduling`` (the
rehearsal demo's clock runs faster than real time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.programme.jobs import JobCallback
from bot.scheduling import real_delay, real_interval

log = logging.getLogger(__name__)

# Real seconds a job may ring before its moment and still run (loop and clock granularity).
EARLY_SECONDS = 0.005


class JobQueueTimer:
    def __init__(self, job_queue: JobQueue[Any], clock: Clock) -> None:
        self._queue = job_queue
        self._clock = clock
        self._names: set[str] = set()

    def at(self, name: str, when: datetime, callback: JobCallback) -> None:
        self.cancel(name)
        self._arm(name, when, self._job(name, callback))
        self._names.add(name)

    def _arm(self, name: str, when: datetime, run: Any) -> None:
        """Ring at ``when`` on the bot's clock; a ring before it (the rehearsal's clock was
        held meanwhile) sets the alarm again for what is left."""

        async def ring(context: CallbackContext[Any, Any, Any, Any]) -> None:
            if real_delay(self._clock, when) > EARLY_SECONDS:
                self._arm(name, when, run)
                return
            await run(context)

        self._queue.run_once(ring, real_delay(self._clock, when), name=name)

    def every(self, name: str, seconds: float, callback: JobCallback) -> None:
        self.cancel(name)
        interval = real_interval(self._clock, timedelta(seconds=seconds))
        self._queue.run_repeating(self._job(name, callback), interval, first=interval, name=name)
        self._names.add(name)

    def cancel(self, name: str) -> None:
        for job in self._queue.get_jobs_by_name(name):
            job.schedule_removal()
        self._names.discard(name)

    def cancel_all(self) -> None:
        for name in list(self._names):
            self.cancel(name)

    @staticmethod
    def _job(name: str, callback: JobCallback) -> Any:
        async def run(_context: CallbackContext[Any, Any, Any, Any]) -> None:
            try:
                await callback()
            except Exception:
                # The tick retries in a minute; one failed pass must not stop the job.
                log.exception("announcement job %s failed", name)

        return run
