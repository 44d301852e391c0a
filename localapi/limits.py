"""Telegram's flood control for sending methods, as a bot experiences it.

Three limits, checked together before a send is accepted:

* overall: at most ``global_per_window`` sends in any ``global_window`` seconds (sliding);
  a send with ``allow_paid_broadcast`` counts instead against ``paid_per_window`` (Telegram
  lets a bot that pays 0.1 Star a message broadcast up to 1,000 a second);
* private chat: a token bucket per chat, ``private_burst`` sends at once, then
  ``private_per_second``;
* group, supergroup or channel: at most ``group_per_window`` sends per chat in any
  ``group_window`` seconds (sliding).

A refused send answers 429 with ``retry_after`` = whole seconds until it would pass (>= 1).
With ``enforce`` off nothing is refused, but sends over a limit are still counted as
``violations`` so a benchmark can tell whether a sender kept to the limits.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

ChatKind = Literal["private", "group"]

SENDING_METHODS = frozenset(
    {"sendmessage", "senddocument", "sendphoto", "editmessagetext", "editmessagecaption"}
)


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Limit numbers; the defaults are Telegram's published ones."""

    global_per_window: int = 30
    global_window: float = 1.0
    paid_per_window: int = 1000
    private_burst: int = 3
    private_per_second: float = 1.0
    group_per_window: int = 20
    group_window: float = 60.0
    counted_methods: frozenset[str] = field(default=SENDING_METHODS)


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class FloodLimiter:
    """Decides whether a send to a chat may pass now; keeps per-chat and total counters."""

    def __init__(
        self,
        limits: RateLimits | None = None,
        clock: Callable[[], float] | None = None,
        *,
        enforce: bool = True,
    ) -> None:
        self.limits = limits or RateLimits()
        self.clock = clock or time.monotonic
        self.enforce = enforce
        self.throttled_total = 0
        self.throttled_by_chat: Counter[int] = Counter()
        self.violations_total = 0
        self.violations_by_chat: Counter[int] = Counter()
        self.paid_total = 0  # sends that paid for allow_paid_broadcast
        self._global: deque[float] = deque()
        self._paid: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._buckets: dict[int, _Bucket] = {}

    def counts(self, method: str) -> bool:
        """True if ``method`` (lowercase) is subject to flood control."""
        return method in self.limits.counted_methods

    def acquire(self, chat_id: int, kind: ChatKind, *, paid: bool = False) -> int | None:
        """Record a send to ``chat_id`` and return None, or return ``retry_after`` seconds."""
        now = self.clock()
        limits = self.limits
        overall = self._paid if paid else self._global
        overall_limit = limits.paid_per_window if paid else limits.global_per_window
        waits = [self._window_wait(overall, now, overall_limit, limits.global_window)]
        bucket: _Bucket | None = None
        window: deque[float] | None = None
        if kind == "private":
            bucket = self._buckets.get(chat_id)
            if bucket is None:
                bucket = self._buckets[chat_id] = _Bucket(float(limits.private_burst), now)
            else:
                elapsed = max(now - bucket.updated, 0.0)
                bucket.tokens = min(
                    float(limits.private_burst), bucket.tokens + elapsed * limits.private_per_second
                )
                bucket.updated = now
            if bucket.tokens < 1.0:
                waits.append((1.0 - bucket.tokens) / limits.private_per_second)
        else:
            window = self._groups.get(chat_id)
            if window is None:
                window = self._groups[chat_id] = deque()
            waits.append(
                self._window_wait(window, now, limits.group_per_window, limits.group_window)
            )

        wait = max(waits)
        if wait > 0:
            if self.enforce:
                self.throttled_total += 1
                self.throttled_by_chat[chat_id] += 1
                return max(1, math.ceil(wait - 1e-9))
            self.violations_total += 1
            self.violations_by_chat[chat_id] += 1

        overall.append(now)
        if paid:
            self.paid_total += 1
        if bucket is not None:
            bucket.tokens = max(bucket.tokens - 1.0, 0.0)
        if window is not None:
            window.append(now)
        return None

    @staticmethod
    def _window_wait(window: deque[float], now: float, limit: int, span: float) -> float:
        """Seconds until one more send fits in a sliding window (0 if it fits now)."""
        while window and now - window[0] >= span:
            window.popleft()
        if len(window) < limit:
            return 0.0
        # With enforcement off the window may hold more than ``limit`` entries.
        return span - (now - window[len(window) - limit])

    def reset(self) -> None:
        """Forget all history and counters."""
        self._global.clear()
        self._paid.clear()
        self.paid_total = 0
        self._groups.clear()
        self._buckets.clear()
        self.throttled_total = 0
        self.throttled_by_chat.clear()
        self.violations_total = 0
        self.violations_by_chat.clear()
