"""Question relay benchmark: 1,000 participants ask within one minute while moderators pull /next.

The real bot (polling, handlers, relay, outbox sender) runs in this process against a local Bot
API server (``localapi``) in another process that enforces Telegram's flood limits and
plays the people: each participant sends ``/ask <question>`` once, at a random moment of the
minute; three moderators pick the session and loop /next -> Answered.

Reported, from the moment the server hands an update to the bot (getUpdates; updates are
handled through the intake, see bench/bench_intake.py for its own figures):
* stored: until the transaction that stores the question (and queues its acknowledgement)
  has committed;
* acknowledged: until the "received" message reaches the server (flood limits bound this:
  at most 30 messages a second leave the bot, answers to moderators and notices included);
and that every acknowledged question is in the session's export.

    .venv/bin/python bench/bench_questions.py                 # SQLite in a temp dir (~2 min)
    .venv/bin/python bench/bench_questions.py --postgres      # a scratch PostgreSQL database
    .venv/bin/python bench/bench_questions.py --people 200 --minute 15   # quick look

Figures are printed and written to ``bench/results/questions-<backend>-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import logging
import multiprocessing
import random
import re
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

TOKEN = "555000:bench-questions-token"
BOT_USERNAME = "remotehub_bench_bot"
FIRST_PERSON = 3_000_000
MODERATORS = [2_900_001, 2_900_002, 2_900_003]
RESULTS = Path(__file__).resolve().parent / "results"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RECEIVED = re.compile(r"(?:Received: question #|Принято: вопрос №)(\d+)")
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "da", "fu", "go"]
SYLLABLES += ["hi", "ja", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "vu"]


def question_text(rng: random.Random, person: int) -> str:
    """A question no other participant's text resembles (so none is offered as a duplicate)."""
    words = ["".join(rng.sample(SYLLABLES, 3)) for _ in range(6)]
    return f"{person}: what about {' '.join(words)}?"


# ---- the people's side: a server process ------------------------------------------------------


def world(conn: Connection, options: dict[str, Any]) -> None:
    asyncio.run(_world(conn, options))


async def _world(conn: Connection, options: dict[str, Any]) -> None:
    from localapi import LocalBotApiServer

    server = LocalBotApiServer(
        TOKEN, bot_username=BOT_USERNAME, log_requests=False, clock=time.time
    )
    people = [FIRST_PERSON + index for index in range(options["people"])]
    for index, person in enumerate(people):
        server.add_user(person, f"Person {person}", "ru" if index % 3 == 0 else "en")
    for moderator in MODERATORS:
        server.add_user(moderator, f"Moderator {moderator}", "en")
    delivered: dict[tuple[int, int], float] = {}
    updates = server.core.updates
    fetch = updates.get_updates

    async def stamped(offset: int | None, limit: int, poll: float) -> list[dict[str, Any]]:
        batch = await fetch(offset, limit, poll)
        now = time.time()
        for update in batch:
            message = update.get("message")
            if message is not None:
                delivered.setdefault((message["chat"]["id"], message["message_id"]), now)
        return batch

    updates.get_updates = stamped  # type: ignore[method-assign]
    conn.send(await server.start())
    loop = asyncio.get_running_loop()
    session_id = await loop.run_in_executor(None, conn.recv)
    asking_done = asyncio.Event()
    answered: list[float] = []

    async def participants() -> None:
        rng = random.Random(options["seed"])
        schedule = sorted((rng.uniform(0, options["minute"]), person) for person in people)
        start = loop.time()
        for offset, person in schedule:
            await asyncio.sleep(max(0.0, start + offset - loop.time()))
            server.send_text(person, f"/ask {question_text(rng, person)}")
        asking_done.set()

    async def moderator(user: int) -> None:
        async def reply(text: str) -> Any:
            seen = len(server.messages_to(user))
            server.send_text(user, text)
            return (await server.wait_for_count(user, seen + 1, 120))[seen]

        await reply(f"/moderate {session_id}")
        while not (asking_done.is_set() and len(acknowledged()) >= len(asked())):
            card = await reply("/next")
            buttons = [d for d in card.callback_data if d.startswith("mq:ans:")]
            if not buttons:
                await asyncio.sleep(1)
                continue
            server.press_button(user, card.message_id, buttons[0])
            await server.wait_until(lambda card=card: card.is_edited, 120)
            answered.append(time.time())

    everyone = set(people)

    def asked() -> list[tuple[int, int]]:
        return [key for key in delivered if key[0] in everyone]

    def acknowledged() -> dict[int, tuple[int, float]]:
        acks: dict[int, tuple[int, float]] = {}
        for message in server.sent:
            found = RECEIVED.search(message.text or "")
            if found and message.chat_id not in acks:
                acks[message.chat_id] = (int(found.group(1)), message.time)
        return acks

    watchers = [asyncio.create_task(moderator(user)) for user in MODERATORS]
    await participants()
    with contextlib.suppress(TimeoutError):
        await server.wait_until(lambda: len(acknowledged()) >= len(people), options["drain"])
    await asyncio.wait(watchers, timeout=30)
    for task in watchers:
        task.cancel()
    asks = {
        chat: (message_id, at) for (chat, message_id), at in delivered.items() if chat in everyone
    }
    conn.send(
        {
            "delivered": asks,
            "acknowledged": acknowledged(),
            "answered_by_moderators": len(answered),
            "server": server.stats(),
        }
    )
    await loop.run_in_executor(None, conn.recv)
    await server.stop()


# ---- the bot's side: this process ---------------------------------------------------------------


