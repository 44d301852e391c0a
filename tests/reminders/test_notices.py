"""Change notices on both backends: once per chat, stale reminders dropped, jobs re-planned."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.programme.events import ChangeKind, SessionChange
from storage.db import Database
from storage.models import Session
from storage.repos import outbox

from .helpers import Kit, add_chat, add_session, make_kit, outbox_rows, utc

NOW = utc("2026-06-20T12:00")
START = utc("2026-06-23T06:00")  # 10:00 in Baku


async def _change(
    kit: Kit,
    session_id: int,
    kind: ChangeKind,
    *,
    start: datetime | None = None,
    room: str | None = None,
    cancelled: bool = False,
) -> None:
    """What ingestion does: update the row and tell the listener, in one transaction."""
    async with kit.database.transaction() as db:
        session = await db.get(Session, session_id)
        assert session is not None
        old_start, old_room = session.start_at, session.room
        if start is not None:
            length = session.end_at - session.start_at
            session.start_at, session.end_at = start, start + length
        if room is not None:
            session.room = room
        session.cancelled = cancelled
        await db.flush()
        change = SessionChange(
            session_id=session_id,
            kind=kind,
            title=session.title,
            old_start=old_start,
            new_start=session.start_at,
            old_room=old_room,
            new_room=session.room,
            is_ifla=session.is_ifla,
        )
        await kit.reminders.notifier.sessions_changed(db, [change])


async def _setup(database: Database) -> tuple[Kit, Session]:
    kit = make_kit(database, NOW, reminder_minutes=[10])
    await add_chat(database, 1, timezone="Europe/Paris")
    await add_chat(database, 2, language="ru", timezone="Asia/Novosibirsk")
    await add_chat(database, 3, active=False)
    session = await add_session(database, "Libraries and AI", START, is_ifla=True)
    for chat_id in (1, 2, 3):
        await kit.reminders.subscriptions.subscribe_ifla(chat_id, None)
    await kit.reminders.planner.settle()  # subscribing asked for a plan
    assert list(kit.board.due_times()) == [f"remind:{session.id}:10"]
    return kit, session


async def test_moved_session_notice_once_and_replanned(database: Database) -> None:
    kit, session = await _setup(database)
    later = START + timedelta(hours=3)
    await _change(kit, session.id, ChangeKind.MOVED, start=later)
    await _change(kit, session.id, ChangeKind.MOVED, start=later)  # the same poll again
    await kit.reminders.planner.settle()

    notices = await outbox_rows(database, "change")
    assert [row.chat_id for row in notices] == [1, 2]
    paris, novosibirsk = (row.payload["text"] for row in notices)
    assert "Time changed" in paris
    assert "Tue 23 Jun 11:00–12:30 (Europe/Paris) · venue 13:00–14:30" in paris
    assert "Was: <s>Tue 23 Jun 08:00</s>" in paris
    assert "Время изменилось" in novosibirsk and "16:00–17:30 (Asia/Novosibirsk)" in novosibirsk
    assert {row.expires_at for row in notices} == {later + timedelta(minutes=90)}
    assert kit.board.due_times() == {f"remind:{session.id}:10": later - timedelta(minutes=10)}
    assert kit.sender.wakes >= 1


async def test_moved_session_drops_reminders_queued_for_the_old_time(database: Database) -> None:
    kit, session = await _setup(database)
    kit.clock.set(START - timedelta(minutes=10))
    assert await kit.reminders.planner.fire(session.id, [10]) == 2
    await _change(kit, session.id, ChangeKind.MOVED, start=START + timedelta(days=1))
    async with database.transaction() as db:
        counts = await outbox.count_by_status(db)
    assert counts == {"dropped": 2, "pending": 2}  # old reminders dropped, notices pending
    rows = await outbox_rows(database, "reminder")
    assert {row.last_error for row in rows} == {"session moved"}


async def test_cancelled_session_drops_reminders_and_its_jobs(database: Database) -> None:
    kit, session = await _setup(database)
    kit.clock.set(START - timedelta(minutes=10))
    await kit.reminders.planner.fire(session.id, [10])
    await _change(kit, session.id, ChangeKind.CANCELLED, cancelled=True)
    await kit.reminders.planner.settle()
    assert {row.status for row in await outbox_rows(database, "reminder")} == {"dropped"}
    texts = [row.payload["text"] for row in await outbox_rows(database, "change")]
    assert len(texts) == 2 and "Cancelled" in texts[0] and "Отменена" in texts[1]
    assert kit.board.jobs == {}


async def test_room_change_keeps_reminders_and_tells_the_new_room(database: Database) -> None:
    kit, session = await _setup(database)
    await _change(kit, session.id, ChangeKind.ROOM_CHANGED, room="Plenary <Hall>")
    [paris, _] = [row.payload["text"] for row in await outbox_rows(database, "change")]
    assert "Now in: Plenary &lt;Hall&gt; (was: Room 1)" in paris


async def test_changes_without_notice_only_replan(database: Database) -> None:
    kit, session = await _setup(database)
    replans = kit.board.replacements
    await _change(kit, session.id, ChangeKind.UPDATED)
    await kit.reminders.planner.settle()
    assert await outbox_rows(database, "change") == []
    assert kit.board.replacements == replans + 1


async def test_a_rolled_back_change_queues_and_plans_nothing(database: Database) -> None:
    kit, session = await _setup(database)
    replans = kit.board.replacements
    try:
        async with database.transaction() as db:
            change = SessionChange(
                session.id, ChangeKind.MOVED, session.title, START, START, None, None, True
            )
            await kit.reminders.notifier.sessions_changed(db, [change])
            raise RuntimeError("ingestion failed later in the same transaction")
    except RuntimeError:
        pass
    await kit.reminders.planner.settle()
    assert await outbox_rows(database) == []
    assert kit.board.replacements == replans
