"""An injectable clock, so tests and the demo can move time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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
    """Time running ``speed`` times faster than real time from ``origin`` (the rehearsal demo).

    It can be held: while anyone holds it, it stands still, and it goes on from there when
    the last one lets go. The rehearsal holds it while the bot works (a reply on its way,
    messages due in the outbox), so the bot's real-time lag costs the story no time.
    """

    def __init__(self, origin: datetime, speed: float, real: Clock | None = None) -> None:
        self._real = real or SystemClock()
        self._origin = origin.astimezone(UTC)
        self._started = self._real.now()
        self.speed = speed
        self._holds = 0
        self._held_since: datetime | None = None
        self._stood = timedelta(0)  # real time spent held, which does not count
        # Set by whoever holds it while the outbox sends (bot.demo.hold): sending is free.
        self.held_while_sending = False

    @property
    def held(self) -> bool:
        return self._holds > 0

    def hold(self) -> None:
        """Stop the clock until a matching ``release`` (holds nest)."""
        if self._holds == 0:
            self._held_since = self._real.now()
        self._holds += 1

    def release(self) -> None:
        if self._holds == 0:
            raise RuntimeError("ScaledClock.release without a hold")
        self._holds -= 1
        if self._holds == 0 and self._held_since is not None:
            self._stood += self._real.now() - self._held_since
            self._held_since = None

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the clock for the ``with`` block."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    def now(self) -> datetime:
        real = self._held_since if self._held_since is not None else self._real.now()
        elapsed = real - self._started - self._stood
        return self._origin + elapsed * self.speed
