"""Failover: how long after the leader's kill -9 the new leader sends its first message.

``--instances`` ``remotehub run --webhook`` processes (3 by default) share one PostgreSQL
behind the round-robin proxy (``localapi.proxy``). The local Bot API server runs in this
process (Telegram's limits on, wall-clock times) and delivers by webhook; nothing of the bot
runs here. A broadcast of ``--chats`` reminders comes due. Each round waits for ``--every``
more reminders, kills the leader (the process whose log last says it leads) with kill -9,
and measures the time to the first message any process sends after the kill; the killed
process is then started again, so the next round has as many processes. Reported: those
times (each, and min/median/max), the messages in flight at each kill (rows ``sending``),
and at the end every chat's reminder counted, the repeats against the in-flight total.
Results go to ``bench/results/failover-<time>.json``.

    .venv/bin/python bench/bench_failover.py                  # 4,000 chats, 3 kills, ~3 min
    .venv/bin/python bench/bench_failover.py --rounds 5 --chats 6000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_intake import (  # noqa: E402
    LEADERSHIP,
    TOKEN,
    _pg_admin,
    bot_process,
    free_port,
    wait_listening,
)

FIRST_CHAT = 6_000_000
TITLE = "IFLA: Libraries after the failover"
RESULTS = ROOT / "bench" / "results"
LEADS_AT = re.compile(r"^(\S+ \S+),(\d{3}) INFO \S+: leadership: this process leads", re.M)
FREE_PACE = 26.55  # what the planner counts on at Telegram's free limit


class Instance:
    """One ``remotehub run --webhook`` process on its own port (started again after a kill)."""

    def __init__(self, number: int, api_root: str, url: str, public_url: str, scratch: Path):
        self.number, self.api_root, self.url = number, api_root, url
        self.public_url, self.scratch = public_url, scratch
        self.port = free_port()
        self.starts = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = scratch / f"instance-{number}-0.log"

    def start(self) -> None:
        self.log = self.scratch / f"instance-{self.number}-{self.starts}.log"
        self.starts += 1
        env = {"REMOTEHUB_REMINDER_MINUTES": "[5]", "REMOTEHUB_TIMEZONE": "UTC"}
        self.process = bot_process(
            self.api_root, self.url, True, self.port, self.log, self.public_url, env
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def led_since(self) -> float | None:
        """When (epoch seconds, from its log) this process last took the lease."""
        times = LEADS_AT.findall(self.log.read_text(errors="replace"))
        if not times:
            return None
        stamp, millis = times[-1]
        return time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000

    def leads(self) -> bool:
        """Alive, and its log's last word on leadership is that it leads."""
        if not self.alive():
            return False
        said = LEADERSHIP.findall(self.log.read_text(errors="replace"))
        return bool(said) and said[-1] == "this process leads"

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def prepare(url: str, chats: range) -> datetime:
    """Subscribers of every IFLA session and one session whose reminder comes due soon;
    returns the due time."""
    from storage.db import Database
    from storage.migrate import upgrade_to_head
    from tests.reminders.helpers import add_session, subscribe_everyone

    database = Database(url)
    await upgrade_to_head(database)
    now = datetime.now(UTC)
    due = now + timedelta(seconds=30 + len(chats) / FREE_PACE)
    await subscribe_everyone(database, chats, now - timedelta(days=1))
    await add_session(database, TITLE, due + timedelta(minutes=5), zone="UTC", is_ifla=True)
    await database.dispose()
    return due


async def in_flight(url: str) -> int:
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.models import OutboxMessage

    database = Database(url)
    async with database.transaction() as db:
        count = await db.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sending")
        )
    await database.dispose()
    return int(count or 0)


