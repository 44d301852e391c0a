"""An event loop of its own, on a thread of its own, for fetching and storing updates.

On the bot's loop every step of storing an update (the HTTP answer, each statement, the
commit) waits for a turn behind the handlers, which cost milliseconds of CPU each and run
many at once: measured there, an update took p99 100-400 ms to reach the inbox. On this
loop a step waits at most for the interpreter to switch threads (5 ms), whatever the
handlers are doing. Only the fetcher and the inbox writer run here; handling stays on the
bot's loop, which is told of each stored batch with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class IntakeThread:
    """Runs coroutines on a private event loop until stopped."""

    def __init__(self, name: str = "remotehub-intake") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("the intake thread is not running")
        return self._loop

    def here(self) -> bool:
        """Whether the caller runs on this thread's loop."""
        return threading.current_thread() is self._thread

    def start(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            ready.set()
            try:
                loop.run_forever()
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

        # A daemon: a process told to exit is never held up by it (what it stored is
        # committed; what it had not is fetched again from Telegram).
        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()
        ready.wait()

    async def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the intake loop; its result (or exception) here."""
        if self.here():
            return await coroutine
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return await asyncio.wrap_future(future)

    def call_soon(self, callback: Callable[..., object], *args: Any) -> None:
        """Call ``callback(*args)`` on the intake loop, from any thread."""
        self.loop.call_soon_threadsafe(callback, *args)

    async def stop(self) -> None:
        """Stop the loop (whatever still runs on it is dropped) and wait for the thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, 10.0)
        self._thread = self._loop = None
