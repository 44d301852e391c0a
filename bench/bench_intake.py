"""Intake benchmark: how fast an update is durably stored, and whether a crash loses any.

The local Bot API server runs in its own process (``python -m localapi``, Telegram's flood
limits on); people act through its control API (from a process of their own where the bot runs in
this one).

* ``intake`` (default): the real bot in this process (polling, or ``--webhook``). 1,000 askers
  within one minute, then a burst of 60 questions a second for 20 s, every question distinct,
  sent from a process of their own.
  Reported, from the moment a person sent the message: *inbox* (the update committed to the
  inbox: from then on a crash loses nothing) and *question* (the handler committed the
  question and its acknowledgement), p50/p99 per phase, and that each question is stored
  exactly once.
* ``--instances N`` (PostgreSQL): the same run against N ``remotehub run --webhook`` child
  processes behind a round-robin proxy (``localapi.proxy``), the local Bot API server
  delivering by webhook. Times come from the database: the inbox row's ``received_at`` and
  the question's ``created_at``, both written inside the storing transaction, a moment
  before its commit.
* ``--crash``: ``remotehub run`` as a child process, a burst of 500 questions, kill -9 in the
  middle, a restart; compares the questions the Bot API delivered with those stored. With
  ``--instances N`` (PostgreSQL): N webhook processes behind the proxy, the leader killed in
  the middle and not started again; the others go on, and the new leader rescues what the
  dead one had stored and not handled.

    .venv/bin/python bench/bench_intake.py                   # SQLite, ~2 min
    .venv/bin/python bench/bench_intake.py --postgres
    .venv/bin/python bench/bench_intake.py --postgres --instances 3
    .venv/bin/python bench/bench_intake.py --crash [--webhook] [--postgres]
    .venv/bin/python bench/bench_intake.py --crash --postgres --instances 3
    .venv/bin/python bench/bench_intake.py --askers 200 --minute 10 --burst-seconds 5   # quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import random
import re
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
LEADERSHIP = re.compile(r"leadership: (this process leads|lost the lease)")
RESCUED = re.compile(r"handling (\d+) updates another process stored and left")
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


def ask_all(
    client: httpx.Client, schedule: list[tuple[float, int]]
) -> list[tuple[int, int, float]]:
    """Each person's question at its offset (seconds from now): (person, message id, sent)."""
    sent: list[tuple[int, int, float]] = []
    start = time.time()
    for offset, person in schedule:
        delay = start + offset - time.time()
        if delay > 0:
            time.sleep(delay)
        at = time.time()
        response = client.post(
            "/_local/send_text", json={"user_id": person, "text": question_text(person)}
        )
        response.raise_for_status()
        sent.append((person, response.json()["result"]["message_id"], at))
    return sent


def _ask_in_a_process(root: str, schedule: list[tuple[float, int]], results: Any) -> None:
    with httpx.Client(base_url=root, timeout=30) as client:
        results.put(ask_all(client, schedule))


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
        for person, message_id, sent in ask_all(self.client, schedule):
            self.sent_at[(person, message_id)] = sent

    def ask_elsewhere(self, schedule: list[tuple[float, int]]) -> None:
        """The same from a process of its own: with the bot in this process, the people's
        own Python (building each request) would wait for the bot's GIL and count as its
        latency."""
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        people = context.Process(target=_ask_in_a_process, args=(self.root, schedule, results))
        people.start()
        for person, message_id, sent in results.get():
            self.sent_at[(person, message_id)] = sent
        people.join(30)

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
    askers, bursters, schedule = people_and_schedule(options)
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
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, world.ask_elsewhere, schedule)
    everyone = set(askers + bursters)
    deadline = time.time() + options["drain"]
    while time.time() < deadline and len(question_at) < len(everyone):  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    await stop_bot(running)
    authors = await stored_authors(url, session_id)
    stats = world.stats()
    world.stop()
    return {
        "mode": "webhook" if options["webhook"] else "polling",
        **figures(world, askers, bursters, inbox_at, question_at, authors),
        "server_429": stats.get("throttled_total"),
    }


