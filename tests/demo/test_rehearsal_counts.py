"""The summary's counts on both backends: what counts as a session, a message, a reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.models import OutboxMessage, Question, Session, Source
from storage.repos import rehearsal

NOW = datetime(2024, 12, 17, 7, 0, tzinfo=UTC)


def _session(source: Source, key: str, *, ifla: bool = False, vanished: bool = False) -> Session:
    return Session(
        source_id=source.id,
        key=key,
        title=key,
        start_at=NOW,
        end_at=NOW + timedelta(hours=1),
        timezone="Asia/Riyadh",
        is_ifla=ifla,
        vanished=vanished,
        created_at=NOW,
        updated_at=NOW,
    )


def _row(n: int, status: str, *, kind: str = "reply", method: str = "sendMessage") -> OutboxMessage:
    return OutboxMessage(
        idempotency_key=f"k{n}",
        chat_id=100 + n,
        kind=kind,
        method=method,
        payload={"chat_id": 100 + n, "text": "x"},
        status=status,
        not_before=NOW,
        created_at=NOW,
    )


async def test_counts_follow_what_was_stored_and_sent(database: Database) -> None:
    async with database.transaction() as db:
        source = Source(url="/tmp/programme.ics", created_at=NOW)
        db.add(source)
        await db.flush()
        sessions = [
            _session(source, "opening"),
            _session(source, "workshop", ifla=True),
            _session(source, "dc", ifla=True),
            _session(source, "gone", ifla=True, vanished=True),
        ]
        db.add_all(sessions)
        db.add_all(
            [
                _row(1, "sent"),
                _row(2, "sent", method="sendDocument"),
                _row(3, "sent", kind="reminder"),
                _row(4, "sent", kind="reminder"),
                _row(5, "sent", kind="edit", method="editMessageText"),
                _row(6, "pending", kind="reminder"),
                _row(7, "dropped", kind="reminder"),
                _row(8, "failed"),
            ]
        )
        await db.flush()
        db.add(
            Question(
                session_id=sessions[1].id,
                number=1,
                status="waiting",
                text="How?",
                normalized="how",
                language="en",
                author_id=1,
                chat_id=1,
                message_id=1,
                notify_language="en",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    async with database.transaction() as db:
        counts = await rehearsal.counts(db)
    assert counts == rehearsal.RehearsalCounts(
        sessions=3,
        ifla_sessions=2,
        messages=4,
        edits=1,
        questions=1,
        reminders=2,
        reminders_dropped=1,
    )
    async with database.transaction() as db:
        # due and queued (6), on its way (9); 10 is not due yet
        db.add(_row(9, "sending"))
        later = _row(10, "pending")
        later.not_before = NOW + timedelta(minutes=5)
        db.add(later)
    async with database.transaction() as db:
        assert await rehearsal.undelivered(db, NOW) == 2
