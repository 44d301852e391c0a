"""Helpers for the question relay's tests: sessions in the database, a relay on a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.i18n import default_translator
from bot.questions import QuestionRelay, assemble
from bot.questions.asking import Asker
from bot.questions.base import RelayContext
from bot.questions.views import QuestionView, SessionView
from config.settings import QuestionSettings
from storage.db import Database
from storage.models import OutboxMessage, Question, Session, Source, User

NOW = datetime(2026, 6, 23, 9, 0, tzinfo=UTC)
# The end-to-end bot's configured admin and moderator (tests/questions/conftest.py).
ADMIN, E2E_MODERATOR = 7001, 7002


async def add_session(
    database: Database,
    *,
    title: str = "Libraries and AI",
    start: datetime = NOW - timedelta(minutes=10),
    minutes: int = 60,
    key: str | None = None,
    source_id: int | None = None,
    cancelled: bool = False,
) -> int:
    """Insert a programme session (ingestion does this in production) and return its id."""
    async with database.transaction() as db:
        row = Session(
            source_id=source_id,
            key=key or f"{title}-{start.isoformat()}",
            title=title,
            start_at=start,
            end_at=start + timedelta(minutes=minutes),
            timezone="Asia/Baku",
            room="Room 1",
            persons=[],
            description="",
            cancelled=cancelled,
            created_at=NOW,
            updated_at=NOW,
        )
        db.add(row)
        await db.flush()
        return row.id


async def add_source(database: Database, url: str = "https://example.org/igf.ics") -> int:
    async with database.transaction() as db:
        row = Source(url=url, name="IGF", created_at=NOW)
        db.add(row)
        await db.flush()
        return row.id


async def add_user(
    database: Database, user_id: int, first_name: str, username: str | None = None
) -> None:
    async with database.transaction() as db:
        db.add(
            User(
                id=user_id, first_name=first_name, username=username, created_at=NOW, updated_at=NOW
            )
        )


def make_relay(
    database: Database, clock: FrozenClock | None = None, **limits: Any
) -> QuestionRelay:
    """The relay's services on ``database`` without a bot (the handlers build the same)."""
    values: dict[str, Any] = {"cooldown_seconds": 0}
    values.update(limits)
    context = RelayContext(
        database=database,
        clock=clock or FrozenClock(NOW),
        limits=QuestionSettings(**values),
        translator=default_translator(),
    )
    return assemble(context)


class Acks:
    """An ``Acknowledge`` that records what it was called with and writes an outbox row
    in the same transaction, like the handler's does."""

    def __init__(self) -> None:
        self.seen: list[tuple[QuestionView, SessionView]] = []

    async def __call__(self, db: Any, question: QuestionView, session: SessionView) -> None:
        self.seen.append((question, session))
        db.add(
            OutboxMessage(
                idempotency_key=f"ack:{question.id}",
                chat_id=question.author_id,
                kind="reply",
                priority=0,
                method="sendMessage",
                payload={"text": f"received #{question.number}"},
                status="pending",
                not_before=NOW,
                attempts=0,
                created_at=NOW,
            )
        )


def asker(user_id: int = 101, *, chat_id: int | None = None, language: str = "en") -> Asker:
    return Asker(
        user_id, chat_id if chat_id is not None else user_id, language, in_group=chat_id is not None
    )


async def questions_in(database: Database, session_id: int) -> list[Question]:
    async with database.transaction() as db:
        rows = await db.scalars(
            select(Question).where(Question.session_id == session_id).order_by(Question.number)
        )
        return list(rows.all())


async def outbox_rows(database: Database) -> list[OutboxMessage]:
    async with database.transaction() as db:
        rows = await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return list(rows.all())
