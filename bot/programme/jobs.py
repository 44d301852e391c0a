"""The announcer's timed jobs: named moments that call one callback, kept in step with the
programme. Re-planning a job for the moment it already has is free, so the announcer can
plan from the database as often as it likes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

JobCallback = Callable[[], Awaitable[object]]


class Timer(Protocol):
    """Timed callbacks by name (a PTB JobQueue in the bot); a name set again is replaced."""

    def at(self, name: str, when: datetime, callback: JobCallback) -> None: ...
    def every(self, name: str, seconds: float, callback: JobCallback) -> None: ...
    def cancel(self, name: str) -> None: ...
    def cancel_all(self) -> None: ...


class JobPlan:
    """Which one-off jobs are planned for when; without a timer it plans nothing."""

    def __init__(self, timer: Timer | None, callback: JobCallback) -> None:
        self._timer = timer
        self._callback = callback
        self._planned: dict[str, datetime] = {}

    def every(self, name: str, seconds: float) -> None:
        if self._timer is not None:
            self._timer.every(name, seconds, self._callback)

    def at(self, name: str, when: datetime) -> None:
        """(Re)plan ``name`` at ``when``; a job already planned for that moment stays."""
        if self._timer is None or self._planned.get(name) == when:
            return
        self._planned[name] = when
        self._timer.at(name, when, self._callback)

    def drop(self, name: str) -> None:
        if self._timer is not None and self._planned.pop(name, None) is not None:
            self._timer.cancel(name)

    def clear(self) -> None:
        self._planned.clear()
        if self._timer is not None:
            self._timer.cancel_all()
