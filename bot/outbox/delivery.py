"""One row's journey to Telegram: the chat's gap, a global slot, the call, the retries.

A ``Courier`` keeps a row until it is sent or given up (failed, expired, chat gone or moved):
429s wait out the bot-wide pause, transient failures back off (the row and, once per pause,
the whole bot), so the chat's later rows cannot overtake it and an outage loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from bot.clock import Clock
from bot.outbox.outcomes import Envelope, Outcome, Result, SenderStats
from bot.outbox.pacing import ChatSchedule, Pacer, SendLimits, backoff_delay
from bot.outbox.transport import (
    ChatMoved,
    ChatUnreachable,
    MessageTransport,
    PermanentFailure,
    RetryLater,
    TransientFailure,
)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Flight:
    """A claimed row in memory, from the claim until its outcome is written."""

    envelope: Envelope
    task: asyncio.Task[None] | None = None
    on_wire: bool = False
    done: bool = False
    abandoned: bool = False  # cancelled by stop before it was sent: goes back to the queue


class Courier:
    """Delivers rows within the limits; shares the pacer and chat schedule with the sender."""

    def __init__(
        self,
        transport: MessageTransport,
        clock: Clock,
        limits: SendLimits,
        stats: SenderStats,
        report: Callable[[Outcome], None],
        rng: random.Random,
    ) -> None:
        self._transport = transport
        self._clock = clock
        self._limits = limits
        self._stats = stats
        self._report = report
        self._rng = rng
        self.pacer = Pacer(limits.per_second, per_window=limits.per_window, window=limits.window)
        self.paid_pacer = Pacer(
            limits.paid_per_second, per_window=limits.paid_per_window, window=limits.window
        )
        self.schedule = ChatSchedule(limits)
        self._failing = 0  # transient failures in a row, for the bot-wide backoff

    async def deliver(self, flight: Flight) -> Outcome:
        """Send one row, retrying 429s and transient failures until it is done or expired."""
        envelope = flight.envelope
        loop = asyncio.get_running_loop()
        attempts = 0
        while True:
            if envelope.expired(self._clock.now()):
                log.info("outbox: %s expired before it could be sent; dropped", envelope.key)
                self._stats.expired += 1
                self._stats.dropped += 1
                return Outcome(envelope, Result.EXPIRED, error="expired before it could be sent")
            wait = self.schedule.ready_at(envelope.chat_id) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            pacer = self.paid_pacer if envelope.paid else self.pacer
            slot = await pacer.acquire(envelope.priority)
            flight.on_wire = True
            try:
                outcome = await self._attempt(envelope, pacer)
            finally:
                flight.on_wire = False
                pacer.release(slot)
                self.schedule.note_call(envelope.chat_id, loop.time())
            if outcome.final:
                return outcome
            self._report(outcome)
            if outcome.result is Result.RETRYING:  # after a 429 the bot-wide pause is the wait
                attempts += 1
                delay = self._backoff(attempts)
                log.warning(
                    "outbox: %s failed (%s); retry %d in %.1fs",
                    envelope.key,
                    outcome.error,
                    attempts,
                    delay,
                )
                await asyncio.sleep(delay)

    async def close(self) -> None:
        await self.pacer.close()
        await self.paid_pacer.close()

    async def _attempt(self, envelope: Envelope, pacer: Pacer) -> Outcome:
        """One call; the outcome says what to do next (RETRYING is not final)."""
        try:
            message_id = await self._transport.call(envelope.method, envelope.call_payload())
        except RetryLater as exc:
            self._stats.rate_limited += 1
            self._stats.retried += 1
            pacer.pause(exc.seconds)
            log.warning("outbox: flood control, all sending paused for %gs", exc.seconds)
            return Outcome(envelope, Result.RATE_LIMITED, error=exc.description)
        except TransientFailure as exc:
            self._note_transient(asyncio.get_running_loop().time())
            return Outcome(envelope, Result.RETRYING, error=exc.description)
        except ChatUnreachable as exc:
            self._stats.chats_gone += 1
            self._stats.dropped += 1
            return Outcome(envelope, Result.CHAT_GONE, error=exc.description)
        except ChatMoved as exc:
            self._stats.chats_moved += 1
            log.info("outbox: chat %s moved to %s", envelope.chat_id, exc.new_chat_id)
            return Outcome(
                envelope, Result.CHAT_MOVED, error=exc.description, new_chat_id=exc.new_chat_id
            )
        except PermanentFailure as exc:
            self._stats.failed += 1
            log.warning("outbox: %s rejected: %s", envelope.key, exc.description)
            return Outcome(envelope, Result.FAILED, error=exc.description)
        except Exception as exc:  # a bug in a transport or a payload: keep the queue going
            self._stats.failed += 1
            log.exception("outbox: %s failed unexpectedly", envelope.key)
            return Outcome(envelope, Result.FAILED, error=f"unexpected {type(exc).__name__}")
        self._failing = 0
        self._stats.sent += 1
        return Outcome(envelope, Result.SENT, telegram_message_id=message_id)

    def _note_transient(self, now: float) -> None:
        """Back off all sending: 5xx and network errors rarely concern one chat only.

        Failures of calls made before the current pause started do not deepen it, or a
        burst of concurrent failures would jump straight to the longest wait.
        """
        self._stats.transient_errors += 1
        self._stats.retried += 1
        if now >= self.pacer.paused_until:
            self._failing += 1
            pause = self._backoff(self._failing)
            self.pacer.pause(pause)
            self.paid_pacer.pause(pause)

    def _backoff(self, attempt: int) -> float:
        limits = self._limits
        return backoff_delay(
            attempt, base=limits.backoff_base, cap=limits.backoff_cap, rng=self._rng
        )
