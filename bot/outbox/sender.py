"""The one sender that drains the outbox within Telegram's limits, most urgent first.

A single loop owns the database: it writes what happened to finished rows and claims the
next due rows (at most one per chat, skipping chats that must still wait) in one transaction.
Each claimed row gets a worker that waits for its chat's gap and a global slot, makes the
call and reports back; a failed call is retried by the same worker, so the row never leaves
memory and the chat's later messages cannot overtake it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.outbox.delivery import Courier, Flight
from bot.outbox.outcomes import Envelope, Outcome, Recorded, SenderStats, record_outcomes
from bot.outbox.pacing import SendLimits, backoff_delay
from bot.outbox.transport import MessageTransport
from bot.scheduling import real_delay
from storage.db import Database
from storage.repos import outbox

log = logging.getLogger(__name__)

ChatGoneHook = Callable[[int], Awaitable[None]]


@dataclass(slots=True)
class _Cycle:
    """What one pass of the loop takes out of memory (restored if the transaction fails)."""

    outcomes: list[Outcome]
    abandoned: list[Flight]
    claim_limit: int
    skip: list[int]
    generation: int
    rows: list[Envelope] = field(default_factory=list)
    settled: bool = False  # no row stays in memory once this pass is written
    next_due_in: float | None = None
    queue_empty: bool = False


class OutboxSender:
    """Sends every outbox row once, within Telegram's limits, in priority order."""

    def __init__(
        self,
        database: Database,
        transport: MessageTransport,
        clock: Clock,
        *,
        limits: SendLimits = SendLimits(),  # noqa: B008 - frozen, shared safely
        on_chat_gone: ChatGoneHook | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._limits = limits
        self._on_chat_gone = on_chat_gone
        self._rng = rng or random.Random()
        self.stats = SenderStats()
        self._courier = Courier(transport, clock, limits, self.stats, self._report, self._rng)
        self._schedule = self._courier.schedule
        self._flights: dict[int, Flight] = {}
        self._outcomes: list[Outcome] = []
        self._oldest_outcome: float | None = None
        self._signal = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._woken = False
        self._backlog = True  # there may be due rows we have not claimed yet
        self._timer_at = 0.0
        self._generation = 0  # bumped by wake(); lets run_until_idle ignore stale answers
        self._idle_generation = -1
        self._idle = asyncio.Event()

    # ---- public API --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Put rows a crash left in flight back in the queue and start sending."""
        if self.running:
            return
        async with self._database.transaction() as db:
            released = await outbox.release_in_flight(db)
        if released:
            log.info("outbox: %d messages left in flight last time are queued again", released)
        self._flights.clear()  # whatever a cancelled run left is back in the queue now
        self._outcomes.clear()
        self._oldest_outcome = None
        self._stopping = False
        self._backlog = True
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, drain_timeout: float = 10.0) -> None:
        """Stop claiming, let calls on the wire finish, queue the rest again."""
        task = self._task
        if task is None:
            return
        self._stopping = True
        for flight in list(self._flights.values()):
            if not flight.on_wire:
                self._cancel(flight)
        self._signal.set()
        done, _ = await asyncio.wait({task}, timeout=drain_timeout)
        if not done:
            log.warning("outbox: calls still running after %.1fs; they may repeat", drain_timeout)
            for flight in list(self._flights.values()):
                self._cancel(flight)
            self._signal.set()
            done, _ = await asyncio.wait({task}, timeout=5.0)
        if not done:
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await self._courier.close()
        self._task = None

    def wake(self) -> None:
        """New rows are due now (a handler just committed a reply): look at once."""
        self._woken = True
        self._generation += 1
        self._signal.set()

    async def run_until_idle(self, timeout: float) -> SenderStats:  # noqa: ASYNC109
        """Send until nothing is due or in flight; starts and stops the sender if needed.

        Raises ``TimeoutError`` if that takes longer than ``timeout`` seconds.
        """
        started_here = not self.running
        if started_here:
            await self.start()
        self.wake()
        wanted = self._generation
        try:
            async with asyncio.timeout(timeout):
                while self._idle_generation < wanted:
                    self._idle.clear()
                    await self._idle.wait()
        finally:
            if started_here:
                await self.stop()
        return self.stats.snapshot()

    # ---- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while not (self._stopping and not self._flights and not self._outcomes):
            now = loop.time()
            due = self._next_cycle_at(now)
            if due > now:
                self._signal.clear()
                timeout = None if math.isinf(due) else due - now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._signal.wait(), timeout)
                continue
            try:
                await self._cycle()
                failures = 0
            except Exception:
                failures += 1
                delay = backoff_delay(failures, cap=30.0, rng=self._rng)
                log.exception("outbox: database pass failed; next try in %.1fs", delay)
                await asyncio.sleep(delay)

    def _active(self) -> int:
        return sum(1 for flight in self._flights.values() if not flight.done)

    def _next_cycle_at(self, now: float) -> float:
        """When the loop has something worth a database round trip."""
        if self._stopping:
            pending = self._outcomes or any(f.abandoned for f in self._flights.values())
            return now if pending else math.inf
        if not self._backlog and now >= self._timer_at:
            self._backlog = True
        room = self._limits.max_in_flight - self._active()
        if room > 0 and self._woken:
            return now
        if room > 0 and self._backlog and (room >= self._limits.claim_batch or not self._active()):
            return now
        moments = [] if self._backlog else [self._timer_at]
        if self._oldest_outcome is not None:
            moments.append(self._oldest_outcome + self._limits.record_delay)
        return min(moments, default=math.inf)

    async def _cycle(self) -> None:
        loop = asyncio.get_running_loop()
        cycle = self._take_cycle(loop.time())
        woken = self._woken
        self._woken = False
        try:
            recorded = await self._write_and_claim(cycle)
        except BaseException:
            self._outcomes[:0] = cycle.outcomes
            if cycle.outcomes and self._oldest_outcome is None:
                self._oldest_outcome = loop.time()
            self._woken = self._woken or woken
            raise
        self._after_commit(cycle, loop.time())
        for chat_id in recorded.gone_chats:
            await self._chat_gone(chat_id)
        if recorded.moved:
            self._backlog = True  # its rows wait under the new chat id, which nobody skips

    def _take_cycle(self, now: float) -> _Cycle:
        outcomes, self._outcomes, self._oldest_outcome = self._outcomes, [], None
        abandoned = [flight for flight in self._flights.values() if flight.abandoned]
        room = self._limits.max_in_flight - self._active()
        wants_rows = not self._stopping and (self._woken or self._backlog)
        skip = {flight.envelope.chat_id for flight in self._flights.values()}
        skip.update(self._schedule.paced(now))
        leaving = {o.envelope.id for o in outcomes if o.final}
        leaving.update(flight.envelope.id for flight in abandoned)
        return _Cycle(
            outcomes=outcomes,
            abandoned=abandoned,
            claim_limit=room if wants_rows and room > 0 else 0,
            skip=sorted(skip),
            generation=self._generation,
            settled=set(self._flights) <= leaving,
        )

    async def _write_and_claim(self, cycle: _Cycle) -> Recorded:
        now = self._clock.now()
        async with self._database.transaction() as db:
            recorded = await record_outcomes(db, cycle.outcomes, now=now, stats=self.stats)
            if cycle.abandoned:
                await outbox.release(db, [flight.envelope.id for flight in cycle.abandoned])
            if cycle.claim_limit:
                rows = await outbox.claim_next_per_chat(
                    db, now=now, limit=cycle.claim_limit, skip_chats=cycle.skip
                )
                self.stats.claims += 1
                cycle.rows = [Envelope.of(row) for row in rows]
                if len(rows) < cycle.claim_limit:
                    skip = cycle.skip + [row.chat_id for row in rows]
                    next_due = await outbox.next_due_at(db, skip_chats=skip)
                    if next_due is not None:  # in real seconds: the demo's clock runs fast
                        cycle.next_due_in = real_delay(self._clock, next_due)
            if cycle.settled and not cycle.rows:
                anything = await outbox.next_due_at(db)
                cycle.queue_empty = anything is None or anything > now
        return recorded

    def _after_commit(self, cycle: _Cycle, now: float) -> None:
        freed = [o.envelope for o in cycle.outcomes if o.final]
        freed += [flight.envelope for flight in cycle.abandoned]
        for envelope in freed:
            self._flights.pop(envelope.id, None)
        for envelope in cycle.rows:
            if self._stopping:  # stop() began while we were claiming: give them back
                self._flights[envelope.id] = Flight(envelope, abandoned=True)
            else:
                self._launch(envelope)
        if cycle.claim_limit:
            full = len(cycle.rows) == cycle.claim_limit
            self._backlog = full
            if not full:
                moments = [now + self._limits.idle_poll]
                if cycle.next_due_in is not None:
                    moments.append(now + cycle.next_due_in)
                self._timer_at = min(moments)
        if not self._backlog:
            # Chats that left memory were skipped by the last claim: look again when they
            # may have their next message (now, if their gap has already passed).
            moments = [self._schedule.ready_at(envelope.chat_id) for envelope in freed]
            self._timer_at = min([self._timer_at, *moments, *self._schedule.paced(now).values()])
        if cycle.queue_empty and not self._flights and not self._outcomes:
            self._idle_generation = cycle.generation
            self._idle.set()

    async def _chat_gone(self, chat_id: int) -> None:
        if self._on_chat_gone is None:
            return
        try:
            await self._on_chat_gone(chat_id)
        except Exception:
            log.exception("outbox: on_chat_gone(%s) failed", chat_id)

    # ---- workers -----------------------------------------------------------------------

    def _launch(self, envelope: Envelope) -> None:
        flight = Flight(envelope)
        self._flights[envelope.id] = flight
        flight.task = asyncio.create_task(self._work(flight), name=f"outbox-{envelope.id}")

    def _cancel(self, flight: Flight) -> None:
        if flight.task is not None and not flight.task.done():
            flight.task.cancel()

    async def _work(self, flight: Flight) -> None:
        try:
            outcome = await self._courier.deliver(flight)
        except asyncio.CancelledError:
            flight.abandoned = not flight.done
            self._signal.set()
            raise
        flight.done = True
        self._report(outcome)

    def _report(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        if self._oldest_outcome is None:
            self._oldest_outcome = asyncio.get_running_loop().time()
        self._signal.set()
