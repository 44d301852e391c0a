"""Fixtures: a local Bot API server on a free port and a real python-telegram-bot client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from localapi_support import GROUP, OTHER_USER, TOKEN, USER, ManualClock, make_bot

from localapi import LocalBotApiServer


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def server() -> AsyncIterator[LocalBotApiServer]:
    """A started server (real clock) with one user and one supergroup."""
    async with LocalBotApiServer(TOKEN, bot_username="remotehub_test_bot") as started:
        started.add_user(USER, "Ada", username="ada")
        started.add_user(OTHER_USER, "Grace", language_code="ru")
        started.add_group(GROUP, "IGF Room 1", admins=[OTHER_USER], creator=OTHER_USER)
        yield started


@pytest.fixture
async def clocked_server(clock: ManualClock) -> AsyncIterator[LocalBotApiServer]:
    """A started server whose flood limits and outages run on ``clock``."""
    async with LocalBotApiServer(TOKEN, clock=clock) as started:
        started.add_user(USER, "Ada")
        started.add_group(GROUP, "IGF Room 1")
        yield started


@pytest.fixture
async def bot(server: LocalBotApiServer) -> AsyncIterator[telegram.Bot]:
    async with make_bot(server) as client:
        yield client


@pytest.fixture
async def clocked_bot(clocked_server: LocalBotApiServer) -> AsyncIterator[telegram.Bot]:
    async with make_bot(clocked_server) as client:
        yield client


@pytest.fixture
async def http(server: LocalBotApiServer) -> AsyncIterator[httpx.AsyncClient]:
    """A raw HTTP client on the server root, to check Telegram's exact answers."""
    async with httpx.AsyncClient(base_url=server.root, timeout=10) as client:
        yield client
