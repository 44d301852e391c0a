"""The HTTP front: routes ``/bot<token>/<method>`` to the Bot API methods, like Telegram.

Also serves downloads (``/file/bot<token>/<file_path>``) and a small control API
(``/_local/<action>``) so a process other than the tests can act as users.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

from . import api_bot, api_chats, api_files, api_messages
from .api_bot import Described
from .core import Core, RequestRecord
from .errors import NOT_FOUND, UNAUTHORIZED, ApiError, bad_request
from .params import Params, UploadedFile

logger = logging.getLogger(__name__)

Handler = Callable[[Core, Params], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {
    **api_bot.HANDLERS,
    **api_messages.HANDLERS,
    **api_files.HANDLERS,
    **api_chats.HANDLERS,
}
_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
MAX_UPLOAD = 50 * 1024 * 1024 + 64 * 1024  # Telegram's 50 MB for bots, plus form overhead
# Test-side methods reachable over HTTP at /_local/<name> (for a demo in another process).
CONTROL_ACTIONS = frozenset(
    {
        "add_user", "add_group", "add_channel", "block", "unblock", "deactivate", "kick",
        "rejoin", "migrate_chat", "send_text", "send_sticker", "send_voice", "edit_text",
        "press_button", "my_chat_member", "fail_next", "outage", "end_outage",
    }
)  # fmt: skip


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as Telegram sends it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


async def read_params(request: web.Request) -> Params:
    """Parameters from the query string and a JSON, form-urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            try:
                body = json.loads(await request.read() or b"{}")
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            raw.update(body)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        value.filename or "", value.content_type or "", value.file.read()
                    )
                else:
                    raw[key] = value
    return Params(raw, files)


class ControlTarget(Protocol):
    """What the control API drives: the server's test-side methods and its counters."""

    def stats(self) -> dict[str, Any]:
        """Counters for benchmarks."""
        ...


class HttpFront:
    """Answers HTTP requests for one ``Core``; failures inside are logged, never hidden."""

    def __init__(self, core: Core, control: ControlTarget, *, log_requests: bool = True) -> None:
        self.core = core
        self.control = control
        self.log_requests = log_requests
        self.internal_errors: list[BaseException] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._download(path[len("/file/bot") :])
        if path.startswith("/_local/"):
            return await self._control(request, path[len("/_local/") :])
        if not path.startswith("/bot"):
            return _error(NOT_FOUND)
        token, _, method = path[len("/bot") :].partition("/")
        core = self.core
        faults = core.faults
        if faults.latency or faults.jitter:
            await asyncio.sleep(faults.delay())
        key = method.lower()
        fault = faults.take(key)
        if fault is not None:
            self._log(method, {}, fault.status, "injected fault")
            body, content_type = fault.body()
            return web.Response(body=body, status=fault.status, content_type=content_type)
        handler = HANDLERS.get(key)
        if token != core.token:
            error = UNAUTHORIZED if _TOKEN_SHAPE.match(token) else NOT_FOUND
            self._log(method, {}, error.status, error.description)
            return _error(error)
        if handler is None:
            self._log(method, {}, 404, NOT_FOUND.description)
            return _error(NOT_FOUND)

        params: Params | None = None
        try:
            params = await read_params(request)
            result = await handler(core, params)
        except ApiError as exc:
            status, body_json = exc.status, exc.body()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not look like Telegram's answer
            logger.exception("local Bot API server failed on %s", method)
            self.internal_errors.append(exc)
            status = 500
            body_json = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: local Bot API server: {exc!r}",
            }
        else:
            status = 200
            if isinstance(result, Described):
                body_json = {"ok": True, "result": result.result, "description": result.description}
            else:
                body_json = {"ok": True, "result": result}
        self._log(
            method,
            params.loggable() if params is not None else {},
            status,
            body_json.get("description") if status != 200 else None,
        )
        core.notify()
        return _json(body_json, status)

    def _log(
        self, method: str, params: dict[str, Any], status: int, description: str | None
    ) -> None:
        if self.log_requests:
            self.core.requests.append(
                RequestRecord(method, params, self.core.clock(), status, description)
            )

    async def _download(self, rest: str) -> web.StreamResponse:
        token, _, file_path = rest.partition("/")
        fault = self.core.faults.take("file")
        if fault is not None:
            body, content_type = fault.body()
            return web.Response(body=body, status=fault.status, content_type=content_type)
        if token != self.core.token:
            return _error(UNAUTHORIZED)
        stored = self.core.world.files_by_path.get(file_path)
        if stored is None or stored.data is None:
            return _error(NOT_FOUND)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _control(self, request: web.Request, action: str) -> web.StreamResponse:
        """``POST /_local/<action>`` with JSON keyword arguments; ``GET /_local/sent``."""
        try:
            if action == "sent":
                world = self.core.world
                result: Any = [{"method": m.method, **world.message_json(m)} for m in world.sent]
            elif action == "stats":
                result = self.control.stats()
            elif action in CONTROL_ACTIONS:
                kwargs = await request.json() if request.can_read_body else {}
                result = getattr(self.control, action)(**kwargs)
            else:
                return _error(NOT_FOUND)
        except (TypeError, ValueError, LookupError) as exc:
            return _json({"ok": False, "error_code": 400, "description": str(exc)}, 400)
        return _json({"ok": True, "result": result})


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=dumps(body), status=status, content_type="application/json")


def _error(error: ApiError) -> web.Response:
    return _json(error.body(), error.status)
