"""Web pages benchmark: 300 walls and 20 consoles follow one session live (Server-Sent Events)
while 1,000 participants ask within a minute.

The bot's side runs in this process exactly as ``remotehub run`` builds it (the composition
root with its web server; ``Services.start``), minus Telegram: participants ask through the
same ``AskingService.submit`` the /ask handler calls, each acknowledgement queued in the
outbox in the question's transaction. The viewers run in a second process (aiohttp clients;
the consoles signed in through one-time links, as from /console), so their CPU is not ours.

Reported: from a question's commit to its appearing on every wall (the wall's question count
includes it), p50/p99/max over all questions; the same for the consoles; and this process's
CPU time and peak RSS over the run.

    .venv/bin/python bench/bench_web.py          # 300 walls, 20 consoles, 1,000 questions
    .venv/bin/python bench/bench_web.py --walls 50 --people 100 --minute 10  # quick look

Figures are printed and written to ``bench/results/web-<time>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RESULTS = Path(__file__).resolve().parent / "results"
TOKEN = "555000:bench-web-token"
FIRST_PERSON = 4_000_000
FIRST_MODERATOR = 3_900_000
COUNT = re.compile(rb'data-questions="(\d+)"')
ASKED = re.compile(rb'id="count-asked">(\d+)<')
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "da", "fu", "go", "hi", "ja"]


def question_text(rng: random.Random, person: int) -> str:
    words = ["".join(rng.sample(SYLLABLES, 3)) for _ in range(6)]
    return f"{person}: what about {' '.join(words)}?"


# ---- the viewers: a process of SSE clients ------------------------------------------------


def viewers(conn: Connection, options: dict[str, Any]) -> None:
    asyncio.run(_viewers(conn, options))


async def _follow(
    client: Any, url: str, pattern: re.Pattern[bytes], seen: dict[int, float], ready: asyncio.Event
) -> None:
    """Read one stream; ``seen[n]`` is when this viewer first showed n questions."""
    import aiohttp

    shown = 0
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with client.get(url, timeout=timeout) as response:
        assert response.status == 200, response.status
        ready.set()
        tail = b""
        # Chunks, not lines: a render is a hundred lines, and reading them one by one made
        # this process (not the bot) the bottleneck at 300 streams.
        async for chunk in response.content.iter_any():
            window, tail = tail + chunk, (tail + chunk)[-64:]
            counts = pattern.findall(window)
            if not counts:
                continue
            count, now = int(counts[-1]), time.time()
            for number in range(shown + 1, count + 1):
                seen[number] = now
            shown = max(shown, count)


async def _viewers(conn: Connection, options: dict[str, Any]) -> None:
    import aiohttp

    _base, wall, links = conn.recv()
    connector = aiohttp.TCPConnector(limit=0)
    walls: list[dict[int, float]] = [{} for _ in range(options["walls"])]
    consoles: list[dict[int, float]] = [{} for _ in links]
    tasks, ready = [], []
    async with aiohttp.ClientSession(connector=connector) as shared:
        for seen in walls:
            event = asyncio.Event()
            ready.append(event)
            tasks.append(asyncio.create_task(_follow(shared, f"{wall}/stream", COUNT, seen, event)))
        clients = []
        for link, seen in zip(links, consoles, strict=True):
            client = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            clients.append(client)
            async with client.post(link) as response:
                assert response.status == 200, await response.text()
                page = str(response.url).split("?")[0]
            event = asyncio.Event()
            ready.append(event)
            stream = f"{page}/stream"
            tasks.append(asyncio.create_task(_follow(client, stream, ASKED, seen, event)))
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in ready)), 60)
        conn.send("ready")
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "done"
        await asyncio.sleep(options["settle"])
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client in clients:
            await client.close()
    conn.send({"walls": walls, "consoles": consoles})


# ---- the bot's side ------------------------------------------------------------------------


async def run_bot(conn: Connection, options: dict[str, Any], workdir: Path) -> dict[str, Any]:
    from bot.questions.asking import Asker
    from bot.questions.views import QuestionView, SessionView
    from bot.services import build_services
    from config.settings import Settings
    from storage.models import Session
    from storage.repos import outbox
    from storage.repos.outbox import NewMessage

    moderators = [FIRST_MODERATOR + index for index in range(options["consoles"])]
    settings = Settings(
        token=TOKEN,
        database_url=options["database_url"] or f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
        timezone="Asia/Riyadh",
        moderators=moderators,
        questions={"cooldown_seconds": 0},
        web={"listen": "127.0.0.1:0"},
    )
    services = build_services(settings, bot_username="remotehub_bench_bot")
    await services.start()
    try:
        now = datetime.now(UTC)
        async with services.database.transaction() as db:
            row = Session(
                key="bench-web",
                title="Libraries and AI: the bench",
                start_at=now - timedelta(minutes=5),
                end_at=now + timedelta(hours=2),
                timezone="Asia/Riyadh",
                persons=[],
                description="",
                created_at=now,
                updated_at=now,
            )
            db.add(row)
            await db.flush()
            session_id = row.id
        wall = f"{services.web_url}/wall/{await services.questions.walls.token(session_id)}"
        links = []
        for moderator in moderators:
            secret = await services.web_access.issue_link(moderator, "en")
            links.append(f"{services.web_url}/signin/{secret}")
        conn.send((services.web_url, wall, links))
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "ready"

        async def acknowledge(db: Any, question: QuestionView, session: SessionView) -> None:
            moment = services.clock.now()
            payload = {"chat_id": question.author_id, "text": f"Received: #{question.number}"}
            await outbox.enqueue(
                db,
                NewMessage(f"ack:{question.id}", question.author_id, "reply", payload, moment),
                now=moment,
            )

        rng = random.Random(7)
        people = options["people"]
        moments = sorted(rng.uniform(0, options["minute"]) for _ in range(people))
        stored: dict[int, float] = {}
        usage_before, started = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()

        # As the bot's dispatcher handles updates: one at a time on SQLite (concurrent writers
        # would only meet in "database is locked"), [telegram] concurrency (16) on PostgreSQL.
        at_once = options["concurrency"] or (1 if services.database.dialect == "sqlite" else 16)
        handling = asyncio.Semaphore(at_once)

        async def ask(index: int, at: float) -> None:
            await asyncio.sleep(max(0.0, at - (time.monotonic() - started)))
            person = FIRST_PERSON + index
            async with handling:
                outcome = await services.questions.asking.submit(
                    Asker(person, person, "en"),
                    session_id,
                    question_text(rng, person),
                    None,
                    acknowledge,
                )
            stored[outcome.question.number] = time.time()  # type: ignore[union-attr]

        await asyncio.gather(*(ask(index, at) for index, at in enumerate(moments)))
        asking_seconds = time.monotonic() - started
        await asyncio.sleep(options["settle"])
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
        conn.send("done")
        seen = conn.recv()
        cpu = (usage_after.ru_utime - usage_before.ru_utime) + (
            usage_after.ru_stime - usage_before.ru_stime
        )
        return {
            "stored": stored,
            "seen": seen,
            "cpu_seconds": cpu,
            "wall_seconds": time.monotonic() - started,
            "asking_seconds": asking_seconds,
            "peak_rss_mb": usage_after.ru_maxrss / 1024,
            "backend": services.database.dialect,
        }
    finally:
        await services.stop()
        await services.database.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def delays(stored: dict[int, float], viewers: list[dict[int, float]]) -> dict[str, Any]:
    """For each question: until the last of the viewers showed it."""
    per_question, missing = [], 0
    for number, moment in stored.items():
        times = [viewer.get(number) for viewer in viewers]
        if any(seen is None for seen in times):
            missing += 1
            continue
        per_question.append(max(t for t in times if t is not None) - moment)
    return {
        "questions": len(per_question),
        "missing": missing,
        "p50_ms": round(percentile(per_question, 0.50) * 1000, 1),
        "p99_ms": round(percentile(per_question, 0.99) * 1000, 1),
        "max_ms": round(max(per_question, default=float("nan")) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walls", type=int, default=300)
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--minute", type=float, default=60.0, help="seconds the asking takes")
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument(
        "--concurrency", type=int, default=0, help="asks at once (default: 1 SQLite, 16 PostgreSQL)"
    )
    options = vars(parser.parse_args())
    load_before = os.getloadavg()
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=viewers, args=(theirs, options), daemon=True
    )
    process.start()
    with tempfile.TemporaryDirectory() as temp:
        run = asyncio.run(run_bot(ours, options, Path(temp)))
    process.join(timeout=30)
    result = {
        "options": options,
        "backend": run["backend"],
        "walls": delays(run["stored"], run["seen"]["walls"]),
        "consoles": delays(run["stored"], run["seen"]["consoles"]),
        "asked": len(run["stored"]),
        "asking_seconds": round(run["asking_seconds"], 1),
        "cpu_seconds": round(run["cpu_seconds"], 1),
        "cpu_share": round(run["cpu_seconds"] / run["wall_seconds"], 2),
        "peak_rss_mb": round(run["peak_rss_mb"], 1),
        # The 1-minute load average before and after: figures from a busy machine say so.
        "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"web-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
