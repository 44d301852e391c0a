"""Intake benchmark: how fast an update is durably stored, and whether a crash loses any.

The local Bot API server runs in its own process (``python -m localapi``, Telegram's flood
limits on); people act through its control API from a thread of their own.

* ``intake`` (default): the real bot in this process (polling, or ``--webhook``). 1,000 askers
  within one minute, then a burst of 60 questions a second for 20 s, every question distinct.
  Reported, from the moment a person sent the message: *inbox* (the update committed to the
  inbox: from then on a crash loses nothing) and *question* (the handler committed the
  question and its acknowledgement), p50/p99 per phase, and that each question is stored
  exactly once.
* ``--crash``: ``remotehub run`` as a child process, a burst of 500 questions, kill -9 in the
  middle, a restart; compares the questions the Bot API delivered with those stored.

    .venv/bin/python bench/bench_intake.py                   # SQLite, ~2 min
    .venv/bin/python bench/bench_intake.py --postgres
    .venv/bin/python bench/bench_intake.py --crash [--webhook] [--postgres]
    .venv/bin/python bench/bench_intake.py --askers 200 --minute 10 --burst-seconds 5   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "555001:bench-intake-token"
FIRST_PERSON = 5_000_000
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RESULTS = ROOT / "bench" / "results"
SYLLABLES = [
    *["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "da", "fu", "go"],
    *["hi", "ja", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "vu"],
]


def question_text(person: int) -> str:
    rng = random.Random(person)
    words = ["".join(rng.sample(SYLLABLES, 3)) for _ in range(6)]
    return f"/ask {person}: what about {' '.join(words)}?"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class World:
    """The local Bot API server process and the people acting through its control API."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(base_url=self.root, timeout=30)
        self.sent_at: dict[tuple[int, int], float] = {}  # (chat, message id) -> when sent

    def start(self) -> None:
        command = [sys.executable, "-m", "localapi", "--port", str(self.port), "--token", TOKEN]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                self.client.get("/_local/stats")
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the local Bot API server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    def act(self, action: str, **arguments: Any) -> Any:
        response = self.client.post(f"/_local/{action}", json=arguments)
        response.raise_for_status()
        return response.json()["result"]

    def add_people(self, people: list[int]) -> None:
        for person in people:
            self.act("add_user", user_id=person, first_name=f"Person {person}")

    def ask(self, schedule: list[tuple[float, int]]) -> None:
        """Send each person's question at its offset (seconds from now), from this thread."""
        start = time.time()
        for offset, person in schedule:
            delay = start + offset - time.time()
            if delay > 0:
                time.sleep(delay)
            sent = time.time()
            message = self.act("send_text", user_id=person, text=question_text(person))
            self.sent_at[(person, message["message_id"])] = sent

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.client.get("/_local/stats").json()["result"]
        return result


async def make_session(url: str) -> int:
    from storage.db import Database
    from storage.migrate import upgrade_to_head
    from storage.models import Session

    database = Database(url)
    await upgrade_to_head(database)
    now = datetime.now(UTC)
    async with database.transaction() as db:
        session = Session(
            key=f"bench-{uuid.uuid4().hex[:8]}",
            title="Benchmark session",
            start_at=now - timedelta(minutes=5),
            end_at=now + timedelta(hours=2),
            timezone="UTC",
            persons=[],
            description="",
            created_at=now,
            updated_at=now,
        )
        db.add(session)
        await db.flush()
        session_id = session.id
    await database.dispose()
    return session_id


async def stored_authors(url: str, session_id: int) -> Counter[int]:
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import Question

    database = Database(url)
    async with database.transaction() as db:
        authors = await db.scalars(
            select(Question.author_id).where(Question.session_id == session_id)
        )
        counted = Counter(authors.all())
    await database.dispose()
    return counted


# ---- intake latency -------------------------------------------------------------------------


async def intake_run(url: str, options: dict[str, Any]) -> dict[str, Any]:
    from bot.app import build_application
    from bot.questions.asking import AskingService, Submitted
    from bot.runtime import start_bot, stop_bot
    from config.settings import Settings

    world = World()
    world.start()
    rng = random.Random(2026)
    askers = [FIRST_PERSON + n for n in range(options["askers"])]
    burst_count = int(options["burst_rate"] * options["burst_seconds"])
    bursters = [FIRST_PERSON + options["askers"] + n for n in range(burst_count)]
    world.add_people(askers + bursters)
    session_id = await make_session(url)

    inbox_at: dict[tuple[int, int], float] = {}
    question_at: dict[tuple[int, int], float] = {}
    store = AskingService._store

    async def timed_store(self: AskingService, asker: Any, *args: Any) -> Any:
        outcome = await store(self, asker, *args)
        if isinstance(outcome, Submitted) and args[2] is not None:
            question_at.setdefault((asker.chat_id, args[2]), time.time())
        return outcome

    AskingService._store = timed_store  # type: ignore[method-assign]
    values: dict[str, Any] = {
        "token": TOKEN,
        "api_url": world.root,
        "database_url": url,
        "questions": {"cooldown_seconds": 0},
        "telegram": {"concurrency": options["concurrency"]} if options["concurrency"] else {},
    }
    if options["webhook"]:
        values["telegram"] |= {"mode": "webhook"}
        values["web"] = {"listen": "127.0.0.1:0"}
    application = build_application(Settings(**values))
    running = await start_bot(application)
    writer = running.intake.writer
    original_store = writer.store

    async def timed_inbox(items: list[Any]) -> set[int]:
        new_ids = await original_store(items)
        now = time.time()
        for item in items:
            message = item.payload.get("message")
            if message is not None:
                inbox_at.setdefault((message["chat"]["id"], message["message_id"]), now)
        return new_ids

    writer.store = timed_inbox  # type: ignore[method-assign]
    minute = sorted((rng.uniform(0, options["minute"]), person) for person in askers)
    burst = [
        (options["minute"] + index / options["burst_rate"], person)
        for index, person in enumerate(bursters)
    ]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, world.ask, minute + burst)
    everyone = set(askers + bursters)
    deadline = time.time() + options["drain"]
    while time.time() < deadline and len(question_at) < len(everyone):  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    await stop_bot(running)
    authors = await stored_authors(url, session_id)
    stats = world.stats()
    world.stop()

    def phase(people: set[int], at: dict[tuple[int, int], float]) -> dict[str, float]:
        waits = [
            (at[key] - sent) * 1000
            for key, sent in world.sent_at.items()
            if key[0] in people and key in at
        ]
        return {"n": len(waits), "p50": percentile(waits, 0.5), "p99": percentile(waits, 0.99),
                "max": percentile(waits, 1.0)}  # fmt: skip

    return {
        "mode": "webhook" if options["webhook"] else "polling",
        "asked": len(world.sent_at),
        "minute": {"inbox_ms": phase(set(askers), inbox_at),
                   "question_ms": phase(set(askers), question_at)},
        "burst": {"inbox_ms": phase(set(bursters), inbox_at),
                  "question_ms": phase(set(bursters), question_at)},
        "stored_once": sum(1 for person in everyone if authors[person] == 1),
        "stored_twice_or_more": sum(1 for person in everyone if authors[person] > 1),
        "not_stored": sum(1 for person in everyone if authors[person] == 0),
        "server_429": stats.get("throttled_total"),
    }  # fmt: skip


