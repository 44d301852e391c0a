"""A small local stand-in of the LibreTranslate API (aiohttp on a free port), for tests.

``POST /translate`` answers from ``phrases`` ((text, target) -> translation), else
``"[target] text"``; ``mode`` switches to a slow answer, a status code or a raw body, so
tests can prove what the bot does with a server that misbehaves. Every request is kept.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, cast

from aiohttp import web


@dataclass
class TranslateServer:
    phrases: dict[tuple[str, str], str] = field(default_factory=dict)
    detected: str = "ru"
    delay: float = 0.0  # seconds before answering
    status: int = 200
    raw_body: bytes | None = None  # answer these bytes instead of JSON
    content_type: str = "application/json"
    api_key: str | None = None  # when set, requests without it get 403
    requests: list[dict[str, Any]] = field(default_factory=list)
    answered: int = 0
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> TranslateServer:
        app = web.Application()
        app.router.add_post("/translate", self._translate)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = cast(asyncio.Server | None, site._server)
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _translate(self, request: web.Request) -> web.StreamResponse:
        payload = await request.json()
        self.requests.append(payload)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.answered += 1
        if self.api_key is not None and payload.get("api_key") != self.api_key:
            return web.json_response({"error": "Invalid API key"}, status=403)
        if self.raw_body is not None or self.status != 200:
            body = self.raw_body if self.raw_body is not None else b'{"error": "boom"}'
            return web.Response(body=body, status=self.status, content_type=self.content_type)
        text, target = str(payload["q"]), str(payload["target"])
        answer = {
            "translatedText": self.phrases.get((text, target), f"[{target}] {text}"),
            "detectedLanguage": {"language": self.detected, "confidence": 90.0},
        }
        return web.Response(body=json.dumps(answer), content_type="application/json")
