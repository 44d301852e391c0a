"""Rehearsal benchmark: ``remotehub demo`` at the default speed and in the tests' fast mode.

The issue's promise is "the day plays out in about a minute, under two minutes on a clean
machine"; this measures it, with what the day produced and how the bot kept up:

* wall seconds for the whole rehearsal (start-up, the day, draining the outbox, the report);
* the bot's CPU seconds (the fast clock makes every timed job tick often);
* messages, reminders and questions, counted from the rehearsal's database;
* how long each person waited for the bot's answer in real seconds (p50, p95, max): the
  outbox keeps Telegram's real pace of one message a second per chat;
* 429 answers from the local server's flood control (should be none).

    .venv/bin/python bench/bench_demo.py            # default and fast speed
    .venv/bin/python bench/bench_demo.py --speed 720
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.demo.options import DEFAULT_SPEED, FAST_SPEED, DemoOptions  # noqa: E402
from bot.demo.runner import run_demo  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(speed: float) -> dict[str, Any]:
    out = io.StringIO()
    cpu, started = _cpu(), time.monotonic()
    result = await run_demo(DemoOptions(speed=speed, out=out, color=False))
    wall, cpu = time.monotonic() - started, _cpu() - cpu
    delays = result.reply_seconds
    summary = result.summary
    return {
        "speed": speed,
        "exit_code": result.exit_code,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "sessions": summary.sessions,
        "messages": summary.messages,
        "edits": summary.edits,
        "reminders": summary.reminders,
        "questions": summary.questions,
        "messages_on_server": summary.messages_on_server,
        "reply_p50_seconds": round(statistics.median(delays), 2) if delays else 0.0,
        "reply_p95_seconds": round(_percentile(delays, 0.95), 2),
        "reply_max_seconds": round(max(delays, default=0.0), 2),
        "replies_measured": len(delays),
        "throttled_429": result.server_stats.get("throttled_total", 0),
        "transcript_lines": len(out.getvalue().splitlines()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--speed", type=float, action="append", help="repeatable")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    speeds = args.speed or [DEFAULT_SPEED, FAST_SPEED]
    runs = [asyncio.run(measure(speed)) for speed in speeds]
    for run in runs:
        print(
            f"speed {run['speed']:g}: {run['wall_seconds']} s wall, {run['cpu_seconds']} s CPU, "
            f"{run['messages']} messages ({run['reminders']} reminders, {run['questions']} "
            f"questions), reply p50 {run['reply_p50_seconds']} s / p95 "
            f"{run['reply_p95_seconds']} s / max {run['reply_max_seconds']} s, "
            f"429s {run['throttled_429']}, exit {run['exit_code']}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "demo.json"
    path.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
