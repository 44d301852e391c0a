"""Signing in to the console over HTTP against the real bot: the /console link (single use,
ten minutes), Telegram Mini App initData (genuine, a participant's, forged, expired), the
role checked on every request, CSRF and repeated POSTs."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from localapi import LocalBotApiServer
from storage.db import Database
from tests.harness import BotHarness
from tests.questions.e2e_support import Chat, live_session
from tests.questions.support import E2E_MODERATOR as MODERATOR
from tests.questions.support import questions_in

from .support import console_link, init_data, signed_in_client, web_url

pytestmark = pytest.mark.e2e

PARTICIPANT = 31


async def test_link_signs_in_once_and_sets_a_strict_http_only_cookie(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    link = await console_link(api, MODERATOR)
    assert link.startswith(web_url(bot))
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        async with client.get(link) as page:  # a preview opening the link uses nothing up
            assert page.status == 200 and 'method="post"' in await page.text()
        async with client.post(link, allow_redirects=False) as response:
            assert response.status == 303
            cookie = response.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            assert "Secure" not in cookie  # plain http on loopback
        async with client.get(f"{web_url(bot)}/console") as console:
            assert console.status == 200
            assert str(console.url).split("?")[0].endswith(f"/console/{session_id}")
            assert "Libraries and AI" in await console.text()
    # Used: a second browser with the same link gets nothing.
    async with (
        aiohttp.ClientSession() as other,
        other.post(link, allow_redirects=False) as again,
    ):
        assert again.status == 403
        assert "Set-Cookie" not in again.headers


async def test_expired_link_is_refused(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    await live_session(database)
    link = await console_link(api, MODERATOR)
    access = bot.services.web_access
    assert access is not None
    access._clock = _Later(bot.services.clock, timedelta(minutes=11))  # type: ignore[attr-defined]
    async with (
        aiohttp.ClientSession() as client,
        client.post(link, allow_redirects=False) as response,
    ):
        assert response.status == 403
        assert "expired" in await response.text()


class _Later:
    def __init__(self, clock: object, by: timedelta) -> None:
        self._clock, self._by = clock, by

    def now(self):  # type: ignore[no-untyped-def]
        return self._clock.now() + self._by  # type: ignore[attr-defined]


async def test_participant_gets_the_usual_refusal_for_console(
    api: LocalBotApiServer, bot: BotHarness
) -> None:
    api.add_user(PARTICIPANT, "Pat", "en")
    reply = await Chat(api, PARTICIPANT).send("/console")
    assert "signin" not in (reply.source_text or "")
    assert "not allowed" in (reply.text or "").lower() or "moderator" in (reply.text or "")


async def test_mini_app_init_data(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    await live_session(database)
    base = web_url(bot)

    async def post(data: str) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as client,
            client.post(f"{base}/app/signin", data={"init_data": data}) as response,
        ):
            return response.status, response.headers.get("Set-Cookie", "")

    status, cookie = await post(init_data(MODERATOR))
    assert status == 200 and "HttpOnly" in cookie
    assert (await post(init_data(PARTICIPANT)))[0] == 403  # genuine, but not a moderator
    assert (await post(init_data(MODERATOR, token="654321:another-bot")))[0] == 401  # forged
    tampered = init_data(PARTICIPANT).replace(
        f"%22id%22%3A{PARTICIPANT}", f"%22id%22%3A{MODERATOR}"
    )
    assert (await post(tampered))[0] == 401
    assert (await post(init_data(MODERATOR, age=86400 + 60)))[0] == 401  # over a day old
    assert (await post("garbage"))[0] == 401


async def test_every_request_checks_the_role_and_csrf_and_nonces(
    api: LocalBotApiServer, bot: BotHarness, database: Database
) -> None:
    session_id = await live_session(database)
    api.add_user(PARTICIPANT, "Pat", "en")
    for topic in ("funding", "training"):
        await Chat(api, PARTICIPANT).send(f"/ask What about {topic}?")
    client = await signed_in_client(await console_link(api, MODERATOR))
    base = web_url(bot)
    try:
        async with client.get(f"{base}/console/{session_id}") as page:
            html = await page.text()
        csrf = html.split('name="csrf-token" content="')[1].split('"')[0]
        act = f"{base}/console/{session_id}/act"
        async with client.post(act, data={"action": "claim", "nonce": "n1"}) as response:
            assert response.status == 403  # no CSRF token
        fields = {"action": "claim", "csrf": csrf, "nonce": "n1"}
        for _ in range(3):  # a double click and a retry: one claim
            async with client.post(act, data=fields) as response:
                assert response.status == 200
                assert (await response.json())["ok"] is True
        rows = await questions_in(database, session_id)
        assert [row.status for row in rows].count("claimed") == 1
        # The moderator loses the role: the next request is refused, and changes nothing.
        bot.services.roles._settings = bot.services.settings.model_copy(  # type: ignore[attr-defined]
            update={"moderators": []}
        )
        async with client.get(f"{base}/console/{session_id}") as page:
            assert page.status == 403
        fields["nonce"] = "n2"
        async with client.post(act, data=fields) as response:
            assert response.status == 403
        rows = await questions_in(database, session_id)
        assert [row.status for row in rows].count("claimed") == 1
    finally:
        await client.close()


async def test_no_cookie_no_console(bot: BotHarness) -> None:
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{web_url(bot)}/console/1") as page:
            assert page.status == 401
        async with client.get(f"{web_url(bot)}/wall/not-a-token") as page:
            assert page.status == 404
