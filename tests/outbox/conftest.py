"""Fixtures for the outbox end-to-end tests: the local Bot API server and a real PTB Bot.

Candidates to lift into ``tests/conftest.py`` once other areas need them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from localapi import LocalBotApiServer, RateLimits

TOKEN = "424242:outbox-test-token"


@pytest.fixture
def api_limits() -> RateLimits:
    """Telegram's published limits; a test may override this fixture to shorten windows."""
    return RateLimits()


@pytest.fixture
async def api_server(api_limits: RateLimits) -> AsyncIterator[LocalBotApiServer]:
    """A started local Bot API server enforcing ``api_limits``."""
    async with LocalBotApiServer(TOKEN, limits=api_limits) as server:
        yield server


@pytest.fixture
async def api_bot(api_server: LocalBotApiServer) -> AsyncIterator[Bot]:
    """A plain ``telegram.Bot`` talking to ``api_server`` over HTTP."""
    bot = Bot(TOKEN, base_url=api_server.base_url, base_file_url=api_server.base_file_url)
    async with bot:
        yield bot
