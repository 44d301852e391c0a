"""The announcer's ``Timer`` on python-telegram-bot's JobQueue (the one module here that
imports ``telegram``). Jobs are rebuilt from the database on every start, never persisted.

Moments are in the bot's clock; a clock running faster than real time (the rehearsal demo's
``ScaledClock``) has its delays shortened by its ``speed``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.programme.jobs import JobCallback

log = logging.getLogger(__name__)


class JobQueueTimer:
    def __init__(self, job_queue: JobQueue[Any], clock: Clock) -> None:
        self._queue = job_queue
        self._clock = clock
        self._names: set[str] = set()

    def _speed(self) -> float:
        speed = getattr(self._clock, "speed", 1.0)
        return float(speed) if isinstance(speed, int | float) and speed > 0 else 1.0

    def at(self, name: str, when: datetime, callback: JobCallback) -> None:
        self.cancel(name)
        delay = max(0.0, (when - self._clock.now()).total_seconds() / self._speed())
        self._queue.run_once(self._job(name, callback), delay, name=name)
        self._names.add(name)

    def every(self, name: str, seconds: float, callback: JobCallback) -> None:
        self.cancel(name)
        interval = seconds / self._speed()
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
