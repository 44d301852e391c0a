"""Live updates inside one process: services say "session N changed" after they commit;
the web pages' streams wait for that and render what is there now.

A change carries no data, only a per-session version number, so a slow reader never sees
a stale diff: it renders the latest state once, however many changes it slept through.
Processes that share PostgreSQL tell each other of their changes through
``bot.live_bridge``: what this hub publishes goes to ``outgoing``, and what the others
published arrives through ``publish_heard``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class _Topic:
    version: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class LiveHub:
    def __init__(self) -> None:
        self._topics: dict[int, _Topic] = {}
        # Told of every change made in this process (the bridge to the other processes).
        self.outgoing: Callable[[int], None] | None = None

    def _topic(self, session_id: int) -> _Topic:
        topic = self._topics.get(session_id)
        if topic is None:
            topic = self._topics[session_id] = _Topic()
        return topic

    def version(self, session_id: int) -> int:
        return self._topic(session_id).version

    def publish(self, session_id: int) -> None:
        """Session ``session_id`` changed (call after the commit that changed it)."""
        self._bump(session_id)
        if self.outgoing is not None:
            self.outgoing(session_id)

    def publish_heard(self, session_id: int) -> None:
        """Another process changed session ``session_id`` (and committed)."""
        self._bump(session_id)

    def _bump(self, session_id: int) -> None:
        topic = self._topic(session_id)
        topic.version += 1
        woken, topic.changed = topic.changed, asyncio.Event()
        woken.set()

    def publish_heard_all(self) -> None:
        """Every session known here may have changed (notices from elsewhere were missed)."""
        for session_id in list(self._topics):
            self._bump(session_id)

    async def wait(self, session_id: int, seen: int, patience: float) -> int:
        """The session's version once it is past ``seen`` (or after ``patience`` seconds)."""
        topic = self._topic(session_id)
        if topic.version > seen:
            return topic.version
        event = topic.changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), patience)
        return self._topic(session_id).version
