"""Reminder timing: 10,000 subscribers of one session, lead 10 minutes, at Telegram's pace.

The real application (this process) against the local Bot API server (a process of its own,
limits enforced, so every 429 it would earn is counted). The subscribers are written to the
database, then the bot starts and plans; the session starts ``lead`` minutes after the due
time the benchmark picks, far enough ahead for the broadcast to start early. Reported: the
first and the last reminder relative to the due time, the broadcast's length and pace, and
429s. The goal: the last at or before the due time, the first no earlier than the length
plus a minute before it, 0 429s. Results go to ``bench/results/reminder-timing-<time>.json``.

    .venv/bin/python bench/bench_reminder_timing.py                 # 10,000 (about 7 minutes)
    .venv/bin/python bench/bench_reminder_timing.py --count 1000    # a quick look
    .venv/bin/python bench/bench_reminder_timing.py --paid          # allow_paid_broadcast
    .venv/bin/python bench/bench_reminder_timing.py --database-url postgresql+asyncpg://...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOKEN = "777000:bench-token"
FIRST_CHAT = 3_000_000
TITLE = "IFLA: Libraries and the reminder benchmark"
RESULTS = Path(__file__).resolve().parent / "results"


def world(conn: Connection, count: int) -> None:
    asyncio.run(_world(conn, count))


async def _world(conn: Connection, count: int) -> None:
    """The people: ``count`` private chats; reports when each reminder arrived."""
    from localapi import LocalBotApiServer

    server = LocalBotApiServer(TOKEN, log_requests=False, clock=time.time)
    for chat_id in range(FIRST_CHAT, FIRST_CHAT + count):
        server.add_user(chat_id, f"Librarian {chat_id}")
    conn.send(await server.start())
    timeout = await asyncio.get_running_loop().run_in_executor(None, conn.recv)

    def arrivals() -> list[float]:
        return [m.time for m in server.sent if m.text and TITLE in m.text]

    # Only reminders are sent here: counting messages is enough (and cheap on every request).
    with contextlib.suppress(TimeoutError):
        await server.wait_until(lambda: len(server.sent) >= count, timeout)
    stats = server.stats()
    conn.send({"arrivals": sorted(arrivals()), "stats": stats})
    await server.stop()


async def run_bot(root: str, conn: Connection, url: str, options: dict[str, Any]) -> float:
    """Set up the subscribers and the session, run the bot until the world has its answer."""
    from bot.app import build_application
    from bot.runtime import start_bot, stop_bot
    from config.settings import Settings
    from storage.db import Database
    from storage.migrate import upgrade_to_head
    from storage.models import Chat, Session, Subscription

    count, lead = options["count"], options["lead"]
    database = Database(url)
    await upgrade_to_head(database)
    now = datetime.now(UTC)
    chats = range(FIRST_CHAT, FIRST_CHAT + count)
    # Free: count/26.55 s of sending; paid: a few seconds. Plus time to start and plan.
    sending = count / (100.0 if options["paid"] else 26.55)
    due = now + timedelta(seconds=sending + 25)
    async with database.transaction() as db:
        since = now - timedelta(days=1)
        db.add_all(
            Chat(id=chat_id, type="private", active=True, created_at=since, updated_at=since)
            for chat_id in chats
        )
        await db.flush()
        db.add_all(
            Subscription(chat_id=chat_id, kind="ifla", target="", created_at=since)
            for chat_id in chats
        )
        db.add(
            Session(
                key="bench-reminder-timing",
                title=TITLE,
                start_at=due + timedelta(minutes=lead),
                end_at=due + timedelta(minutes=lead + 90),
                timezone="UTC",
                persons=[],
                description="",
                is_ifla=True,
                created_at=now,
                updated_at=now,
            )
        )
    settings = Settings(
        token=TOKEN,
        api_url=root,
        database_url=url,
        reminder_minutes=[lead],
        broadcast={"paid": options["paid"]},
        web={"enabled": False},
    )
    application = build_application(settings)
    running = await start_bot(application, mode="polling")
    conn.send((due - datetime.now(UTC)).total_seconds() + 120)
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, conn.poll, None)
    finally:
        await stop_bot(running)
        await database.dispose()
    return due.timestamp()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--lead", type=int, default=10, help="minutes")
    parser.add_argument("--paid", action="store_true", help="[broadcast] paid = true")
    parser.add_argument("--database-url", help="a scratch database (default: SQLite in a temp dir)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    here, there = multiprocessing.Pipe()
    server = multiprocessing.Process(target=world, args=(there, args.count), daemon=True)
    server.start()
    root = here.recv()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'bench.db'}"
        options = {"count": args.count, "lead": args.lead, "paid": args.paid}
        cpu = time.process_time()
        due = asyncio.run(run_bot(root, here, url, options))
        cpu = time.process_time() - cpu
    answer = here.recv()
    server.join(10)
    arrivals = [at - due for at in answer["arrivals"]]
    stats = answer["stats"]
    length = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    result = {
        "count": args.count,
        "paid": args.paid,
        "backend": "postgresql" if args.database_url else "sqlite",
        "delivered": len(arrivals),
        "first_s": round(arrivals[0], 2) if arrivals else None,
        "last_s": round(arrivals[-1], 2) if arrivals else None,
        "median_s": round(statistics.median(arrivals), 2) if arrivals else None,
        "length_s": round(length, 2),
        "per_second": round((len(arrivals) - 1) / length, 2) if length else None,
        "server_429": stats["throttled_total"],
        "paid_sends": stats["paid_total"],
        "bot_cpu_s": round(cpu, 1),
    }
    goals = {
        "all delivered": len(arrivals) == args.count,
        "last at or before due": bool(arrivals) and arrivals[-1] <= 0,
        "first no earlier than length + 60 s": bool(arrivals) and arrivals[0] >= -(length + 60),
        "0 429s": stats["throttled_total"] == 0,
    }
    result["goals"] = goals
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"reminder-timing-{stamp}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
