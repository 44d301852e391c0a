"""Broadcast benchmark: 5,000 reminders all due at once, against Telegram's flood limits.

Two senders deliver the same messages to the same 5,000 private chats on a local Bot API
server (``localapi``) that answers 429 exactly where Telegram would:

* ``outbox``: RemoteHub's ``OutboxSender`` draining the persistent outbox (SQLite in a temp
  dir by default, ``--database-url`` for PostgreSQL: a scratch database, rows of kind
  ``bench`` are deleted before and after);
* ``aioratelimiter``: python-telegram-bot's plain ``AIORateLimiter`` on an ``ExtBot``, all
  messages sent with ``asyncio.gather`` in chunks (``--chunk``).

Each sender runs in a process of its own (so ``ru_maxrss`` is its own) and gets a fresh server
in another process. Reported: delivered messages, throughput as a fraction of 30/s, 429s,
lateness of the first and last message after the due time, tracemalloc peak and ru_maxrss.
Results are printed and written to ``bench/results/broadcast-<time>.json``.

    .venv/bin/python bench/bench_broadcast.py               # full run (~6 minutes)
    .venv/bin/python bench/bench_broadcast.py --count 300   # quick look
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TOKEN = "777000:bench-token"
FIRST_USER = 2_000_000
WARM_UP = FIRST_USER - 1  # one message before the due time opens connections, for both
TELEGRAM_RATE = 30.0
RESULTS = Path(__file__).resolve().parent / "results"
BENCH_KIND = "bench"


@dataclass
class Result:
    """One sender's figures."""

    sender: str
    count: int
    delivered: int = 0
    lost: int = 0
    received_429: int = 0
    server_429: int = 0
    seconds: float = 0.0
    per_second: float = 0.0
    fraction_of_30: float = 0.0
    first_late: float = 0.0
    last_late: float = 0.0
    tracemalloc_peak_mb: float = 0.0
    maxrss_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def finish(self, due: float, done: list[float]) -> None:
        """Fill the timing figures from completion times (epoch seconds)."""
        self.delivered = len(done)
        if not done:
            return
        done.sort()
        self.first_late = done[0] - due
        self.last_late = done[-1] - due
        self.seconds = done[-1] - done[0]
        if len(done) > 1 and self.seconds > 0:
            self.per_second = (len(done) - 1) / self.seconds
        self.fraction_of_30 = self.per_second / TELEGRAM_RATE


# ---- the server, in its own process ---------------------------------------------------------


def serve(conn: Connection, count: int) -> None:
    """Run a local Bot API server with ``count`` users until told to stop; report its stats."""
    from localapi import LocalBotApiServer

    async def main() -> None:
        server = LocalBotApiServer(TOKEN, log_requests=False)
        server.add_user(WARM_UP, "Warm-up")
        for index in range(count):
            server.add_user(FIRST_USER + index, f"Subscriber {index}")
        conn.send(await server.start())
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        chats = {m.chat_id for m in server.sent} - {WARM_UP}
        conn.send({**server.stats(), "delivered": len(chats)})
        await server.stop()

    asyncio.run(main())


def run_with_server(
    count: int, scenario: Callable[[Connection, str, dict[str, Any]], None], options: dict[str, Any]
) -> Result:
    """A fresh server process and a scenario process; the scenario's result plus server stats."""
    context = multiprocessing.get_context("spawn")
    server_end, server_conn = context.Pipe()
    server = context.Process(target=serve, args=(server_conn, count), daemon=True)
    server.start()
    root = server_end.recv()
    scenario_end, scenario_conn = context.Pipe()
    worker = context.Process(target=scenario, args=(scenario_conn, root, options))
    worker.start()
    result: Result = scenario_end.recv()
    worker.join()
    server_end.send("stop")
    stats = server_end.recv()
    server.join(timeout=10)
    result.server_429 = int(stats["throttled_total"])
    result.extra["server_delivered_chats"] = stats["delivered"]
    return result


def measure_memory(result: Result) -> None:
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result.tracemalloc_peak_mb = peak / 2**20
    result.maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def progress(name: str, done: Callable[[], int], total: int) -> asyncio.Task[None]:
    async def report() -> None:
        while True:
            await asyncio.sleep(15)
            print(f"  {name}: {done()}/{total}", file=sys.stderr, flush=True)

    return asyncio.create_task(report())


# ---- RemoteHub's outbox sender -----------------------------------------------------------


