"""Bot time to real seconds, for the system clock and a compressed demo clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FrozenClock, ScaledClock
from bot.scheduling import real_delay, real_interval

START = datetime(2026, 6, 23, 8, 0, tzinfo=UTC)


def test_real_clock_delay_is_the_time_left() -> None:
    clock = FrozenClock(START)
    assert real_delay(clock, START + timedelta(minutes=5)) == 300
    assert real_delay(clock, START - timedelta(minutes=5)) == 0


def test_compressed_clock_divides_by_speed() -> None:
    clock = ScaledClock(START, speed=1440, real=FrozenClock(START))
    assert real_delay(clock, START + timedelta(days=1)) == pytest.approx(60)
    assert real_interval(clock, timedelta(minutes=15)) == pytest.approx(0.625)


def test_a_held_clock_stands_still_and_goes_on_from_there() -> None:
    real = FrozenClock(START)
    clock = ScaledClock(START, speed=60, real=real)
    real.advance(timedelta(seconds=1))
    assert clock.now() == START + timedelta(minutes=1)
    clock.hold()
    with clock.holding():  # holds nest
        real.advance(timedelta(seconds=10))
    assert clock.held
    real.advance(timedelta(seconds=10))
    assert clock.now() == START + timedelta(minutes=1)
    clock.release()
    assert not clock.held
    real.advance(timedelta(seconds=2))
    assert clock.now() == START + timedelta(minutes=3)
    with pytest.raises(RuntimeError):
        clock.release()
