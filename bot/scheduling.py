"""Turning bot time into real seconds, for JobQueue jobs and sleeps.

The bot's clock may run faster than real time (the rehearsal demo plays a forum day in about
a minute), so every "run this at 10:00" goes through ``real_delay``; nothing else divides.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock


def clock_speed(clock: Clock) -> float:
    """How many bot seconds pass per real second (1 for the system clock)."""
    speed = getattr(clock, "speed", 1.0)
    return float(speed) if speed and speed > 0 else 1.0


def real_delay(clock: Clock, when: datetime) -> float:
    """Real seconds from now until the bot's clock shows ``when`` (0 if already past)."""
    remaining = (when - clock.now()).total_seconds()
    return max(0.0, remaining / clock_speed(clock))


def real_interval(clock: Clock, interval: timedelta) -> float:
    """Real seconds for a bot-time interval (a job repeating every 15 bot minutes)."""
    return max(0.001, interval.total_seconds() / clock_speed(clock))


def sending_speed(clock: Clock) -> float:
    """Bot seconds that a real second of sending costs: none on a clock held while the outbox
    sends (the rehearsal), else the clock's speed."""
    if getattr(clock, "held_while_sending", False):
        return 0.0
    return clock_speed(clock)
