"""When a fan-out starts: reminders due in one minute go out together, early enough to end on time.

At 30 messages a second, 10,000 reminders take five and a half minutes, so a fan-out that
starts at its due time ends five minutes late. The reminders due in one minute form a batch
(one message per chat, whatever the number of sessions), and a batch starts its fan-out its
own length before the minute, plus a small margin. Batches are chained from the latest back:
one that would still be running when the next one starts begins earlier, so the sender's
queue never holds two overlapping broadcasts. These are pure decisions, tested without a
database; the planner feeds them counts and turns them into jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True, order=True)
class DueReminder:
    """One (session, lead) pair for the session's current start."""

    start: datetime
    session_id: int
    lead: int  # minutes

    @property
    def at(self) -> datetime:
        return self.start - timedelta(minutes=self.lead)

    @property
    def marker(self) -> str:
        """Written when the fan-out is queued (or dropped): it never happens twice."""
        return f"reminded:{self.session_id}:{self.lead}:{iso(self.start)}"

    def key_for(self, chat_id: int) -> str:
        return f"remind:{chat_id}:{self.session_id}:{self.lead}:{iso(self.start)}"


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class ReminderBatch:
    """The reminders due in one minute, fanned out together from ``ring_at``."""

    minute: datetime
    dues: tuple[DueReminder, ...]  # soonest first
    ring_at: datetime
    recipients: int | None = None  # None: not counted yet (far ahead)

    @property
    def job_name(self) -> str:
        return f"remind:{iso(self.minute)}"

    @property
    def deadline(self) -> datetime:
        """The last message should leave by then: the soonest due time of the batch."""
        return self.dues[0].at

    @property
    def early(self) -> timedelta:
        """How long before its due time a reminder of this batch may be queued."""
        return max(timedelta(0), self.deadline - self.ring_at)

    @property
    def markers(self) -> frozenset[str]:
        return frozenset(due.marker for due in self.dues)


@dataclass(frozen=True, slots=True)
class BroadcastPace:
    """What the planner counts on: the sender's pace and how bot time maps to real time.

    ``per_second`` is what the sender keeps up in practice (a little under its limit:
    replies and other chats' messages share it); ``speed`` is the bot seconds a real second
    of sending costs (0 in the rehearsal, whose clock stands still while the outbox sends).
    """

    per_second: float
    speed: float = 1.0
    # Real seconds for the fan-out's own transaction and the sender to get going.
    start_up: float = 2.0
    # Never more than this in bot time (the demo's clock runs 720 times faster).
    start_up_cap: timedelta = timedelta(minutes=1)

    def length(self, recipients: int) -> timedelta:
        """Bot time a broadcast to ``recipients`` chats takes, start-up included."""
        sending = timedelta(seconds=recipients / self.per_second * self.speed)
        start_up = min(timedelta(seconds=self.start_up * self.speed), self.start_up_cap)
        return sending + start_up

    def expected_send(self, ring_at: datetime, position: int) -> datetime:
        """When the ``position``-th message of a fan-out rung at ``ring_at`` should leave."""
        return ring_at + timedelta(seconds=position / self.per_second * self.speed)


def group_by_minute(dues: Iterable[DueReminder]) -> dict[datetime, list[DueReminder]]:
    groups: dict[datetime, list[DueReminder]] = {}
    for due in sorted(dues):
        groups.setdefault(minute_of(due.at), []).append(due)
    return groups


def plan_batches(
    groups: Mapping[datetime, Sequence[DueReminder]],
    recipients: Mapping[datetime, int],
    pace: BroadcastPace,
) -> list[ReminderBatch]:
    """A batch per minute, each ringing its length before its deadline or the next ring.

    A minute missing from ``recipients`` is not counted yet and rings at its deadline less
    the start-up; the planner counts it once it comes near.
    """
    batches: list[ReminderBatch] = []
    bound: datetime | None = None
    for minute in sorted(groups, reverse=True):
        count = recipients.get(minute)
        deadline = min(due.at for due in groups[minute])
        finish = deadline if bound is None else min(deadline, bound)
        ring_at = finish - pace.length(count or 0)
        batches.append(ReminderBatch(minute, tuple(groups[minute]), ring_at, count))
        if count:
            bound = ring_at
    batches.reverse()
    return batches
