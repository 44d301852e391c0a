"""What every part of the relay shares: storage, clock, limits, translator, the live hub."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import Translator
from bot.live import LiveHub
from config.settings import QuestionSettings
from storage.db import Database, after_commit


@dataclass
class RelayContext:
    database: Database
    clock: Clock
    limits: QuestionSettings
    translator: Translator
    # The console and the wall hear about every change of a session's questions through this.
    live: LiveHub = field(default_factory=LiveHub)
    # Called with a question's id after the commit that stored or edited it (translations).
    question_stored: list[Callable[[int], None]] = field(default_factory=list)

    def changed(self, db: AsyncSession, session_id: int) -> None:
        """Tell the live pages once ``db``'s transaction has committed (never on rollback)."""
        live = self.live
        after_commit(db, lambda: live.publish(session_id))

    def stored(self, db: AsyncSession, question_id: int) -> None:
        """Tell ``question_stored`` once ``db``'s transaction has committed."""
        hooks = self.question_stored

        def tell() -> None:
            for hook in hooks:
                hook(question_id)

        after_commit(db, tell)

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
