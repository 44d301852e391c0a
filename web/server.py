"""The bot's HTTP server: aiohttp in the bot's own process and event loop.

Routes come as tables (``web.RouteTableDef``); a later feature (a webhook endpoint) adds its
own with ``WebServer.add_routes`` before ``start``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware

from bot.services import Services
from config.settings import WebSettings
from web import auth_routes, console_routes, wall_routes
from web.deps import WebDeps
from web.routing import DEPS
from web.sse import STREAMS

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SHUTDOWN_TIMEOUT = 2.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def security_headers(frame_ancestors: Iterable[str]) -> Middleware:
    """Only our own scripts and styles run; no page leaks its address (a sign-in secret); only
    ourselves and ``frame_ancestors`` (Telegram Web, for the Mini App) may frame a page."""
    ancestors = " ".join(["'self'", *frame_ancestors])
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )

    @web.middleware
    async def add_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    return add_headers


class WebServer:
    def __init__(self, services: Services, settings: WebSettings) -> None:
        self._services = services
        self._settings = settings
        self._routes: list[web.AbstractRouteDef] = [
            *auth_routes.ROUTES,
            *console_routes.ROUTES,
            *wall_routes.ROUTES,
        ]
        self._runner: web.AppRunner | None = None
        self._streams: set[asyncio.Task[None]] = set()
        self.url = ""

    def add_routes(self, routes: Iterable[web.AbstractRouteDef]) -> None:
        """More routes on the same server (call before ``start``)."""
        if self._runner is not None:
            raise RuntimeError("add routes before the web server starts")
        self._routes.extend(routes)

    def build_app(self) -> web.Application:
        app = web.Application(
            middlewares=[security_headers(self._settings.frame_ancestors)],
            client_max_size=64 * 1024,
        )
        app[DEPS] = WebDeps.of(self._services)
        app[STREAMS] = self._streams
        app[wall_routes.RENDERS] = wall_routes.WallRenders()
        app[console_routes.SNAPSHOTS] = console_routes.ConsoleSnapshots()
        app.add_routes(self._routes)
        app.router.add_static("/static", STATIC, append_version=True)
        return app

    async def start(self) -> str:
        """Bind and serve; returns the address people open (``public_url`` or the bound one)."""
        runner = web.AppRunner(self.build_app(), shutdown_timeout=SHUTDOWN_TIMEOUT, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._settings.host, self._settings.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        host, port = runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in str(host) else host
        self.url = self._settings.public_url or f"http://{shown}:{port}"
        self._services.web_url = self.url
        log.info("web pages at %s (listening on %s:%s)", self.url, host, port)
        return self.url

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        # Live streams never end by themselves: end them, then close the server.
        for task in list(self._streams):
            task.cancel()
        await asyncio.sleep(0)
        await runner.cleanup()
        self._services.web_url = None
