"""``remotehub chat``: a person at a terminal is a Telegram user of the running bot."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from typing import Any

from tests.conftest import PROJECT_ROOT
from tests.harness import eventually

PERSON = 4242


class Terminal:
    """``remotehub chat`` in a child process, typed into line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.screen: list[str] = []

    async def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((line + "\n").encode())
        await self.process.stdin.drain()

    async def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        """Read the screen until a line matches ``pattern``."""
        assert self.process.stdout is not None
        regex = re.compile(pattern)
        try:
            return await asyncio.wait_for(self._read_until(regex), timeout)
        except TimeoutError:
            raise AssertionError(f"{pattern!r} never shown; screen: {self.screen}") from None

    async def _read_until(self, regex: re.Pattern[str]) -> re.Match[str]:
        assert self.process.stdout is not None
        if True:
            while True:
                for line in self.screen:
                    if found := regex.search(line):
                        self.screen.remove(line)
                        return found
                raw = await self.process.stdout.readline()
                assert raw, f"chat ended; screen: {self.screen}"
                self.screen.append(raw.decode().rstrip("\n"))


async def start_chat(root: str) -> Terminal:
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMOTEHUB_")}
    env.update(PYTHONPATH=str(PROJECT_ROOT), PYTHONUNBUFFERED="1")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "chat", "--api", root, "--user", str(PERSON),
        "--name", "Ada", env=env, cwd=PROJECT_ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    return Terminal(process)


async def test_a_person_talks_to_the_bot_and_presses_a_button(
    bot_harness: Any, local_api: Any
) -> None:
    await bot_harness.start()
    terminal = await start_chat(local_api.root)
    try:
        await terminal.type("/start")
        await terminal.wait_for(r"^\[\d+\] .*Hello, Ada!")  # the bot's welcome
        await terminal.type("/settings")
        button = await terminal.wait_for(r"^    (\d+)\.(\d+)  (.+)$")
        message_id = int(button.group(1))
        terminal.screen.clear()
        await terminal.type(f"{message_id}.{button.group(2)}")
        # The press reached the bot as a callback query on that message, and it answered it.
        await eventually(
            lambda: any(r.method == "answerCallbackQuery" for r in local_api.requests), 10
        )
        await terminal.wait_for(rf"^\[{message_id}\] \(edited\) ")  # shown again, in full
        await terminal.wait_for(rf"^    {message_id}\.1  ")  # with its new buttons
        await terminal.type("99.9")
        await terminal.wait_for(r"^! message 99 has no button 9$")
    finally:
        assert terminal.process.stdin is not None
        terminal.process.stdin.close()
        assert await asyncio.wait_for(terminal.process.wait(), 10) == 0
