"""Server-Sent Events for one session: wait for a change, render the page part, send it.

Changes are coalesced: a stream sends at most one update per ``MIN_GAP`` seconds, always
of the latest state, so a burst of questions costs one render per viewer, not one each.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.live import LiveHub

MIN_GAP = 0.2  # seconds between two updates of one stream
KEEPALIVE = 15.0  # a comment line this often: proxies keep the stream, dead clients show
STREAMS = web.AppKey("streams", set[asyncio.Task[None]])


@functools.lru_cache(maxsize=256)
def event_lines(event: str, data: str) -> bytes:
    """One event, encoded; cached, since hundreds of walls send the very same render."""
    body = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {event}\n{body}\n".encode()


async def session_stream(
    request: web.Request,
    live: LiveHub,
    session_id: int,
    render: Callable[[int], Awaitable[str | None]],
) -> web.StreamResponse:
    """Stream ``render(version)`` (HTML) after each change; None from render ends the stream
    (the viewer lost the right to see it)."""
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache, no-store",
            "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
        }
    )
    await response.prepare(request)
    task = asyncio.current_task()
    streams = request.app[STREAMS]
    if task is not None:
        streams.add(task)
    loop = asyncio.get_running_loop()
    try:
        await response.write(b"retry: 2000\n\n")
        seen = -1
        while True:
            version = await live.wait(session_id, seen, KEEPALIVE)
            if version == seen:
                await response.write(b": keepalive\n\n")
                continue
            started = loop.time()
            html = await render(version)
            if html is None:
                await response.write(event_lines("gone", ""))
                break
            await response.write(event_lines("update", html))
            seen = version
            await asyncio.sleep(max(0.0, MIN_GAP - (loop.time() - started)))
    except ConnectionResetError:
        pass
    finally:
        if task is not None:
            streams.discard(task)
    return response
