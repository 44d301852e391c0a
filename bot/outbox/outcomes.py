"""What happened to each outbox row, and writing that back in one transaction per batch."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.repos import chats, outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A claimed row, detached from its session: what a worker needs to send it."""

    id: int
    key: str
    chat_id: int
    method: str
    payload: dict[str, Any]
    priority: int
    expires_at: datetime | None

    @classmethod
    def of(cls, row: OutboxMessage) -> Envelope:
        return cls(
            id=row.id,
            key=row.idempotency_key,
            chat_id=row.chat_id,
            method=row.method,
            payload=dict(row.payload),
            priority=row.priority,
            expires_at=row.expires_at,
        )

    def call_payload(self) -> dict[str, Any]:
        """The Bot API parameters; the row's chat wins (it may have been retargeted)."""
        return {**self.payload, "chat_id": self.chat_id}

    @property
    def paid(self) -> bool:
        """Sent with ``allow_paid_broadcast``: paced by the paid budget, not the free one."""
        return self.payload.get("allow_paid_broadcast") is True

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class Result(Enum):
    SENT = "sent"
    # Not final: the worker keeps the row and tries again (after the bot-wide pause for a
    # 429, after its own backoff for a transient failure).
    RATE_LIMITED = "rate_limited"
    RETRYING = "retrying"
    FAILED = "failed"
    EXPIRED = "expired"
    CHAT_GONE = "chat_gone"
    CHAT_MOVED = "chat_moved"


@dataclass(frozen=True, slots=True)
class Outcome:
    envelope: Envelope
    result: Result
    error: str = ""
    telegram_message_id: int | None = None
    new_chat_id: int | None = None

    @property
    def final(self) -> bool:
        return self.result not in (Result.RATE_LIMITED, Result.RETRYING)


@dataclass(slots=True)
class SenderStats:
    """Counters for logs and benchmarks; ``dropped`` includes rows dropped for a gone chat."""

    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    transient_errors: int = 0
    failed: int = 0
    expired: int = 0
    dropped: int = 0
    chats_gone: int = 0
    chats_moved: int = 0
    claims: int = 0

    def snapshot(self) -> SenderStats:
        return replace(self)


@dataclass(slots=True)
class Recorded:
    """Side effects of a batch the sender acts on after the commit."""

    gone_chats: list[int] = field(default_factory=list)
    moved: bool = False


async def record_outcomes(
    db: AsyncSession, outcomes: list[Outcome], *, now: datetime, stats: SenderStats
) -> Recorded:
    """Write ``outcomes`` in the caller's transaction and count them."""
    recorded = Recorded()
    for outcome in outcomes:
        envelope = outcome.envelope
        match outcome.result:
            case Result.SENT:
                await outbox.mark_sent(
                    db, envelope.id, now=now, telegram_message_id=outcome.telegram_message_id
                )
            case Result.RATE_LIMITED | Result.RETRYING:
                await outbox.note_attempt(db, envelope.id, error=outcome.error)
            case Result.FAILED:
                await outbox.mark_failed(db, envelope.id, status=outbox.FAILED, error=outcome.error)
            case Result.EXPIRED:
                await outbox.mark_failed(
                    db, envelope.id, status=outbox.DROPPED, error=outcome.error
                )
            case Result.CHAT_GONE:
                await _chat_gone(db, outcome, now=now, stats=stats)
                recorded.gone_chats.append(envelope.chat_id)
            case Result.CHAT_MOVED:
                assert outcome.new_chat_id is not None
                await outbox.note_attempt(db, envelope.id, error=outcome.error)
                await chats.record_migration(db, envelope.chat_id, outcome.new_chat_id, now)
                await outbox.retarget_chat(db, envelope.chat_id, outcome.new_chat_id)
                recorded.moved = True
    return recorded


async def _chat_gone(
    db: AsyncSession, outcome: Outcome, *, now: datetime, stats: SenderStats
) -> None:
    chat_id = outcome.envelope.chat_id
    await outbox.mark_failed(db, outcome.envelope.id, status=outbox.DROPPED, error=outcome.error)
    await chats.deactivate(db, chat_id, outcome.error, now)
    others = await outbox.drop_pending_for_chat(db, chat_id, reason=outcome.error)
    stats.dropped += others
    log.info(
        "chat %s is unreachable (%s): deactivated, %d queued messages dropped",
        chat_id,
        outcome.error,
        others + 1,
    )