def people_and_schedule(
    options: dict[str, Any],
) -> tuple[list[int], list[int], list[tuple[float, int]]]:
    """The minute's askers, the burst's, and when each asks (seconds from the start)."""
    rng = random.Random(2026)
    askers = [FIRST_PERSON + n for n in range(options["askers"])]
    burst_count = int(options["burst_rate"] * options["burst_seconds"])
    bursters = [FIRST_PERSON + options["askers"] + n for n in range(burst_count)]
    minute = sorted((rng.uniform(0, options["minute"]), person) for person in askers)
    burst = [
        (options["minute"] + index / options["burst_rate"], person)
        for index, person in enumerate(bursters)
    ]
    return askers, bursters, minute + burst


def figures(
    world: World,
    askers: list[int],
    bursters: list[int],
    inbox_at: dict[tuple[int, int], float],
    question_at: dict[tuple[int, int], float],
    authors: Counter[int],
) -> dict[str, Any]:
    """p50/p99/max per phase from each message's sending to its inbox row and its question."""

    def phase(people: set[int], at: dict[tuple[int, int], float]) -> dict[str, float]:
        waits = [
            (at[key] - sent) * 1000
            for key, sent in world.sent_at.items()
            if key[0] in people and key in at
        ]
        return {"n": len(waits), "p50": percentile(waits, 0.5), "p99": percentile(waits, 0.99),
                "max": percentile(waits, 1.0)}  # fmt: skip

    everyone = set(askers + bursters)
    return {
        "asked": len(world.sent_at),
        "minute": {"inbox_ms": phase(set(askers), inbox_at),
                   "question_ms": phase(set(askers), question_at)},
        "burst": {"inbox_ms": phase(set(bursters), inbox_at),
                  "question_ms": phase(set(bursters), question_at)},
        "stored_once": sum(1 for person in everyone if authors[person] == 1),
        "stored_twice_or_more": sum(1 for person in everyone if authors[person] > 1),
        "not_stored": sum(1 for person in everyone if authors[person] == 0),
    }  # fmt: skip


# ---- several instances ----------------------------------------------------------------------


async def stored_times(
    url: str, session_id: int
) -> tuple[dict[tuple[int, int], float], dict[tuple[int, int], float]]:
    """(chat, message id) -> when its update reached the inbox, and when its question was
    stored, as the processes wrote them in the storing transactions."""
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import InboxUpdate, Question

    database = Database(url)
    inbox_at: dict[tuple[int, int], float] = {}
    question_at: dict[tuple[int, int], float] = {}
    async with database.transaction() as db:
        for payload, received_at in await db.execute(
            select(InboxUpdate.payload, InboxUpdate.received_at)
        ):
            message = payload.get("message")
            if message is not None:
                key = (message["chat"]["id"], message["message_id"])
                inbox_at.setdefault(key, received_at.timestamp())
        for chat_id, message_id, created_at in await db.execute(
            select(Question.chat_id, Question.message_id, Question.created_at).where(
                Question.session_id == session_id
            )
        ):
            if message_id is not None:
                question_at.setdefault((chat_id, message_id), created_at.timestamp())
    await database.dispose()
    return inbox_at, question_at


async def wait_listening(port: int, within: float = 30.0) -> None:
    deadline = time.time() + within
    while time.time() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        writer.close()
        return
    raise RuntimeError(f"no bot process listening on port {port}")


