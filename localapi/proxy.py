"""A load balancer in miniature for tests and benchmarks of several bot processes.

Telegram's webhook deliveries (from the local Bot API server) go to the proxy, which passes
each POST to the next backend in turn, skipping one that refuses the connection (it died),
as a real balancer's health checks would.
"""

from __future__ import annotations

import itertools
import socket
from collections import Counter

import aiohttp
from aiohttp import web


class RoundRobinProxy:
    """A load balancer in miniature: each POST to the next backend, skipping dead ones."""

    def __init__(self, backends: list[str] | None = None) -> None:
        # Backends may be added after the start: pick their ports once the proxy holds its
        # own, or the system may hand the proxy a port just picked for a backend.
        self.backends = list(backends or [])
        self.handled: Counter[str] = Counter()  # backend -> updates it answered 200
        self._turns = itertools.count()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> str:
        """Listen on a free loopback port; returns the proxy's URL."""
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        port = int(sock.getsockname()[1])
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
        headers["Content-Type"] = request.headers.get("Content-Type", "application/json")
        for _ in self.backends:
            backend = self.backends[next(self._turns) % len(self.backends)]
            try:
                async with self._client.post(
                    backend + request.path, data=body, headers=headers
                ) as answer:
                    text = await answer.read()
                    if answer.status == 200:
                        self.handled[backend] += 1
                    return web.Response(status=answer.status, body=text)
            except aiohttp.ClientConnectionError:
                continue  # that instance is down: the next one
        return web.Response(status=502)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
