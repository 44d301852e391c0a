"""What every route shares: the services, the signed-in browser, the viewer's texts."""

from __future__ import annotations

from aiohttp import web

from bot.webaccess import Browser
from web.deps import WebDeps
from web.pages import Texts, language_of

DEPS = web.AppKey("deps", WebDeps)
COOKIE = "rh_session"
SESSION_SECONDS = 12 * 3600


def deps(request: web.Request) -> WebDeps:
    return request.app[DEPS]


def texts_for(request: web.Request, default: str | None = None) -> Texts:
    services = deps(request)
    fallback = default or services.settings.default_language
    return Texts(services.translator, language_of(request, fallback))


async def browser_of(request: web.Request) -> Browser | None:
    return await deps(request).access.browser(request.cookies.get(COOKIE))


def secure(request: web.Request) -> bool:
    return deps(request).public_url.startswith("https://") or request.secure


def set_session_cookie(
    request: web.Request, response: web.StreamResponse, cookie: str, *, framed: bool = False
) -> None:
    """The browser session's cookie: HttpOnly, SameSite=Strict, Secure under https.

    ``framed`` is the Mini App's: Telegram Web shows it in a frame on web.telegram.org, where a
    Strict cookie is never sent, so that one is SameSite=None, Secure and Partitioned (CHIPS:
    kept for that frame on that site only). Telegram opens Mini Apps over https alone, and
    browsers keep Secure cookies from loopback too; every action still needs the CSRF token.
    """
    if framed:
        # Python's http.cookies learns "Partitioned" only in 3.14: the header is written here.
        attributes = f"Path=/; Max-Age={SESSION_SECONDS}; HttpOnly; Secure; SameSite=None"
        response.headers.add("Set-Cookie", f"{COOKIE}={cookie}; {attributes}; Partitioned")
        return
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="Strict",
        secure=secure(request),
        path="/",
        max_age=SESSION_SECONDS,
    )
