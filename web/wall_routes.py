"""The projector wall: read-only, live, addressed by an unguessable token per session.

Hundreds of walls may watch one session: each version of a session's wall is rendered once
per language and the same HTML goes to every stream (``WallRenders``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web
from markupsafe import Markup

from bot.questions.qr import qr_svg
from bot.questions.wall import WallTranslation
from bot.translation.service import language_name
from web.pages import Texts, message_page, page, render
from web.routing import deps, texts_for
from web.sse import session_stream

ROUTES = web.RouteTableDef()


@dataclass
class WallRenders:
    """The latest rendered wall per (session, language), shared by every viewer."""

    done: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)
    locks: dict[tuple[int, str], asyncio.Lock] = field(default_factory=dict)


RENDERS = web.AppKey("wall_renders", WallRenders)


def _renders(request: web.Request) -> WallRenders:
    renders = request.app.get(RENDERS)
    if renders is None:
        raise RuntimeError("wall renders not set up")
    return renders


def _translation_label(texts: Texts, translation: WallTranslation | None) -> str:
    if translation is None or translation.source is None:
        return texts("web.machine_translation")
    source = language_name(translation.source, texts.language)
    return texts("web.machine_translation_from", source=source)


async def _wall_html(request: web.Request, session_id: int, texts: Texts, version: int) -> str:
    renders = _renders(request)
    key = (session_id, texts.language)
    lock = renders.locks.setdefault(key, asyncio.Lock())
    async with lock:
        cached = renders.done.get(key)
        if cached is not None and cached[0] >= version:
            return cached[1]
        current = deps(request).live.version(session_id)  # read before the data
        view = await deps(request).relay.walls.view(session_id)
        html = render(
            "wall_live.html",
            texts,
            view=view,
            version=current,
            translation_label=_translation_label(texts, view.on_screen_translation),
        )
        renders.done[key] = (current, html)
        return html


async def _session_of(request: web.Request) -> int:
    session_id = await deps(request).relay.walls.session_of(request.match_info["token"])
    if session_id is None:
        raise web.HTTPNotFound(
            text=texts_for(request)("web.wall_unknown"), content_type="text/plain"
        )
    return session_id


@ROUTES.get("/wall/{token}")
async def wall_page(request: web.Request) -> web.StreamResponse:
    try:
        session_id = await _session_of(request)
    except web.HTTPNotFound:
        return message_page(texts_for(request), "web.wall_unknown", status=404)
    services, texts = deps(request), texts_for(request)
    link = services.services.links.ask(session_id)
    live_html = await _wall_html(request, session_id, texts, services.live.version(session_id))
    view = await services.relay.walls.view(session_id)
    return page(
        "wall.html",
        texts,
        view=view,
        link=link,
        # Our own markup: the QR code (segno) and the escaped live part rendered above.
        qr=Markup(qr_svg(link, title=texts("web.wall.qr_title"))),
        live_html=Markup(live_html),
        stream=f"{request.path}/stream?lang={texts.language}",
    )


@ROUTES.get("/wall/{token}/stream")
async def wall_stream(request: web.Request) -> web.StreamResponse:
    session_id = await _session_of(request)
    texts = texts_for(request)

    async def render_wall(version: int) -> str:
        return await _wall_html(request, session_id, texts, version)

    return await session_stream(request, deps(request).live, session_id, render_wall)
