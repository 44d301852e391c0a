"""A real HTTP server for programmes and feeds (aiohttp on a free port), for tests and bench.

Serve bytes per path with ETag/Last-Modified that honour If-None-Match/If-Modified-Since,
plain status codes, 301/302/307/308 redirects, a slow drip, an endless or huge body, gzip;
every request is counted and its headers kept, so a test can prove what was asked.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from aiohttp import web
from multidict import CIMultiDictProxy

LAST_MODIFIED = format_datetime(datetime(2026, 1, 1, tzinfo=UTC), usegmt=True)


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False
    drip_delay: float | None = None  # seconds between chunks of drip_chunk bytes
    drip_chunk: int = 1
    stream_size: int | None = None  # stream this many zero bytes (no Content-Length)
    bearer: str | None = None  # answer 401 unless "Authorization: Bearer <this>" is sent


class FeedServer:
    """``await FeedServer().start()``; ``url(path)``; ``serve(path, body)``; ``hits[path]``."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        self.last_headers: dict[str, CIMultiDictProxy[str]] = {}
        self.connections: set[object] = set()  # client (host, port) pairs seen
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # --- what to serve -------------------------------------------------------------------

    def serve(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/octet-stream",
        etag: bool = True,
        last_modified: bool = True,
        gzip: bool = False,
    ) -> Route:
        """Serve ``body``; its ETag changes with the content, so a new body is a 200 again."""
        route = Route(
            body=body,
            content_type=content_type,
            etag=f'"{hashlib.sha1(body).hexdigest()[:16]}"' if etag else None,
            last_modified=LAST_MODIFIED if last_modified and not etag else None,
            gzip=gzip,
        )
        self.routes[path] = route
        return route

    def fail(self, path: str, status: int = 500, headers: dict[str, str] | None = None) -> None:
        self.routes[path] = Route(body=b"server error", status=status, headers=headers or {})

    def redirect(self, path: str, target: str, status: int = 301) -> None:
        self.routes[path] = Route(status=status, location=target, body=b"moved")

    def drip(self, path: str, body: bytes, *, delay: float, chunk: int = 1) -> None:
        self.routes[path] = Route(body=body, drip_delay=delay, drip_chunk=chunk)

    def endless(self, path: str, size: int, *, status: int = 200) -> None:
        """Stream ``size`` bytes of zeros without announcing a length (a 50 MB body, say)."""
        self.routes[path] = Route(stream_size=size, status=status)

    # --- the handler ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        self.last_headers[path] = request.headers
        if request.transport is not None:
            self.connections.add(request.transport.get_extra_info("peername"))
        route = self.routes.get(path)
        if route is None:
            return web.Response(status=404, text="not found")
        if route.bearer is not None and request.headers.get("Authorization") != (
            f"Bearer {route.bearer}"
        ):
            return web.Response(status=401, reason="Unauthorized", text="token required")
        if route.location is not None:
            return web.Response(status=route.status, headers={"Location": route.location})
        if route.stream_size is not None or route.drip_delay is not None:
            return await self._stream(request, route)
        if route.status == 200 and self._unchanged(request, route):
            self.not_modified[path] += 1
            return web.Response(status=304, headers=self._validators(route))
        body, headers = route.body, {**self._validators(route), **route.headers}
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        headers["Content-Type"] = route.content_type
        return web.Response(status=route.status, body=body, headers=headers)

    @staticmethod
    def _validators(route: Route) -> dict[str, str]:
        headers = {}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        return headers

    @staticmethod
    def _unchanged(request: web.Request, route: Route) -> bool:
        if route.etag and request.headers.get("If-None-Match"):
            return request.headers["If-None-Match"] == route.etag
        if route.last_modified and request.headers.get("If-Modified-Since"):
            return request.headers["If-Modified-Since"] == route.last_modified
        return False

    async def _stream(self, request: web.Request, route: Route) -> web.StreamResponse:
        response = web.StreamResponse(status=route.status)
        response.content_type = route.content_type
        await response.prepare(request)
        try:
            if route.stream_size is not None:
                block = b"\0" * 65536
                left = route.stream_size
                while left > 0:
                    await response.write(block[: min(left, len(block))])
                    left -= len(block)
            else:
                assert route.drip_delay is not None
                for start in range(0, len(route.body), route.drip_chunk):
                    await response.write(route.body[start : start + route.drip_chunk])
                    await asyncio.sleep(route.drip_delay)
            await response.write_eof()
        except ConnectionError:
            pass  # the client gave up, as it should
        return response
