"""Helpers for the demo's scene tests: the "bot" is plain HTTP calls to the local server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from localapi import LocalBotApiServer
from tests.harness import TOKEN

VENUE = ZoneInfo("Asia/Riyadh")


class FixedClock:
    def now(self) -> datetime:
        return datetime(2024, 12, 17, 6, 35, tzinfo=UTC)  # 09:35 in Riyadh


async def bot_request(server: LocalBotApiServer, method: str, **params: Any) -> Any:
    """A Bot API call as the bot would make it; the server's whole answer."""
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{server.root}/bot{TOKEN}/{method}", json=params)
    return response.json()


async def bot_call(server: LocalBotApiServer, method: str, **params: Any) -> Any:
    """A Bot API call that must succeed; its result."""
    body = await bot_request(server, method, **params)
    assert body["ok"], body
    return body["result"]
