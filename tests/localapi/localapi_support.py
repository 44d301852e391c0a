"""Shared helpers of the local Bot API server tests (constants, a manual clock, clients)."""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import httpx
import telegram
from telegram.warnings import PTBDeprecationWarning

from localapi import LocalBotApiServer

TOKEN = "123456:TEST-token_abc"
USER = 1001
OTHER_USER = 1002
GROUP = -1001234567890


class ManualClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_bot(server: LocalBotApiServer) -> telegram.Bot:
    """A python-telegram-bot client pointed at the local server."""
    return telegram.Bot(TOKEN, base_url=server.base_url, base_file_url=server.base_file_url)


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> httpx.Response:
    """POST a Bot API method with a JSON body."""
    return await http.post(f"/bot{TOKEN}/{method}", json=params)


def retry_seconds(error: telegram.error.RetryAfter) -> float:
    """``retry_after`` in seconds, whether PTB gives an int or (PTB_TIMEDELTA) a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
