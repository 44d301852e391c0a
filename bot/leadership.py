"""Which process is the leader: the one that sends the outbox and runs the timed work.

Several ``remotehub run --webhook`` processes may share one PostgreSQL behind a load
balancer. Any of them handles any update, but exactly one at a time is the leader: it runs
the outbox sender, the reminder and announcement jobs, the claim timeouts and the pollers.

- On PostgreSQL the lease is a session-level advisory lock held on a connection of its own.
  PostgreSQL frees it the moment that connection ends, so when the leader dies (even by
  kill -9) the socket closes and another process's next try, at most ``CHECK_SECONDS``
  later, takes it. The leader checks its connection on the same beat and steps down when
  the connection is gone. The same connection LISTENs for the wakes other processes send
  when they commit an outbox row or change what reminders are owed (``NOTIFY remotehub``).
- On SQLite there is one process: it takes an exclusive lock on a file beside the
  database, and a second process on the same file is refused with one clear line.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, Protocol

import asyncpg
from sqlalchemy.engine import make_url

from config.settings import ConfigError
from storage.db import asyncpg_dsn, sqlite_in_memory

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
# The advisory lock's key (advisory locks are per database, so two deployments on one
# PostgreSQL server never meet): the bytes of "RHleader" as a signed 64-bit integer.
LEASE_KEY = int.from_bytes(b"RHleader", "big", signed=True)
WAKE_CHANNEL = "remotehub"
WAKE_REPLAN = "replan"
CONNECT_TIMEOUT = 10.0


class Lease(Protocol):
    """The right to lead, held by at most one process of a deployment at a time."""

    shared: bool  # other processes may run beside this one (they are told of wakes)

    async def try_acquire(self) -> bool: ...
    async def still_held(self) -> bool: ...
    async def release(self) -> None: ...


class SoleProcessLease:
    """SQLite: this process is the only one and always leads; a second one is refused."""

    shared = False

    def __init__(self, database_url: str) -> None:
        in_memory = sqlite_in_memory(database_url)
        self._lock_path = None if in_memory else Path(f"{make_url(database_url).database}.lock")
        self._handle: IO[str] | None = None

    async def try_acquire(self) -> bool:
        if self._lock_path is None or self._handle is not None:
            return True
        handle = self._lock_path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ConfigError(
                f"config: database_url: another RemoteHub process is running on "
                f"{self._lock_path.with_suffix('')}; several instances need PostgreSQL"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    async def still_held(self) -> bool:
        return True

    async def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


class AdvisoryLease:
    """PostgreSQL: a session-level advisory lock on a connection kept for it alone."""

    shared = True

    def __init__(self, database_url: str, on_wake: Callable[[str], None]) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._on_wake = on_wake
        self._connection: asyncpg.Connection | None = None
        self._held = False

    async def _connect(self) -> asyncpg.Connection:
        if self._connection is None or self._connection.is_closed():
            self._held = False
            self._connection = await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT)
        return self._connection

    async def try_acquire(self) -> bool:
        if self._held:
            return await self.still_held()
        try:
            connection = await self._connect()
            got = await connection.fetchval("SELECT pg_try_advisory_lock($1)", LEASE_KEY)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("leadership: cannot reach PostgreSQL to try the lease: %r", exc)
            await self._drop_connection()
            return False
        if got:
            self._held = True
            await connection.add_listener(WAKE_CHANNEL, self._heard)
        return bool(got)

    async def still_held(self) -> bool:
        connection = self._connection
        if not self._held or connection is None or connection.is_closed():
            self._held = False
            return False
        try:
            await connection.fetchval("SELECT 1", timeout=CHECK_SECONDS * 2)
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            log.warning("leadership: the lease's connection failed (%r); stepping down", exc)
            await self._drop_connection()
            return False
        return True

    async def release(self) -> None:
        await self._drop_connection(graceful=True)

    async def _drop_connection(self, *, graceful: bool = False) -> None:
        connection, self._connection = self._connection, None
        self._held = False
        if connection is None or connection.is_closed():
            return
        if graceful:  # closing the connection would free the lock too; this is only tidy
            with contextlib.suppress(Exception):
                await connection.execute("SELECT pg_advisory_unlock_all()")
            with contextlib.suppress(Exception):
                await connection.close(timeout=CHECK_SECONDS)
                return
        connection.terminate()

    def _heard(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self._on_wake(payload)


def lease_for(database_url: str, on_wake: Callable[[str], None]) -> Lease:
    """The lease for this database: advisory on PostgreSQL, a lock file on SQLite."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return AdvisoryLease(database_url, on_wake)
    return SoleProcessLease(database_url)


class LeaderWatch:
    """Tries for the lease on a beat and tells the services when it is won or lost."""

    def __init__(
        self,
        lease: Lease,
        on_lead: Callable[[], Awaitable[None]],
        on_step_down: Callable[[], Awaitable[None]],
    ) -> None:
        self._lease = lease
        self._on_lead = on_lead
        self._on_step_down = on_step_down
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="leadership")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        leading = await self._lease.still_held()
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                if leading:
                    leading = await self._lease.still_held()
                    if not leading:
                        await self._on_step_down()
                else:
                    leading = await self._lease.try_acquire()
                    if leading:
                        await self._on_lead()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("leadership: a change of leader failed; trying again")
