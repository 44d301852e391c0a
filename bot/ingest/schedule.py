"""When to poll a source next: its interval when healthy, exponential backoff when failing."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_BACKOFF = timedelta(hours=6)


def backoff_delay(interval_seconds: int, failures: int) -> timedelta:
    """``interval * 2^failures``, capped at six hours: a dead feed is still tried 4 times a day."""
    if failures <= 0:
        return timedelta(seconds=interval_seconds)
    seconds = interval_seconds * 2 ** min(failures, 32)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def next_poll_at(
    now: datetime,
    interval_seconds: int,
    *,
    failures: int = 0,
    retry_after: float | None = None,
    jitter: float = 0.1,
    rng: random.Random | None = None,
) -> datetime:
    """The next poll: backoff for ``failures``, never sooner than the server's Retry-After.

    Up to ``jitter`` of the delay is added at random so sources started together drift apart.
    """
    delay = backoff_delay(interval_seconds, failures)
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_BACKOFF))
    spread = (rng or random).random() * jitter
    return now + delay * (1 + spread)
