"""End-to-end harness: the real application against the project's local Bot API server.

``BotHarness`` starts the same Application that ``remotehub run`` builds (handlers, outbox
sender, jobs) with polling over real HTTP on loopback; tests act as users through the server.
``BotProcess`` runs ``remotehub run`` as a separate process, for kill -9 and signal tests.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import RemoteHubApplication, build_application
from bot.clock import Clock
from bot.runtime import RunningBot, start_bot, stop_bot
from bot.services import Services
from config.settings import Settings
from localapi import LocalBotApiServer

TOKEN = "123456:TEST-token-for-the-local-server"
BOT_USERNAME = "remotehub_test_bot"


def make_settings(api_url: str, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "token": TOKEN,
        "api_url": api_url,
        "database_url": database_url,
        "timezone": "Asia/Baku",
        # The web pages on a free port: tests never meet on 8080.
        "web": {"listen": "127.0.0.1:0"},
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class BotHarness:
    """A running bot; ``server`` is the local Bot API server it talks to."""

    server: LocalBotApiServer
    database_url: str
    overrides: dict[str, Any] = field(default_factory=dict)
    clock: Clock | None = None
    application: RemoteHubApplication | None = None
    running: RunningBot | None = None
    _stack: AsyncExitStack = field(default_factory=AsyncExitStack)

    @property
    def services(self) -> Services:
        assert self.application is not None, "bot not started"
        return self.application.bot_data.services

    async def start(self) -> BotHarness:
        settings = make_settings(self.server.root, self.database_url, **self.overrides)
        application = build_application(settings, clock=self.clock)
        self.running = await start_bot(application)
        self.application = application
        return self

    async def stop(self) -> None:
        running, self.running, self.application = self.running, None, None
        if running is not None:
            await stop_bot(running, drain_seconds=5.0)

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@dataclass
class BotProcess:
    """``remotehub run`` in its own process (for SIGTERM and kill -9)."""

    api_url: str
    database_url: str
    config_path: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[str] | None = None
    log_path: Path | None = None

    def start(self, log_path: Path) -> None:
        self.log_path = log_path
        environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith("REMOTEHUB_")},
            "REMOTEHUB_TOKEN": TOKEN,
            "REMOTEHUB_API_URL": self.api_url,
            "REMOTEHUB_DATABASE_URL": self.database_url,
            "REMOTEHUB_WEB__LISTEN": "127.0.0.1:0",  # a free port: runs never meet on 8080
            **self.env,
        }
        command = [sys.executable, "-m", "bot.cli"]
        if self.config_path is not None:
            command += ["--config", str(self.config_path)]
        command.append("run")
        self.process = subprocess.Popen(
            command,
            env=environment,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            text=True,
        )

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        assert self.process is not None
        self.process.wait(timeout=10)

    async def wait(self, timeout: float) -> int:
        assert self.process is not None
        deadline = asyncio.get_running_loop().time() + timeout
        while self.process.poll() is None:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("bot process did not exit")
            await asyncio.sleep(0.05)
        return self.process.returncode

    def output(self) -> str:
        return self.log_path.read_text() if self.log_path else ""


async def eventually(
    check: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02
) -> None:
    """Wait until ``check()`` holds (for state that changes in the background)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)