async def failover_run(url: str, options: dict[str, Any], scratch: Path) -> dict[str, Any]:
    from localapi import LocalBotApiServer
    from localapi.proxy import RoundRobinProxy

    chats = range(FIRST_CHAT, FIRST_CHAT + options["chats"])
    server = LocalBotApiServer(TOKEN, log_requests=False, clock=time.time)
    for chat in chats:
        server.add_user(chat, f"Librarian {chat}")
    api_root = await server.start()
    due = await prepare(url, chats)
    proxy = RoundRobinProxy()
    await proxy.start()
    instances = [
        Instance(n, api_root, url, proxy.url, scratch) for n in range(options["instances"])
    ]
    proxy.backends.extend(f"http://127.0.0.1:{instance.port}" for instance in instances)

    def reminders() -> list[float]:
        return [m.time for m in server.sent if m.text and TITLE in m.text]

    rounds: list[dict[str, Any]] = []
    try:
        for instance in instances:
            instance.start()
        for instance in instances:
            await wait_listening(instance.port, 60)
        await server.wait_until(lambda: sum(i.leads() for i in instances) == 1, 60)
        for number in range(options["rounds"]):
            target = len(reminders()) + options["every"]
            await server.wait_until(lambda: len(reminders()) >= target, 300)  # noqa: B023
            leader = next(instance for instance in instances if instance.leads())
            leader.kill()
            killed_at = time.time()
            flying = await in_flight(url)
            await server.wait_until(lambda: sum(i.leads() for i in instances) == 1, 30)
            new_leader = next(instance for instance in instances if instance.leads())
            took_lease = new_leader.led_since()
            assert took_lease is not None and took_lease > killed_at
            # Messages the dead leader had already put on the wire land just after the kill;
            # the new leader's are those after it took the lease.
            await server.wait_until(lambda: any(m.time > took_lease for m in server.sent), 60)  # noqa: B023
            first = min(m.time for m in server.sent if m.time > took_lease)
            rounds.append(
                {
                    "round": number + 1,
                    "killed": leader.number,
                    "new_leader": new_leader.number,
                    "lease_taken_after_s": round(took_lease - killed_at, 3),
                    "first_message_after_s": round(first - killed_at, 3),
                    "dead_leaders_late_messages": sum(
                        1 for m in server.sent if killed_at < m.time <= took_lease
                    ),
                    "reminders_at_kill": target,
                    "in_flight_at_kill": flying,
                }
            )
            print(f"round {number + 1}: {rounds[-1]}", file=sys.stderr)
            leader.start()  # back to full strength
            await wait_listening(leader.port, 60)
        await server.wait_until(lambda: len(set(_reminded(server))) == len(chats), 600)
        await asyncio.sleep(2.0)  # a repeat on its way would show now
    finally:
        for instance in instances:
            instance.stop()
        await proxy.stop()
    reminded = _reminded(server)
    arrivals = sorted(reminders())
    stats = server.stats()
    await server.stop()
    gaps = [entry["first_message_after_s"] for entry in rounds]
    repeats = sum(reminded.values()) - len(reminded)
    return {
        "instances": options["instances"],
        "chats": len(chats),
        "rounds": rounds,
        "first_message_after_kill_s": {
            "min": min(gaps),
            "median": round(statistics.median(gaps), 3),
            "max": max(gaps),
        },
        "reminded": len(reminded),
        "not_reminded": len(chats) - len(set(reminded) & set(chats)),
        "repeats": repeats,
        "in_flight_total": sum(entry["in_flight_at_kill"] for entry in rounds),
        "last_reminder_vs_due_s": round(arrivals[-1] - due.timestamp(), 1),
        "server_429": stats.get("throttled_total"),
    }


def _reminded(server: Any) -> Counter[int]:
    return Counter(m.chat_id for m in server.sent if m.text and TITLE in m.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", type=int, default=3)
    parser.add_argument("--chats", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--every", type=int, default=700, help="reminders between kills")
    args = parser.parse_args()
    if args.instances < 2:
        parser.error("--instances: a failover needs at least two")
    logging.basicConfig(level=logging.WARNING)
    options = vars(args)
    name = f"remotehub_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    try:
        with tempfile.TemporaryDirectory(prefix="remotehub-failover-") as scratch:
            result = asyncio.run(failover_run(url, options, Path(scratch)))
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"failover-{stamp}.json"
    path.write_text(json.dumps({"when": stamp, **result}, indent=2))
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
