"""Signing in to the web pages, and what a signed-in browser may send.

Two ways in, both ending in the same browser session (an HttpOnly cookie whose hash is
stored): the one-time link from ``/console`` (single use, ten minutes), and Telegram's
Mini App ``initData`` (HMAC-SHA256 under a key derived from the bot token, at most a day
old). Each POST carries the session's CSRF token and a nonce; a nonce seen before returns
the first answer and does nothing again. Roles are not decided here: the caller asks
``RoleService`` on every request, as the chat commands do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from bot.clock import Clock
from bot.errors import UserFacingError
from bot.i18n import pick_language
from bot.roles import Role, RoleService
from storage.db import Database
from storage.repos import web_access as repo

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)
INIT_DATA_MAX_AGE = timedelta(days=1)
NONCE_MAX = 64


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AccessRefused(Exception):
    """Not signed in (401) or signed in but not allowed (403); ``message_id`` says why."""

    def __init__(self, message_id: str, *, forbidden: bool = False) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.forbidden = forbidden


@dataclass(frozen=True, slots=True)
class MiniAppUser:
    id: int
    first_name: str
    language_code: str | None


def verify_init_data(
    init_data: str, bot_token: str, now: datetime, max_age: timedelta = INIT_DATA_MAX_AGE
) -> MiniAppUser:
    """The user Telegram vouches for in ``init_data``, else ``AccessRefused``.

    Per Telegram's "Validating data received via the Mini App": the data-check string is
    every field but ``hash``, sorted, ``key=value`` joined by newlines; the secret key is
    HMAC-SHA256 of the bot token under the key ``WebAppData``.
    """
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise AccessRefused("web.init_data_invalid") from None
    fields = dict(pairs)
    if len(fields) != len(pairs) or "hash" not in fields:
        raise AccessRefused("web.init_data_invalid")
    received = fields.pop("hash")
    check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    expected = hmac.new(secret_key, check_string.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, received):
        raise AccessRefused("web.init_data_invalid")
    try:
        signed_at = datetime.fromtimestamp(int(fields["auth_date"]), tz=now.tzinfo)
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError, OverflowError):
        raise AccessRefused("web.init_data_invalid") from None
    if now - signed_at > max_age or signed_at - now > timedelta(minutes=5):
        raise AccessRefused("web.init_data_expired")
    if not 0 < user_id < 2**63:
        raise AccessRefused("web.init_data_invalid")
    return MiniAppUser(user_id, str(user.get("first_name", "")), user.get("language_code"))


def sign_init_data(fields: dict[str, str], bot_token: str) -> str:
    """``init_data`` as Telegram would sign it (the tests and the demo play the client)."""
    from urllib.parse import urlencode

    check_string = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    signed = hmac.new(secret_key, check_string.encode(), hashlib.sha256).hexdigest()
    return urlencode({**fields, "hash": signed})


@dataclass(frozen=True, slots=True)
class Browser:
    """A signed-in browser session."""

    session_hash: str
    user_id: int
    language: str
    csrf_token: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    cookie: str  # the secret for the cookie; only its hash is stored
    browser: Browser


class WebAccess:
    def __init__(self, database: Database, clock: Clock, roles: RoleService, bot_token: str):
        self._database = database
        self._clock = clock
        self._roles = roles
        self._bot_token = bot_token

    async def issue_link(self, user_id: int, language: str) -> str:
        """A fresh one-time sign-in secret for ``user_id`` (the caller checked the role)."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        async with self._database.transaction() as db:
            await repo.prune(db, now)
            await repo.add_link(
                db,
                token_hash=digest(token),
                user_id=user_id,
                language=language,
                now=now,
                expires_at=now + LINK_LIFETIME,
            )
        return token

    async def link_usable(self, token: str) -> bool:
        async with self._database.transaction() as db:
            return await repo.usable_link(db, digest(token), self._clock.now()) is not None

    async def sign_in_with_link(self, token: str) -> SignedIn:
        now = self._clock.now()
        async with self._database.transaction() as db:
            link = await repo.usable_link(db, digest(token), now)
            if link is None or not await repo.use_link(db, digest(token), now):
                raise AccessRefused("web.link_invalid")
            user_id, language = link.user_id, link.language
        await self._require_moderator(user_id)
        return await self._open(user_id, language)

    async def sign_in_with_init_data(self, init_data: str, default_language: str) -> SignedIn:
        user = verify_init_data(init_data, self._bot_token, self._clock.now())
        await self._require_moderator(user.id)
        return await self._open(user.id, pick_language(None, user.language_code, default_language))

    async def _require_moderator(self, user_id: int) -> None:
        if not await self._roles.has(user_id, Role.MODERATOR):
            raise AccessRefused("web.not_moderator", forbidden=True)

    async def _open(self, user_id: int, language: str) -> SignedIn:
        cookie, now = secrets.token_urlsafe(32), self._clock.now()
        browser = Browser(digest(cookie), user_id, language, secrets.token_urlsafe(32))
        async with self._database.transaction() as db:
            await repo.add_session(
                db,
                token_hash=browser.session_hash,
                user_id=user_id,
                language=language,
                csrf_token=browser.csrf_token,
                now=now,
                expires_at=now + SESSION_LIFETIME,
            )
        return SignedIn(cookie, browser)

    async def browser(self, cookie: str | None) -> Browser | None:
        """The signed-in browser behind this cookie, if its session is still valid."""
        if not cookie or len(cookie) > 200:
            return None
        async with self._database.transaction() as db:
            row = await repo.live_session(db, digest(cookie), self._clock.now())
        if row is None:
            return None
        return Browser(row.token_hash, row.user_id, row.language, row.csrf_token)

    async def sign_out(self, browser: Browser) -> None:
        async with self._database.transaction() as db:
            await repo.end_session(db, browser.session_hash)

    @staticmethod
    def csrf_ok(browser: Browser, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(browser.csrf_token, token)

    async def once(
        self,
        browser: Browser,
        nonce: str,
        action: Callable[[], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        """Run ``action`` for the first POST with this nonce; a repeat gets its result back.

        A refusal (``UserFacingError``) is a result too, so a retry is refused the same way.
        """
        if not nonce or len(nonce) > NONCE_MAX:
            raise UserFacingError("web.action_expired")
        now = self._clock.now()
        async with self._database.transaction() as db:
            first = await repo.claim_action(db, browser.session_hash, nonce, now)
            earlier = None if first else await repo.action_result(db, browser.session_hash, nonce)
        if not first:
            return earlier or {"ok": False, "message_id": "web.action_in_progress", "params": {}}
        try:
            result = await action()
        except UserFacingError as error:
            result = {"ok": False, "message_id": error.message_id, "params": error.params}
        async with self._database.transaction() as db:
            await repo.save_action_result(db, browser.session_hash, nonce, result)
        return result