async def instances_run(url: str, options: dict[str, Any], scratch: Path) -> dict[str, Any]:
    from localapi.proxy import RoundRobinProxy

    world = World()
    world.start()
    askers, bursters, schedule = people_and_schedule(options)
    world.add_people(askers + bursters)
    session_id = await make_session(url)
    proxy = RoundRobinProxy()
    await proxy.start()
    ports = [free_port() for _ in range(options["instances"])]
    proxy.backends.extend(f"http://127.0.0.1:{port}" for port in ports)
    processes = [
        bot_process(
            world.root, url, True, port, scratch / f"instance-{n}.log", public_url=proxy.url
        )
        for n, port in enumerate(ports)
    ]
    try:
        for port in ports:
            await wait_listening(port)
        await asyncio.sleep(3)  # every process has set the webhook and one leads
        await asyncio.get_running_loop().run_in_executor(None, world.ask, schedule)
        everyone = len(askers) + len(bursters)
        deadline = time.time() + options["drain"]
        while time.time() < deadline:
            if sum((await stored_authors(url, session_id)).values()) >= everyone:
                break
            await asyncio.sleep(1)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
        await proxy.stop()
    authors = await stored_authors(url, session_id)
    inbox_at, question_at = await stored_times(url, session_id)
    stats = world.stats()
    world.stop()
    return {
        "mode": f"webhook, {options['instances']} instances",
        **figures(world, askers, bursters, inbox_at, question_at, authors),
        "updates_per_instance": sorted(proxy.handled.values()),
        "server_429": stats.get("throttled_total"),
    }


# ---- crash ----------------------------------------------------------------------------------