# ---- crash ----------------------------------------------------------------------------------


def bot_process(
    world: World, url: str, webhook: bool, port: int, log: Path
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMOTEHUB_")}
    env |= {"REMOTEHUB_TOKEN": TOKEN, "REMOTEHUB_API_URL": world.root,
            "REMOTEHUB_DATABASE_URL": url,
            "REMOTEHUB_QUESTIONS__COOLDOWN_SECONDS": "0"}  # fmt: skip
    if webhook:
        env |= {"REMOTEHUB_TELEGRAM__MODE": "webhook", "REMOTEHUB_WEB__LISTEN": f"127.0.0.1:{port}"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


async def crash_run(url: str, options: dict[str, Any], scratch: Path) -> dict[str, Any]:
    world = World()
    world.start()
    people = [FIRST_PERSON + n for n in range(options["crash_questions"])]
    world.add_people(people)
    session_id = await make_session(url)
    port = free_port()
    first = bot_process(world, url, options["webhook"], port, scratch / "first.log")
    await asyncio.sleep(3)  # up and polling (or its webhook set)
    schedule = [(index / options["crash_rate"], person) for index, person in enumerate(people)]
    sender = threading.Thread(target=world.ask, args=(schedule,))
    sender.start()
    await asyncio.sleep(options["crash_after"])
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = len(world.sent_at)
    sender.join()
    before = await stored_authors(url, session_id)
    second = bot_process(world, url, options["webhook"], port, scratch / "second.log")
    deadline = time.time() + options["drain"]
    while time.time() < deadline:
        stored = await stored_authors(url, session_id)
        pending = world.stats()["pending_updates"]
        if sum(stored.values()) >= len(people) and pending == 0:
            break
        await asyncio.sleep(1)
    second.send_signal(signal.SIGTERM)
    second.wait(30)
    stored = await stored_authors(url, session_id)
    stats = world.stats()
    world.stop()
    return {
        "mode": "webhook" if options["webhook"] else "polling",
        "questions": len(people),
        "sent_before_kill": killed_at,
        "stored_before_restart": sum(before.values()),
        "pending_at_bot_api_after": stats["pending_updates"],
        "lost": sum(1 for person in people if stored[person] == 0),
        "stored_twice": sum(1 for person in people if stored[person] > 1),
        "stored_once": sum(1 for person in people if stored[person] == 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--askers", type=int, default=1000)
    parser.add_argument("--minute", type=float, default=60.0)
    parser.add_argument("--burst-rate", type=float, default=60.0)
    parser.add_argument("--burst-seconds", type=float, default=20.0)
    parser.add_argument("--drain", type=float, default=120.0)
    parser.add_argument("--webhook", action="store_true")
    parser.add_argument("--concurrency", type=int, default=0, help="0: the configured default")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--crash", action="store_true")
    parser.add_argument("--crash-questions", type=int, default=500)
    parser.add_argument("--crash-rate", type=float, default=100.0)
    parser.add_argument("--crash-after", type=float, default=2.5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    options = {key.replace("-", "_"): value for key, value in vars(args).items()}
    backend = "postgresql" if args.postgres else "sqlite"
    with tempfile.TemporaryDirectory(prefix="remotehub-intake-") as scratch:
        name = f"remotehub_bench_{uuid.uuid4().hex[:10]}"
        if args.postgres:
            asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        else:
            url = f"sqlite+aiosqlite:///{scratch}/bench.db"
        try:
            if args.crash:
                result = asyncio.run(crash_run(url, options, Path(scratch)))
            else:
                result = asyncio.run(intake_run(url, options))
        finally:
            if args.postgres:
                asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    result["database"] = backend
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "crash" if args.crash else "intake"
    path = RESULTS / f"{kind}-{result['mode']}-{backend}-{stamp}.json"
    path.write_text(json.dumps({"when": stamp, **result}, indent=2))
    print(f"written to {path}", file=sys.stderr)


async def _pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


if __name__ == "__main__":
    main()
