"""The same day at two speeds: the clock stands still while the bot works, so ``--fast`` (and
faster) tells the story the default speed tells, with the same counts, no reminder expired
in the outbox and the moderator done while her session runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.demo.cast import make_cast

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
RUN_SECONDS = 240  # two rehearsals side by side on two cores, about a minute each
SPEEDS = {"fast": ["--fast"], "faster": ["--speed", "2400"]}
COUNTED = ("sessions", "ifla_sessions", "messages", "edits", "questions", "reminders")
LINE = re.compile(r"^(\d\d):(\d\d)  ")
SESSION_ENDS = (11, 30)  # the workshop Layla moderates: 10:00-11:30 venue time


def _rehearse(tmp_path: Path) -> dict[str, Path]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMOTEHUB_")}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, whatever is installed
    runs = {}
    for name, args in SPEEDS.items():
        keep = tmp_path / name
        with (
            (tmp_path / f"{name}.out").open("wb") as out,
            (tmp_path / f"{name}.err").open("wb") as err,
        ):
            command = [sys.executable, "-m", "bot.cli", "demo", *args, "--keep", str(keep)]
            runs[name] = (
                subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=tmp_path
                ),
                keep,
            )
    for name, (process, _keep) in runs.items():
        code = process.wait(timeout=RUN_SECONDS)
        err = (tmp_path / f"{name}.err").read_text("utf-8")
        assert code == 0, f"{name}\n{(tmp_path / f'{name}.out').read_text('utf-8')[-2000:]}\n{err}"
    return {name: keep for name, (_process, keep) in runs.items()}


def _moderator_times(transcript: str) -> list[tuple[int, int]]:
    """Venue times of what Layla says and presses, and of the bot's lines to her, up to her
    /export."""
    layla = make_cast("en").person("layla").label
    times = []
    for line in transcript.splitlines():
        match = LINE.match(line)
        if match is None or layla not in line.split(": ", 1)[0]:
            continue
        if "/export" in line:
            break
        times.append((int(match.group(1)), int(match.group(2))))
    return times


def test_two_speeds_tell_the_same_day(tmp_path: Path) -> None:
    kept = _rehearse(tmp_path)
    summaries = {
        name: json.loads((keep / "summary.json").read_text()) for name, keep in kept.items()
    }
    counts = {name: {key: summary[key] for key in COUNTED} for name, summary in summaries.items()}
    assert counts["fast"] == counts["faster"], counts
    assert counts["fast"]["reminders"] == 12  # 60 and 10 minutes before, for each subscriber
    for name, summary in summaries.items():
        assert summary["reminders_dropped"] == 0, name
        transcript = (kept[name] / "transcript.txt").read_text("utf-8")
        assert "expired" not in (tmp_path / f"{name}.err").read_text("utf-8")
        times = _moderator_times(transcript)
        assert times, transcript[-2000:]
        assert max(times) <= SESSION_ENDS, (name, max(times))
