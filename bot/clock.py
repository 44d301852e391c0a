"""An injectable clock, so tests and the demo can move time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


class ScaledClock:
    """Time running ``speed`` times faster than real time from ``origin`` (the rehearsal demo)."""

    def __init__(self, origin: datetime, speed: float, real: Clock | None = None) -> None:
        self._real = real or SystemClock()
        self._origin = origin.astimezone(UTC)
        self._started = self._real.now()
        self.speed = speed

    def now(self) -> datetime:
        elapsed = self._real.now() - self._started
        return self._origin + elapsed * self.speed
