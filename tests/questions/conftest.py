"""End-to-end fixtures for the question relay: the local Bot API server and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness

from .support import ADMIN
from .support import E2E_MODERATOR as MODERATOR


@pytest.fixture
def api(local_api: LocalBotApiServer) -> LocalBotApiServer:
    """The shared local Bot API server, with the relay's admin and moderator in it."""
    local_api.add_user(ADMIN, "Olga", "ru", "olga_admin")
    local_api.add_user(MODERATOR, "Mark", "en", "mark_mod")
    return local_api


@pytest.fixture
async def bot(api: LocalBotApiServer, database: Database) -> AsyncIterator[BotHarness]:
    """The real application on ``database`` (SQLite and PostgreSQL), polling ``api``."""
    harness = BotHarness(
        api,
        database.url,
        overrides={
            "admins": [ADMIN],
            "moderators": [MODERATOR],
            "questions": {"cooldown_seconds": 0},
        },
    )
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


StartBot = Callable[..., Any]


@pytest.fixture
async def start_translating_bot(
    api: LocalBotApiServer, database: Database
) -> AsyncIterator[StartBot]:
    """Start the relay's bot with ``[translate]`` set to the keywords (none: unset)."""
    running: list[BotHarness] = []

    async def start(**translate: Any) -> BotHarness:
        overrides: dict[str, Any] = {
            "admins": [ADMIN],
            "moderators": [MODERATOR],
            "questions": {"cooldown_seconds": 0},
        }
        if translate:
            overrides["translate"] = translate
        harness = BotHarness(api, database.url, overrides=overrides)
        running.append(await harness.start())
        return harness

    yield start
    for harness in running:
        await harness.stop()
