"""Signing in: the one-time link from /console, the Telegram Mini App, signing out."""

from __future__ import annotations

from aiohttp import web

from bot.webaccess import AccessRefused
from web.pages import Texts, message_page, page
from web.routing import COOKIE, browser_of, deps, set_session_cookie, texts_for

ROUTES = web.RouteTableDef()


@ROUTES.get("/")
async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/console")


@ROUTES.get("/signin/{token}")
async def signin_page(request: web.Request) -> web.StreamResponse:
    """A button, not an automatic sign-in: a link preview or a scanner opening the link
    must not use it up."""
    texts = texts_for(request)
    if not await deps(request).access.link_usable(request.match_info["token"]):
        return message_page(texts, "web.link_invalid", status=403)
    return page("signin.html", texts, action=request.path)


@ROUTES.post("/signin/{token}")
async def signin(request: web.Request) -> web.StreamResponse:
    texts = texts_for(request)
    try:
        signed_in = await deps(request).access.sign_in_with_link(request.match_info["token"])
    except AccessRefused as refused:
        return message_page(texts, refused.message_id, status=403)
    response = web.Response(
        status=303, headers={"Location": f"/console?lang={signed_in.browser.language}"}
    )
    set_session_cookie(request, response, signed_in.cookie)
    return response


@ROUTES.get("/app")
async def mini_app(request: web.Request) -> web.StreamResponse:
    """The Mini App's first page: its script sends Telegram's initData to /app/signin."""
    return page("app.html", texts_for(request))


@ROUTES.post("/app/signin")
async def mini_app_signin(request: web.Request) -> web.StreamResponse:
    services = deps(request)
    form = await request.post()
    init_data = form.get("init_data")
    texts = texts_for(request)
    if not isinstance(init_data, str) or len(init_data) > 8192:
        return _refusal(texts, AccessRefused("web.init_data_invalid"))
    try:
        signed_in = await services.access.sign_in_with_init_data(
            init_data, services.settings.default_language
        )
    except AccessRefused as refused:
        return _refusal(texts, refused)
    response = web.json_response({"next": f"/console?lang={signed_in.browser.language}"})
    set_session_cookie(request, response, signed_in.cookie, framed=True)
    return response


def _refusal(texts: Texts, refused: AccessRefused) -> web.Response:
    return web.json_response(
        {"error": texts(refused.message_id)}, status=403 if refused.forbidden else 401
    )


@ROUTES.post("/signout")
async def signout(request: web.Request) -> web.StreamResponse:
    services, texts = deps(request), texts_for(request)
    browser = await browser_of(request)
    form = await request.post()
    csrf = form.get("csrf")
    if browser is not None:
        if not services.access.csrf_ok(browser, csrf if isinstance(csrf, str) else None):
            return message_page(texts, "web.csrf_failed", status=403)
        await services.access.sign_out(browser)
    response = message_page(texts, "web.signed_out", status=200)
    response.del_cookie(COOKIE, path="/")
    return response
