"""The webhook endpoint: aiohttp routes that answer 200 only once the update is stored.

``webhook_routes`` is mounted on the bot's web server (the console's, under ``[web]``);
``WebhookServer`` is a minimal runner for the routes alone. Answers: 401 without the secret
header, 403 with a wrong one (compared in constant time), 400 for a body that is not an
update, 503 while stopping or when the database cannot store it (Telegram retries), never 500
for what a caller sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket

from aiohttp import web

from bot.intake.service import Intake, IntakeClosed

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


def derived_secret(token: str) -> str:
    """A webhook secret from the bot token: stable across restarts and instances."""
    return hmac.new(token.encode(), b"remotehub webhook secret", hashlib.sha256).hexdigest()


def webhook_routes(intake: Intake, secret: str, path: str) -> web.RouteTableDef:
    """``POST path``: Telegram's updates into the intake."""
    routes = web.RouteTableDef()
    expected = secret.encode()

    @routes.post(path)
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return web.Response(status=401, text="secret token missing")
        if not hmac.compare_digest(given.encode(errors="replace"), expected):
            return web.Response(status=403, text="wrong secret token")
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="not JSON")
        update_id = body.get("update_id") if isinstance(body, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return web.Response(status=400, text="not a Telegram update")
        try:
            await intake.accept([body])
        except IntakeClosed:
            return web.Response(status=503, text="stopping")
        except Exception as exc:
            log.warning("could not store update %s: %r", update_id, exc)
            return web.Response(status=503, text="could not store the update")
        return web.Response(status=200)

    return routes


def parse_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` -> ``("127.0.0.1", 8080)``."""
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"listen address must be HOST:PORT, not {listen!r}")
    return host.strip("[]"), int(port)


class WebhookServer:
    """Serves the webhook routes alone (until the console's server mounts them)."""

    def __init__(self, routes: web.RouteTableDef, listen: str) -> None:
        self._routes = routes
        self._host, self._port = parse_listen(listen)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> str:
        """Listen; returns ``http://host:port`` (port 0 picks a free one)."""
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.add_routes(self._routes)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET6 if ":" in self._host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self._host, self._port))
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self.port = int(sock.getsockname()[1])
        self._runner = runner
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
