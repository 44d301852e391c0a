"""``remotehub demo --fast --lang`` in each of the other five languages, end to end: every
run ends well, the people are answered in that language, and the summary line is its own.
(English and Russian are read more closely in test_demo_runs.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.i18n import LANGUAGES, default_translator

ROOT = Path(__file__).resolve().parents[2]
RUN_SECONDS = 240  # five half-minute rehearsals side by side on two cores
LANGUAGES_HERE = [language for language in LANGUAGES if language not in ("en", "ru")]


def _summary_pattern(language: str) -> re.Pattern[str]:
    """The summary line's fixed words in ``language``, anything where the figures go."""
    template = default_translator().t(
        language,
        "demo.summary.line",
        **{name: "\x00" for name in ("sessions", "ifla", "messages", "questions", "reminders")},
        seconds=0,
    )
    parts = [re.escape(part) for part in template.replace("0", "\x00").split("\x00")]
    return re.compile(".+?".join(parts))


def test_the_rehearsal_in_every_other_language(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMOTEHUB_")}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, whatever is installed
    runs = {}
    for language in LANGUAGES_HERE:
        out = (tmp_path / f"{language}.out").open("wb")
        err = (tmp_path / f"{language}.err").open("wb")
        runs[language] = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "demo", "--fast", "--lang", language],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            cwd=tmp_path,
        )
    texts = default_translator()
    for language, process in runs.items():
        code = process.wait(timeout=RUN_SECONDS)
        out = (tmp_path / f"{language}.out").read_text("utf-8")
        err = (tmp_path / f"{language}.err").read_text("utf-8")
        assert code == 0, f"{language}\n{out[-2000:]}\n{err[-2000:]}"
        assert "Traceback" not in err
        lines = out.strip().splitlines()
        assert _summary_pattern(language).fullmatch(lines[-1]), (language, lines[-1])
        greeting = texts.t(language, "start.welcome", name="Anna").split("Anna")[0].strip()
        welcome = next(line for line in lines if "bot → Anna (Paris):" in line)
        assert greeting and greeting in welcome, (language, welcome)
