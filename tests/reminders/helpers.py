"""Builders shared by the reminder tests: chats, sessions and a job board that only records.

Sessions are inserted directly (ingestion's upsert is another feature); everything the
bot does with them goes through the real services.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.i18n import default_translator
from bot.links import BotLinks
from bot.reminders import Reminders, build_reminders
from bot.reminders.planner import PlannedJob
from config.settings import Settings
from storage.db import Database
from storage.models import Chat, OutboxMessage, Session, Subscription

_keys = itertools.count(1)


def utc(text: str) -> datetime:
    """An aware UTC datetime from ``YYYY-MM-DDTHH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class RecordingBoard:
    """A JobBoard that keeps the planned jobs in a dict, for the planner's unit tests."""

    jobs: dict[str, PlannedJob] = field(default_factory=dict)
    replacements: int = 0

    def replace_all(self, prefix: str, jobs: Sequence[PlannedJob]) -> None:
        self.replacements += 1
        self.jobs = {job.name: job for job in jobs}

    def due_times(self) -> dict[str, datetime]:
        """Each planned reminder as ``remind:{session}:{lead}`` -> when it is due."""
        return {
            f"remind:{due.session_id}:{due.lead}": due.at
            for job in self.jobs.values()
            for due in job.due.dues
        }

    def ring_times(self) -> dict[str, datetime]:
        """Each job (one per minute of due reminders) -> when its fan-out starts."""
        return {name: job.due.ring_at for name, job in self.jobs.items()}


class CountingSender:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


@dataclass
class Kit:
    """The reminder services on a database and a frozen clock."""

    database: Database
    clock: FrozenClock
    settings: Settings
    reminders: Reminders
    board: RecordingBoard
    sender: CountingSender


def make_kit(database: Database, now: datetime, **overrides: object) -> Kit:
    values: dict[str, object] = {"timezone": "Asia/Baku", "reminder_minutes": [60, 10]}
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    clock = FrozenClock(now)
    sender = CountingSender()
    database.outbox_wakers.append(sender.wake)  # what the composition root does
    board = RecordingBoard()
    links = BotLinks("remotehub_test_bot")
    reminders = build_reminders(database, clock, settings, default_translator(), links, board)
    return Kit(database, clock, settings, reminders, board, sender)


async def add_chat(
    database: Database,
    chat_id: int,
    *,
    language: str | None = None,
    timezone: str | None = None,
    leads: list[int] | None = None,
    active: bool = True,
    kind: str | None = None,
) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    async with database.transaction() as db:
        db.add(
            Chat(
                id=chat_id,
                type=kind or ("private" if chat_id > 0 else "supergroup"),
                title=None,
                language=language,
                timezone=timezone,
                reminder_minutes=leads,
                active=active,
                created_at=now,
                updated_at=now,
            )
        )


async def add_session(
    database: Database,
    title: str,
    start: datetime,
    *,
    minutes: int = 90,
    zone: str = "Asia/Baku",
    is_ifla: bool = False,
    track: str | None = None,
    room: str | None = "Room 1",
    description: str = "",
    webcast_url: str | None = None,
) -> Session:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    session = Session(
        key=f"test-{next(_keys)}",
        title=title,
        start_at=start,
        end_at=start + timedelta(minutes=minutes),
        timezone=zone,
        room=room,
        track=track,
        webcast_url=webcast_url,
        persons=[],
        description=description,
        is_ifla=is_ifla,
        cancelled=False,
        all_day=False,
        sequence=0,
        vanished=False,
        created_at=now,
        updated_at=now,
    )
    async with database.transaction() as db:
        db.add(session)
    return session


async def move_session(database: Database, session_id: int, start: datetime) -> Session:
    async with database.transaction() as db:
        session = await db.get(Session, session_id)
        assert session is not None
        length = session.end_at - session.start_at
        session.start_at, session.end_at = start, start + length
    return session


async def outbox_rows(database: Database, kind: str | None = None) -> list[OutboxMessage]:
    async with database.transaction() as db:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list((await db.scalars(query)).all())


async def subscribe_everyone(database: Database, chats: range, since: datetime) -> None:
    """Private chats that follow every IFLA session, written straight to the database."""
    async with database.transaction() as db:
        db.add_all(
            Chat(id=chat_id, type="private", active=True, created_at=since, updated_at=since)
            for chat_id in chats
        )
        await db.flush()
        db.add_all(
            Subscription(chat_id=chat_id, kind="ifla", target="", created_at=since)
            for chat_id in chats
        )
