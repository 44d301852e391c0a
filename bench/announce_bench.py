"""Announcements and the programme views at event scale.

How long the announcer's timed pass takes (first pass with everything new, then the steady
state every minute), a change batch and a news batch inside a transaction, and the latency of
/sessions, /now and the card as people see them.

    PYTHONPATH=. python bench/announce_bench.py [--sessions 3000] [--ifla 0.1] [--database URL]

Prints the figures and writes ``bench/results/announce.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.clock import FrozenClock
from bot.i18n import default_translator
from bot.links import BotLinks
from bot.programme.announcer import Announcer
from bot.programme.browse import ProgrammeBrowser
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from config.settings import Settings
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.models import Session

RESULTS = Path(__file__).parent / "results" / "announce.json"
START = datetime(2026, 6, 22, 4, 0, tzinfo=UTC)  # 08:00 in Baku, first day
ROOMS = [f"Room {n}" for n in range(1, 31)]


async def _fill(database: Database, count: int, ifla_share: float) -> list[int]:
    """``count`` sessions over five days in 30 rooms; about ``ifla_share`` of them IFLA's."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    rows = []
    for index in range(count):
        start = START + timedelta(days=index % 5, minutes=30 * rng.randrange(0, 24))
        rows.append(
            Session(
                key=f"bench-{index}",
                title=f"Session {index}: {'IFLA ' if rng.random() < ifla_share else ''}topic",
                start_at=start,
                end_at=start + timedelta(minutes=90),
                timezone="Asia/Baku",
                room=rng.choice(ROOMS),
                persons=["Speaker A", "Speaker B"],
                description="<p>" + "Text about the session. " * 40 + "</p>",
                is_ifla=False,
                created_at=now,
                updated_at=now,
            )
        )
        rows[-1].is_ifla = "IFLA" in rows[-1].title
    async with database.transaction() as db:
        db.add_all(rows)
        await db.flush()
        return [row.id for row in rows if row.is_ifla]


async def _timed(action: Callable[[], Awaitable[Any]], repeat: int = 1) -> list[float]:
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def _summary(durations: list[float]) -> dict[str, float]:
    ordered = sorted(durations)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 2),
        "max_ms": round(ordered[-1], 2),
    }


async def run(database_url: str, sessions: int, ifla_share: float) -> dict[str, Any]:
    database = Database(database_url)
    await upgrade_to_head(database)
    try:
        ifla_ids = await _fill(database, sessions, ifla_share)
        clock = FrozenClock(START - timedelta(minutes=1))
        settings = Settings(
            announce_chat_id=-100123,
            timezone="Asia/Baku",
            announce={"digest_time": "08:00"},
            webcasts={room: f"https://example.org/live/{n}" for n, room in enumerate(ROOMS)},
        )
        common: dict[str, Any] = {
            "database": database,
            "settings": settings,
            "translator": default_translator(),
            "clock": clock,
        }
        announcer = Announcer(**common, links=BotLinks("bench_bot"))
        first_queued = 0

        async def first() -> None:
            nonlocal first_queued
            first_queued = await announcer.run_due()

        first_pass = await _timed(first)
        clock.advance(timedelta(minutes=2))  # the digest falls due too
        steady = await _timed(announcer.run_due, repeat=30)

        async def change_batch() -> None:
            async with database.transaction() as db:
                changes = []
                for session_id in ifla_ids[:100]:
                    row = await db.get(Session, session_id)
                    assert row is not None
                    row.start_at += timedelta(minutes=15)
                    row.end_at += timedelta(minutes=15)
                    changes.append(
                        SessionChange(
                            row.id, ChangeKind.MOVED, row.title,
                            row.start_at - timedelta(minutes=15), row.start_at,
                            row.room, row.room, True,
                        )
                    )  # fmt: skip
                await announcer.sessions_changed(db, changes)

        changes = await _timed(change_batch)
        items = [
            NewsItem(n, 1, "IFLA news", f"guid-{n}", f"News {n}", f"https://ifla.example/{n}",
                     START, "<p>" + "Some <b>news</b> text. " * 250 + "</p>")
            for n in range(200)
        ]  # fmt: skip

        async def news_batch() -> None:
            async with database.transaction() as db:
                await announcer.news_arrived(db, items)

        news = await _timed(news_batch)
        browser = ProgrammeBrowser(**common, links=BotLinks("bench_bot"))
        clock.set(START + timedelta(hours=2))
        page_one = await _timed(lambda: browser.upcoming(1, "en", 1), repeat=50)
        page_far = await _timed(lambda: browser.upcoming(1, "ru", 200), repeat=50)
        live = await _timed(lambda: browser.live(1, "en"), repeat=50)
        card = await _timed(lambda: browser.card(1, "ru", ifla_ids[0]), repeat=50)
        return {
            "backend": database.dialect,
            "sessions": sessions,
            "ifla_sessions": len(ifla_ids),
            "first_pass": {"queued": first_queued, **_summary(first_pass)},
            "steady_tick": _summary(steady),
            "change_batch_100_moved": _summary(changes),
            "news_batch_200": _summary(news),
            "sessions_page_1": _summary(page_one),
            "sessions_page_far": _summary(page_far),
            "now": _summary(live),
            "card": _summary(card),
        }
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=3000)
    parser.add_argument("--ifla", type=float, default=0.1, help="share of IFLA sessions")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{folder}/bench.db"
        figures = asyncio.run(run(url, args.sessions, args.ifla))
    for name, value in figures.items():
        print(f"{name:>24}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[figures["backend"]] = {"at": datetime.now(UTC).isoformat(), **figures}
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
