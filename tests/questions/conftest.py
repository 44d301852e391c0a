"""End-to-end fixtures for the question relay: the local Bot API server and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.localapi import LocalBotApiServer
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
