"""Helpers for the web pages' tests: a bot with its web server, signing in over HTTP."""

from __future__ import annotations

import re
import time
from typing import Any

import aiohttp

from bot.webaccess import sign_init_data
from localapi import LocalBotApiServer
from tests.harness import TOKEN, BotHarness
from tests.questions.e2e_support import Chat

LINK = re.compile(r'href="(?P<url>[^"]+/signin/[^"]+)"')


async def console_link(api: LocalBotApiServer, moderator_id: int) -> str:
    """What a moderator gets from /console: the one-time sign-in link."""
    reply = await Chat(api, moderator_id).send("/console")
    found = LINK.search(reply.source_text or "")
    assert found, f"no sign-in link in {reply.text!r}"
    return found.group("url")


def web_url(bot: BotHarness) -> str:
    url = bot.services.web_url
    assert url, "the web server is not up"
    return url


def init_data(user_id: int, *, token: str = TOKEN, age: float = 0, **extra: str) -> str:
    """``initData`` as Telegram signs it for ``user_id`` (``token`` another bot's to forge)."""
    fields: dict[str, Any] = {
        "auth_date": str(int(time.time() - age)),
        "query_id": "AAH-test",
        "user": f'{{"id":{user_id},"first_name":"Mark","language_code":"en"}}',
        **extra,
    }
    return sign_init_data(fields, token)


async def signed_in_client(link: str) -> aiohttp.ClientSession:
    """A cookie-keeping client that pressed "Sign in" on ``link``."""
    client = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    async with client.post(link, allow_redirects=True) as response:
        assert response.status == 200, await response.text()
    return client
