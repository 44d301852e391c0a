"""``remotehub run`` against a Bot API that is not there: one line, after retrying a while."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "5:T"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_bot(tmp_path: Path, port: int, *options: str) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMOTEHUB_")}
    env.update(
        PYTHONPATH=str(ROOT),
        REMOTEHUB_TOKEN=TOKEN,
        REMOTEHUB_API_URL=f"http://127.0.0.1:{port}",
        REMOTEHUB_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        REMOTEHUB_WEB__ENABLED="false",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_unreachable_api_gives_one_line_without_traceback(tmp_path: Path) -> None:
    bot = run_bot(tmp_path, free_port(), "--wait", "0")
    out, err = bot.communicate(timeout=60)
    assert bot.returncode == 1
    (line,) = err.splitlines()
    assert line.startswith("remotehub: cannot reach the Bot API at http://127.0.0.1:")
    assert "Traceback" not in err and out == ""


def test_start_retries_until_the_api_comes_up(tmp_path: Path) -> None:
    port = free_port()
    bot = run_bot(tmp_path, port, "--wait", "20")
    server = None
    try:
        time.sleep(2.5)  # the bot has failed at least once by now
        assert bot.poll() is None, bot.communicate()
        server = subprocess.Popen(
            [sys.executable, "-m", "localapi", "--port", str(port), "--token", TOKEN],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdout is not None
        server.stdout.readline()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the bot's getMe, commands, then getUpdates
            if _requests(port) >= 3:
                break
            time.sleep(0.3)
        else:
            raise AssertionError("the bot never polled")
        bot.send_signal(signal.SIGTERM)
        _, err = bot.communicate(timeout=30)
        assert bot.returncode == 0, err
        assert "retrying in" in err and "Traceback" not in err
    finally:
        for process in (bot, server):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


def _requests(port: int) -> int:
    """How many Bot API requests the server has answered."""
    stats = httpx.get(f"http://127.0.0.1:{port}/_local/stats", timeout=5).json()["result"]
    return int(stats["requests"])