def bot_process(
    api_root: str,
    url: str,
    webhook: bool,
    port: int,
    log: Path,
    public_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``remotehub run`` in a child process: polling, or a webhook on ``port``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMOTEHUB_")}
    env |= {"REMOTEHUB_TOKEN": TOKEN, "REMOTEHUB_API_URL": api_root,
            "REMOTEHUB_DATABASE_URL": url,
            "REMOTEHUB_QUESTIONS__COOLDOWN_SECONDS": "0"}  # fmt: skip
    if webhook:
        env |= {"REMOTEHUB_TELEGRAM__MODE": "webhook", "REMOTEHUB_WEB__LISTEN": f"127.0.0.1:{port}"}
    if public_url is not None:
        env["REMOTEHUB_WEB__PUBLIC_URL"] = public_url
    env |= extra_env or {}
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=env,
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


async def wait_all_stored(
    world: World, url: str, session_id: int, questions: int, within: float
) -> float:
    """Wait until ``questions`` are stored and the Bot API holds nothing undelivered; when
    that was (NaN if it never was, within ``within`` seconds)."""
    deadline = time.time() + within
    while time.time() < deadline:
        stored = await stored_authors(url, session_id)
        if sum(stored.values()) >= questions and world.stats()["pending_updates"] == 0:
            return time.time()
        await asyncio.sleep(0.5)
    return float("nan")


async def crash_world(url: str, options: dict[str, Any]) -> tuple[World, list[int], int]:
    """The local Bot API server with the burst's people, and the session they ask in."""
    world = World()
    world.start()
    people = [FIRST_PERSON + n for n in range(options["crash_questions"])]
    world.add_people(people)
    return world, people, await make_session(url)


async def crash_run(url: str, options: dict[str, Any], scratch: Path) -> dict[str, Any]:
    world, people, session_id = await crash_world(url, options)
    port = free_port()
    first = bot_process(world.root, url, options["webhook"], port, scratch / "first.log")
    await asyncio.sleep(3)  # up and polling (or its webhook set)
    schedule = [(index / options["crash_rate"], person) for index, person in enumerate(people)]
    sender = threading.Thread(target=world.ask, args=(schedule,))
    sender.start()
    await asyncio.sleep(options["crash_after"])
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = time.time()
    sender.join()
    before = await stored_authors(url, session_id)
    second = bot_process(world.root, url, options["webhook"], port, scratch / "second.log")
    await wait_all_stored(world, url, session_id, len(people), options["drain"])
    second.send_signal(signal.SIGTERM)
    second.wait(30)
    stored = await stored_authors(url, session_id)
    stats = world.stats()
    world.stop()
    return {
        "mode": "webhook" if options["webhook"] else "polling",
        "questions": len(people),
        "sent_before_kill": sum(1 for at in world.sent_at.values() if at <= killed_at),
        "stored_before_restart": sum(before.values()),
        "pending_at_bot_api_after": stats["pending_updates"],
        "lost": sum(1 for person in people if stored[person] == 0),
        "stored_twice": sum(1 for person in people if stored[person] > 1),
        "stored_once": sum(1 for person in people if stored[person] == 1),
    }


def _leaders(logs: list[Path], processes: list[subprocess.Popen[bytes]]) -> list[int]:
    """The indexes of the live processes whose log's last word on leadership is "leads"."""
    found = []
    for index, (log, process) in enumerate(zip(logs, processes, strict=True)):
        said = LEADERSHIP.findall(log.read_text(errors="replace"))
        if process.poll() is None and said and said[-1] == "this process leads":
            found.append(index)
    return found


async def crash_instances_run(url: str, options: dict[str, Any], scratch: Path) -> dict[str, Any]:
    """N webhook processes behind the proxy; the leader killed with kill -9 mid-burst and not
    started again: the others take the lease, and the leader rescues what the dead one
    stored and left (after ``ORPHAN_AFTER``)."""
    from localapi.proxy import RoundRobinProxy

    world, people, session_id = await crash_world(url, options)
    proxy = RoundRobinProxy()
    await proxy.start()
    ports = [free_port() for _ in range(options["instances"])]
    proxy.backends.extend(f"http://127.0.0.1:{port}" for port in ports)
    logs = [scratch / f"instance-{n}.log" for n in range(len(ports))]
    processes = [
        bot_process(world.root, url, True, port, log, public_url=proxy.url)
        for port, log in zip(ports, logs, strict=True)
    ]
    schedule = [(index / options["crash_rate"], person) for index, person in enumerate(people)]
    started = time.time()
    try:
        for port in ports:
            await wait_listening(port)
        while len(_leaders(logs, processes)) != 1 and time.time() < started + 60:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        leader = _leaders(logs, processes)[0]
        await asyncio.sleep(2)  # every process has set the webhook
        sender = threading.Thread(target=world.ask, args=(schedule,))
        sender.start()
        await asyncio.sleep(options["crash_after"])
        processes[leader].send_signal(signal.SIGKILL)
        processes[leader].wait(10)
        kill_time = time.time()
        stored_at_kill = sum((await stored_authors(url, session_id)).values())
        sender.join()
        all_stored = await wait_all_stored(world, url, session_id, len(people), options["drain"])
        new_leaders = _leaders(logs, processes)
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(30)
        await proxy.stop()
    stored = await stored_authors(url, session_id)
    stats = world.stats()
    world.stop()
    return {
        "mode": f"webhook, {options['instances']} instances, the leader killed",
        "questions": len(people),
        "sent_before_kill": sum(1 for at in world.sent_at.values() if at <= kill_time),
        "stored_at_kill": stored_at_kill,
        "killed": leader,
        "new_leader": new_leaders,
        "pending_at_bot_api_after": stats["pending_updates"],
        # Updates the dead process had stored and not handled, handled by the new leader.
        "rescued": sum(
            int(count) for log in logs for count in RESCUED.findall(log.read_text(errors="replace"))
        ),
        "all_stored_after_kill_s": round(all_stored - kill_time, 1),
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
    parser.add_argument("--instances", type=int, default=1, help="several need --postgres")
    parser.add_argument("--crash", action="store_true")
    parser.add_argument("--crash-questions", type=int, default=500)
    parser.add_argument("--crash-rate", type=float, default=100.0)
    parser.add_argument("--crash-after", type=float, default=2.5)
    args = parser.parse_args()
    if args.instances > 1 and not args.postgres:
        parser.error("--instances: several instances share PostgreSQL (add --postgres)")
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
            if args.crash and args.instances > 1:
                result = asyncio.run(crash_instances_run(url, options, Path(scratch)))
            elif args.crash:
                result = asyncio.run(crash_run(url, options, Path(scratch)))
            elif args.instances > 1:
                result = asyncio.run(instances_run(url, options, Path(scratch)))
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
    mode = result["mode"].replace(", ", "-").replace(" ", "")
    path = RESULTS / f"{kind}-{mode}-{backend}-{stamp}.json"
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
