"""What ``remotehub demo`` can be told, and its defaults (kept light: the CLI imports it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import TextIO

DEFAULT_ZONE = "Asia/Riyadh"  # IGF 2024 met in Riyadh
DEFAULT_SPEED = 720.0  # 07:45-16:45 venue time in 45 real seconds, plus the bot's work
INTERACTIVE_SPEED = 90.0  # slow enough to read and type along
FAST_SPEED = 1200.0  # tests: the day in under half a minute, plus the bot's work
DAY_STARTS = time(7, 45)  # the bot starts and reads the programme before 08:00
DAY_ENDS = time(16, 45)
DRAIN_SECONDS = 30.0  # real seconds for the outbox to empty at the end


@dataclass(frozen=True, slots=True)
class DemoOptions:
    speed: float = DEFAULT_SPEED
    language: str = "en"
    keep: Path | None = None
    interactive: bool = False
    zone: str = DEFAULT_ZONE
    out: TextIO | None = None  # the terminal (stdout)
    keyboard: TextIO | None = None  # the participant's typing (stdin), with ``interactive``
    color: bool | None = None  # None: colours when ``out`` is a terminal
