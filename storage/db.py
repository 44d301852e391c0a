"""Engine and session factory: SQLite (WAL, busy timeout) by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000
_DATABASE = "remotehub.database"  # db.info: the Database a session came from
_WAKE_PLANNED = "remotehub.outbox_wake"  # db.info: a wake is planned for the next commit
WAKE_OUTBOX = "outbox"  # the payload of the NOTIFY that wakes the leader's sender


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str, *, pool_size: int = 10, pre_ping: bool = True) -> AsyncEngine:
    """Create the async engine for ``url`` with the dialect's production settings.

    ``pre_ping=False`` saves a round trip per transaction, for a caller that retries a
    transaction failed on a connection the server dropped (the pool then replaces it).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url, pool_pre_ping=pre_ping, pool_size=pool_size, max_overflow=pool_size
    )


def asyncpg_dsn(url: str) -> str:
    """The plain ``postgresql://`` address of a SQLAlchemy PostgreSQL URL, for a connection
    asyncpg opens on its own (the lease, the live bridge)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlite_in_memory(url: str) -> bool:
    """Whether ``url`` names an SQLite database in memory (no file, one per connection)."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


class Database:
    """The engine plus a session factory; one per process.

    ``outbox_wakers`` are called after every commit that queued an outgoing message
    (``storage.repos.outbox.enqueue`` arranges it): the composition root puts the outbox
    sender's ``wake`` there, so a reply leaves right after its commit and nobody wakes the
    sender by hand.
    """

    def __init__(self, url: str, *, pool_size: int = 10, pre_ping: bool = True) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size, pre_ping=pre_ping)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={_DATABASE: self}
        )
        self.outbox_wakers: list[Callable[[], None]] = []
        # PostgreSQL with several processes: a commit that queued a message also NOTIFYs
        # this channel, so the leader's sender wakes whichever process committed.
        self.wake_channel: str | None = None

    def outbox_committed(self) -> None:
        for wake in self.outbox_wakers:
            wake()

    async def notify(self, payload: str) -> None:
        """Tell the other processes (the leader listens), outside any other transaction."""
        if self.wake_channel is None:
            return
        async with self.transaction() as db:
            await notify_in(db, self.wake_channel, payload)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def in_memory(self) -> bool:
        """An SQLite database in memory: another engine would open a different, empty one."""
        return sqlite_in_memory(self.url)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        async with self.sessions() as db, db.begin():
            yield db

    async def dispose(self) -> None:
        await self.engine.dispose()


def after_commit(db: AsyncSession, callback: Callable[[], None]) -> None:
    """Call ``callback`` once the session's transaction has committed (never on rollback).

    For work that must see the committed data, such as re-planning jobs after a listener
    queued notices inside someone else's transaction.
    """
    event.listen(db.sync_session, "after_commit", lambda _db: callback(), once=True)


async def notify_in(db: AsyncSession, channel: str, payload: str) -> None:
    """NOTIFY ``channel`` when this transaction commits (PostgreSQL delivers it then)."""
    await db.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload}
    )


async def wake_outbox_after_commit(db: AsyncSession) -> None:
    """Once this transaction commits, tell the database's outbox wakers (once per commit),
    and the other processes too when several share the database."""
    database = db.info.get(_DATABASE)
    if not isinstance(database, Database) or db.info.get(_WAKE_PLANNED):
        return
    db.info[_WAKE_PLANNED] = True
    if database.wake_channel is not None:
        await notify_in(db, database.wake_channel, WAKE_OUTBOX)

    def wake() -> None:
        db.info.pop(_WAKE_PLANNED, None)
        database.outbox_committed()

    after_commit(db, wake)
