"""Reminder benchmark: resolving, planning and fanning out reminders for thousands of chats.

The database side of a reminder broadcast (sending it is ``bench_broadcast.py``'s subject):

* ``resolve``: "which active chats want session X" (one query) for a session every chat wants;
* ``fan-out``: ``ReminderPlanner.fire`` queueing one outbox row per chat in one transaction
  (texts rendered per language and zone: 2 languages x 5 zones here);
* ``plan``: rebuilding every job from the database for a forum week (``--sessions``), with
  each chat following all IFLA sessions, a few single sessions and one keyword of 20;
* ``notice``: a moved session's change notice to every chat (the listener's work).

Each figure is the median of ``--repeat`` runs, on SQLite (temporary file) and, with
``--postgres``, on a scratch PostgreSQL database created and dropped by the benchmark.
Results are printed and written to ``bench/results/reminders-<time>.json``.

    .venv/bin/python bench/bench_reminders.py --chats 2000 10000 --postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete  # noqa: E402

from bot.clock import FrozenClock  # noqa: E402
from bot.i18n import default_translator  # noqa: E402
from bot.links import BotLinks  # noqa: E402
from bot.programme.events import ChangeKind, SessionChange  # noqa: E402
from bot.reminders import build_reminders  # noqa: E402
from config.settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_to_head  # noqa: E402
from storage.models import Chat, OutboxMessage, SentRecord, Session, Subscription  # noqa: E402
from storage.repos import outbox  # noqa: E402
from storage.repos import subscriptions as subs  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
ZONES = ["Asia/Baku", "Europe/Paris", "Asia/Novosibirsk", "America/New_York", None]
KEYWORDS = [f"topic{index}" for index in range(20)]


@dataclass
class Figure:
    backend: str
    chats: int
    step: str
    seconds: float
    rows: int

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class NullBoard:
    def replace_all(self, prefix: str, jobs: Any) -> None:
        self.count = len(jobs)


async def populate(database: Database, chats: int, sessions: int, seed: int = 7) -> list[int]:
    """A forum week of sessions (every third an IFLA one) and ``chats`` subscribed chats."""
    rng = random.Random(seed)
    async with database.transaction() as db:
        rows = []
        for index in range(sessions):
            start = NOW + timedelta(days=1, minutes=30 * index)
            rows.append(
                Session(
                    key=f"bench-{index}",
                    title=f"Session {index} on {KEYWORDS[index % len(KEYWORDS)]}",
                    start_at=start,
                    end_at=start + timedelta(minutes=90),
                    timezone="Asia/Baku",
                    room=f"Room {index % 8}",
                    track=f"Track {index % 12}",
                    persons=[],
                    description="",
                    is_ifla=index % 3 == 0,
                    cancelled=False,
                    all_day=False,
                    sequence=0,
                    vanished=False,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        db.add_all(rows)
        await db.flush()
        session_ids = [row.id for row in rows]
        since = NOW - timedelta(days=1)
        db.add_all(
            Chat(
                id=1_000_000 + index,
                type="private",
                language="ru" if index % 2 else "en",
                timezone=ZONES[index % len(ZONES)],
                reminder_minutes=[60, 10] if index % 4 else [1440, 15],
                active=True,
                created_at=since,
                updated_at=since,
            )
            for index in range(chats)
        )
        await db.flush()
        subscriptions = []
        for index in range(chats):
            chat_id = 1_000_000 + index
            subscriptions.append(
                Subscription(chat_id=chat_id, kind="ifla", target="", created_at=since)
            )
            keyword = KEYWORDS[index % len(KEYWORDS)]
            subscriptions.append(
                Subscription(chat_id=chat_id, kind="keyword", target=keyword, created_at=since)
            )
            for session_id in rng.sample(session_ids, 3):
                subscriptions.append(
                    Subscription(
                        chat_id=chat_id,
                        kind="session",
                        target=str(session_id),
                        session_id=session_id,
                        created_at=since,
                    )
                )
        db.add_all(subscriptions)
    return session_ids


async def timed(
    repeat: int, run: Callable[[], Awaitable[int]], reset: Callable[[], Awaitable[None]]
) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        await reset()
        started = time.perf_counter()
        rows = await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


async def bench_backend(
    backend: str, url: str, chats: int, sessions: int, repeat: int
) -> list[Figure]:
    database = Database(url)
    await upgrade_to_head(database)
    settings = Settings(timezone="Asia/Baku", reminder_minutes=[60, 10])
    clock = FrozenClock(NOW)
    board = NullBoard()
    reminders = build_reminders(
        database, clock, settings, default_translator(), BotLinks("bench_bot"), board
    )
    session_ids = await populate(database, chats, sessions)
    ifla_session = session_ids[0]  # index 0 is an IFLA session: every chat wants it
    figures: list[Figure] = []

    async def clear_outbox() -> None:
        await reminders.planner.settle()  # a notice asks for a re-plan: not part of the timing
        async with database.transaction() as db:
            await db.execute(delete(OutboxMessage))
            await db.execute(delete(SentRecord))

    async def resolve() -> int:
        async with database.transaction() as db:
            session = await subs.get_session(db, ifla_session)
            assert session is not None
            return len(await subs.subscribers(db, session, ["topic0"]))

    async def fan_out() -> int:
        async with database.transaction() as db:
            session = await subs.get_session(db, ifla_session)
            assert session is not None
            start = session.start_at
        clock.set(start - timedelta(minutes=60))
        return await reminders.planner.fire(ifla_session, [60])

    async def plan() -> int:
        clock.set(NOW)
        report = await reminders.planner.plan()
        return len(report.scheduled)

    async def notice() -> int:
        clock.set(NOW)
        async with database.transaction() as db:
            session = await subs.get_session(db, ifla_session)
            assert session is not None
            change = SessionChange(
                session.id, ChangeKind.MOVED, session.title, session.start_at - timedelta(hours=1),
                session.start_at, session.room, session.room, True,
            )  # fmt: skip
            await reminders.notifier.sessions_changed(db, [change])
        async with database.transaction() as db:
            return sum((await outbox.count_by_status(db)).values())

    async def nothing() -> None:
        return None

    for step, run, reset in (
        ("resolve", resolve, nothing),
        ("fan-out", fan_out, clear_outbox),
        ("plan", plan, nothing),
        ("notice", notice, clear_outbox),
    ):
        seconds, rows = await timed(repeat, run, reset)
        figures.append(Figure(backend, chats, step, seconds, rows))
        print(
            f"  {backend:10} {chats:>6} chats  {step:8} {seconds * 1000:9.1f} ms  {rows:>6} rows",
            flush=True,
        )
    await reminders.planner.close()
    await database.dispose()
    return figures


async def postgres_scratch(admin_dsn: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    import asyncpg

    name = f"remotehub_bench_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(admin_dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    host = admin_dsn.split("@", 1)[1].rsplit("/", 1)[0]
    user = admin_dsn.split("//", 1)[1].split("@", 1)[0]

    async def drop() -> None:
        connection = await asyncpg.connect(admin_dsn)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()

    return f"postgresql+asyncpg://{user}@{host}/{name}", drop


async def main(args: argparse.Namespace) -> None:
    figures: list[Figure] = []
    for chats in args.chats:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
            figures += await bench_backend("sqlite", url, chats, args.sessions, args.repeat)
        if args.postgres:
            url, drop = await postgres_scratch(args.postgres_admin)
            try:
                figures += await bench_backend("postgresql", url, chats, args.sessions, args.repeat)
            finally:
                await drop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"reminders-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(
        json.dumps(
            {
                "sessions": args.sessions,
                "repeat": args.repeat,
                "figures": [{**asdict(f), "per_second": round(f.per_second)} for f in figures],
            },
            indent=2,
        )
    )
    print(f"written to {path}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--sessions", type=int, default=300, help="sessions in the forum week")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--postgres", action="store_true", help="also on a scratch PostgreSQL")
    parser.add_argument("--postgres-admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