class TimedTransport:
    """Wraps the real transport and notes when each call came back successfully."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.done: list[float] = []

    async def call(self, method: str, payload: dict[str, Any]) -> int | None:
        result: int | None = await self.inner.call(method, payload)
        self.done.append(time.time())
        return result


def outbox_scenario(conn: Connection, root: str, options: dict[str, Any]) -> None:
    conn.send(asyncio.run(_outbox(root, options)))


async def _outbox(root: str, options: dict[str, Any]) -> Result:
    from sqlalchemy import delete
    from telegram import Bot

    from bot.clock import SystemClock
    from bot.outbox import OutboxSender
    from bot.outbox.ptb_transport import PtbTransport
    from storage.db import Database
    from storage.migrate import upgrade_to_head
    from storage.models import OutboxMessage
    from storage.repos import outbox
    from storage.repos.outbox import NewMessage, Priority

    count: int = options["count"]
    result = Result("outbox", count)
    database = Database(options["database_url"])
    await upgrade_to_head(database)
    async with database.transaction() as db:  # a scratch database: our rows only
        await db.execute(delete(OutboxMessage).where(OutboxMessage.kind == BENCH_KIND))
    clock = SystemClock()
    due = clock.now() + timedelta(seconds=options["lead"] + count / 2000)
    async with database.transaction() as db:
        for index in range(count):
            await outbox.enqueue(
                db,
                NewMessage(
                    key=f"bench:{index}",
                    chat_id=FIRST_USER + index,
                    kind=BENCH_KIND,
                    payload={"text": f"Reminder: session {index % 40} starts in 15 minutes"},
                    not_before=due,
                    priority=Priority.REMINDER,
                    expires_at=due + timedelta(hours=1),
                ),
                now=clock.now(),
            )
    result.extra["enqueue_done_before_due_s"] = (due - clock.now()).total_seconds()

    bot = Bot(TOKEN, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    await bot.initialize()
    await bot.send_message(WARM_UP, "warm-up")
    transport = TimedTransport(PtbTransport(bot))
    tracemalloc.start()
    sender = OutboxSender(database, transport, clock)
    await sender.start()  # idle until the reminders fall due
    ticker = progress("outbox", lambda: sender.stats.sent, count)
    await asyncio.sleep(max(0.0, (due - clock.now()).total_seconds()))
    await sender.run_until_idle(timeout=count / 20 + 120)
    await sender.stop()
    ticker.cancel()
    measure_memory(result)
    await bot.shutdown()

    stats = sender.stats
    result.finish(due.timestamp(), transport.done)
    result.received_429 = stats.rate_limited
    result.lost = count - stats.sent
    result.extra.update(
        claims=stats.claims, retried=stats.retried, transient_errors=stats.transient_errors
    )
    async with database.transaction() as db:
        result.extra["statuses"] = await outbox.count_by_status(db)
        await db.execute(delete(OutboxMessage).where(OutboxMessage.kind == BENCH_KIND))
    await database.dispose()
    return result


# ---- python-telegram-bot's AIORateLimiter ------------------------------------------------


def ptb_scenario(conn: Connection, root: str, options: dict[str, Any]) -> None:
    conn.send(asyncio.run(_ptb(root, options)))


async def _ptb(root: str, options: dict[str, Any]) -> Result:
    from telegram.error import RetryAfter
    from telegram.ext import AIORateLimiter, ExtBot

    # It logs a traceback for every 429 it gives up on; they are counted below instead.
    logging.getLogger("telegram").setLevel(logging.CRITICAL)
    count: int = options["count"]
    chunk: int = options["chunk"]
    result = Result("aioratelimiter", count)
    done: list[float] = []
    errors: dict[str, int] = {}
    tracemalloc.start()
    bot: ExtBot[Any] = ExtBot(
        TOKEN,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        rate_limiter=AIORateLimiter(),
    )

    async def send(index: int) -> None:
        text = f"Reminder: session {index % 40} starts in 15 minutes"
        try:
            await bot.send_message(chat_id=FIRST_USER + index, text=text)
        except RetryAfter:
            result.received_429 += 1
            errors["RetryAfter"] = errors.get("RetryAfter", 0) + 1
        except Exception as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        else:
            done.append(time.time())

    async with bot:
        await bot.send_message(WARM_UP, "warm-up")
        due = time.time() + options["lead"]
        await asyncio.sleep(due - time.time())
        ticker = progress("aioratelimiter", lambda: len(done), count)
        for start in range(0, count, chunk):
            await asyncio.gather(*(send(i) for i in range(start, min(start + chunk, count))))
        ticker.cancel()
    measure_memory(result)
    result.finish(due, done)
    result.lost = count - len(done)
    result.extra.update(chunk=chunk, errors=errors)
    return result


# ---- the report -----------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    rows = [
        ("sender", lambda r: r.sender),
        ("messages", lambda r: f"{r.delivered}/{r.count}"),
        ("lost", lambda r: str(r.lost)),
        ("msg/s", lambda r: f"{r.per_second:.2f}"),
        ("fraction of 30/s", lambda r: f"{r.fraction_of_30:.3f}"),
        ("429s received", lambda r: str(r.received_429)),
        ("429s answered by server", lambda r: str(r.server_429)),
        ("first message late (s)", lambda r: f"{r.first_late:.3f}"),
        ("last message late (s)", lambda r: f"{r.last_late:.1f}"),
        ("tracemalloc peak (MB)", lambda r: f"{r.tracemalloc_peak_mb:.1f}"),
        ("ru_maxrss (MB)", lambda r: f"{r.maxrss_mb:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = []
    for name, value in rows:
        cells = "".join(f"{value(result):>18}" for result in results)
        lines.append(f"{name:<{width}}{cells}")
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="reminders to send")
    parser.add_argument("--database-url", help="default: SQLite in a temporary directory")
    parser.add_argument("--chunk", type=int, default=100, help="gather chunk for AIORateLimiter")
    parser.add_argument("--lead", type=float, default=2.0, help="seconds from setup to due")
    parser.add_argument("--only", choices=["outbox", "aioratelimiter"], help="run one sender only")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="remotehub-bench-") as scratch:
        url = args.database_url or f"sqlite+aiosqlite:///{scratch}/bench.db"
        options = {"count": args.count, "chunk": args.chunk, "lead": args.lead}
        backend = url.split(":", 1)[0]
        if args.only in (None, "outbox"):
            print(f"outbox sender ({backend}), {args.count} messages...", file=sys.stderr)
            results.append(
                run_with_server(args.count, outbox_scenario, {**options, "database_url": url})
            )
        if args.only in (None, "aioratelimiter"):
            print(f"AIORateLimiter, {args.count} messages...", file=sys.stderr)
            results.append(run_with_server(args.count, ptb_scenario, options))
    print(table(results))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"broadcast-{stamp}.json"
    report = {
        "when": stamp,
        "count": args.count,
        "database": backend,
        "results": [asdict(result) for result in results],
    }
    path.write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
