"""What every part of the relay shares: storage, clock, limits, translator, the sender's wake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import Translator
from config.settings import QuestionSettings
from storage.db import Database


class PendingInputs:
    """(user, chat) pairs whose next text message the relay is waiting for.

    A cheap, synchronous answer for the message filter; the database (``asking_states``)
    stays the truth and this index is rebuilt from it on start.
    """

    def __init__(self) -> None:
        self._pairs: set[tuple[int, int]] = set()

    def expects(self, user_id: int, chat_id: int) -> bool:
        return (user_id, chat_id) in self._pairs

    def add(self, user_id: int, chat_id: int) -> None:
        self._pairs.add((user_id, chat_id))

    def discard(self, user_id: int, chat_id: int) -> None:
        self._pairs.discard((user_id, chat_id))

    def reset(self, pairs: list[tuple[int, int]]) -> None:
        self._pairs = set(pairs)


def _no_wake() -> None:
    return None


@dataclass
class RelayContext:
    database: Database
    clock: Clock
    limits: QuestionSettings
    translator: Translator
    # Tells the outbox sender that notices are due; looked up late (the sender starts later).
    wake: Callable[[], None] = _no_wake
    inputs: PendingInputs = field(default_factory=PendingInputs)

    @property
    def open_before(self) -> timedelta:
        return timedelta(minutes=self.limits.open_before_minutes)

    @property
    def claim_timeout(self) -> timedelta:
        return timedelta(minutes=self.limits.claim_timeout_minutes)


def check_length(text: str, limits: QuestionSettings) -> None:
    """Refuse texts outside the configured length, saying which limit and by how much."""
    if not text or len(text) < limits.min_length:
        raise UserFacingError("questions.too_short", count=limits.min_length)
    if len(text) > limits.max_length:
        raise UserFacingError("questions.too_long", maximum=limits.max_length, length=len(text))