async def run_bot(root: str, conn: Connection, url: str, options: dict[str, Any]) -> dict[str, Any]:
    from bot.app import build_application
    from bot.questions.asking import AskingService, Submitted
    from bot.questions.export import render_csv
    from bot.runtime import start_bot, stop_bot
    from config.settings import Settings
    from storage.db import Database
    from storage.migrate import upgrade_to_head
    from storage.models import Session

    stored_at: dict[tuple[int, int], float] = {}
    started_at: dict[tuple[int, int], float] = {}
    store, ask = AskingService._store, AskingService.ask_with_text

    async def timed_ask(
        self: AskingService, asker: Any, text: str, message_id: Any, ack: Any
    ) -> Any:
        started_at.setdefault((asker.chat_id, message_id), time.time())
        return await ask(self, asker, text, message_id, ack)

    async def timed_store(self: AskingService, asker: Any, *args: Any) -> Any:
        outcome = await store(self, asker, *args)
        message_id = args[2]
        if isinstance(outcome, Submitted) and message_id is not None:
            stored_at.setdefault((asker.chat_id, message_id), time.time())
        return outcome

    AskingService._store = timed_store  # type: ignore[method-assign]
    AskingService.ask_with_text = timed_ask  # type: ignore[method-assign]

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
    settings = Settings(token=TOKEN, api_url=root, database_url=url, moderators=MODERATORS)
    application = build_application(settings)
    update_seconds: list[float] = []
    process_update = application.process_update

    async def timed_update(update: object) -> None:
        began = time.perf_counter()
        await process_update(update)
        update_seconds.append(time.perf_counter() - began)

    application.process_update = timed_update  # type: ignore[method-assign]
    running = await start_bot(application, mode="polling")
    conn.send(session_id)
    world_result = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    relay = application.bot_data.services.questions
    report = await relay.exports.report(session_id)
    await stop_bot(running)
    await database.dispose()
    exported = {
        (int(row["asker"].removeprefix("Person ")), int(row["number"]))
        for row in csv.DictReader(io.StringIO(render_csv(report)))
    }
    return {
        "world": world_result,
        "stored_at": stored_at,
        "started_at": started_at,
        "update_ms": [seconds * 1000 for seconds in update_seconds],
        "exported": exported,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(run: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    world = run["world"]
    delivered: dict[int, tuple[int, float]] = world["delivered"]
    acks: dict[int, tuple[int, float]] = world["acknowledged"]
    stored_ms = [
        (run["stored_at"][(chat, message_id)] - at) * 1000
        for chat, (message_id, at) in delivered.items()
        if (chat, message_id) in run["stored_at"]
    ]
    waited_ms = [
        (run["started_at"][(chat, message_id)] - at) * 1000
        for chat, (message_id, at) in delivered.items()
        if (chat, message_id) in run["started_at"]
    ]
    handled_ms = [
        (run["stored_at"][key] - run["started_at"][key]) * 1000
        for key in run["stored_at"]
        if key in run["started_at"]
    ]
    ack_ms = [(acks[chat][1] - at) * 1000 for chat, (_, at) in delivered.items() if chat in acks]
    missing = [chat for chat, (number, _) in acks.items() if (chat, number) not in run["exported"]]
    server = world["server"]
    return {
        "people": options["people"],
        "minute_s": options["minute"],
        "asked": len(delivered),
        "stored": len(stored_ms),
        "acknowledged": len(acks),
        "acknowledged_missing_from_export": len(missing),
        "answered_by_moderators": world["answered_by_moderators"],
        "stored_ms": {
            "p50": percentile(stored_ms, 0.5),
            "p99": percentile(stored_ms, 0.99),
            "max": max(stored_ms, default=float("nan")),
        },
        "queued_before_handler_ms": {
            "p50": percentile(waited_ms, 0.5),
            "p99": percentile(waited_ms, 0.99),
        },
        "update_processing_ms": {
            "p50": percentile(run["update_ms"], 0.5),
            "p99": percentile(run["update_ms"], 0.99),
        },
        "handler_to_commit_ms": {
            "p50": percentile(handled_ms, 0.5),
            "p99": percentile(handled_ms, 0.99),
        },
        "acknowledged_ms": {
            "p50": percentile(ack_ms, 0.5),
            "p99": percentile(ack_ms, 0.99),
            "max": max(ack_ms, default=float("nan")),
        },
        "server_429": server.get("throttled_total"),
        "server_stats": server,
    }


def bench(url: str, options: dict[str, Any]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    server = context.Process(target=world, args=(theirs, options), daemon=True)
    server.start()
    root = ours.recv()
    try:
        run = asyncio.run(run_bot(root, ours, url, options))
    finally:
        ours.send("stop")
        server.join(timeout=15)
    return figures(run, options)


async def _pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--minute", type=float, default=60.0, help="seconds the asking spans")
    parser.add_argument("--drain", type=float, default=120.0, help="seconds to wait for acks")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--postgres", action="store_true", help="a scratch PostgreSQL database")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    options = {"people": args.people, "minute": args.minute, "drain": args.drain, "seed": args.seed}
    with tempfile.TemporaryDirectory(prefix="remotehub-bench-") as scratch:
        if args.postgres:
            name = f"remotehub_bench_{uuid.uuid4().hex[:10]}"
            asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
            url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        else:
            url = f"sqlite+aiosqlite:///{scratch}/bench.db"
        backend = "postgresql" if args.postgres else "sqlite"
        print(
            f"{args.people} people asking within {args.minute:g}s ({backend})...", file=sys.stderr
        )
        try:
            result = bench(url, options)
        finally:
            if args.postgres:
                asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    result["database"] = backend
    summary = {key: value for key, value in result.items() if key != "server_stats"}
    print(json.dumps(summary, indent=2))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"questions-{backend}-{stamp}.json"
    path.write_text(json.dumps({"when": stamp, **result}, indent=2, default=str))
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
