"""The reminder planner's jobs in PTB's JobQueue: named, replaced, never pickled.

The planner decides; this board only makes the JobQueue hold exactly the jobs it asked for.
A job whose name and due time are unchanged is left alone, so re-planning after every
programme poll does not churn thousands of jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.reminders.planner import PlannedJob
from bot.scheduling import real_delay

log = logging.getLogger(__name__)

# Run late rather than never: a job whose moment passed while the loop was busy (a big
# fan-out) must still ring; two missed rings of one job are one.
_JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True}


# Real seconds a job may ring before its moment and still run (loop and clock granularity).
EARLY_SECONDS = 0.005


class JobQueueBoard:
    """A ``bot.reminders.planner.JobBoard`` on PTB's JobQueue."""

    def __init__(self, job_queue: JobQueue[Any], clock: Clock) -> None:
        self._queue = job_queue
        self._clock = clock

    async def _ring(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        job = context.job
        if job is None or not isinstance(job.data, PlannedJob):
            return
        plan = job.data
        left = real_delay(self._clock, plan.due.ring_at)
        if left > EARLY_SECONDS:  # the rehearsal's clock was held meanwhile: not yet
            self._arm(plan, left)
            return
        try:
            await plan.run()
        except Exception:
            log.exception("reminder job %s failed; the next plan will try again", job.name)

    def _arm(self, plan: PlannedJob, delay: float) -> None:
        self._queue.run_once(
            self._ring, when=delay, data=plan, name=plan.name, job_kwargs=_JOB_KWARGS
        )

    def replace_all(self, prefix: str, jobs: Sequence[PlannedJob]) -> None:
        wanted = {job.name: job for job in jobs}
        kept: set[str] = set()
        for existing in self._queue.jobs():
            name = existing.name or ""
            if not name.startswith(prefix):
                continue
            plan, current = wanted.get(name), existing.data
            if (
                plan is not None
                and isinstance(current, PlannedJob)
                and current.due == plan.due
                and name not in kept
            ):
                kept.add(name)
                continue
            existing.schedule_removal()
        for name, plan in wanted.items():
            if name not in kept:
                self._arm(plan, plan.delay)

    def names(self, prefix: str) -> list[str]:
        """The jobs held under ``prefix`` (for tests and logs)."""
        return sorted(
            job.name for job in self._queue.jobs() if job.name and job.name.startswith(prefix)
        )
