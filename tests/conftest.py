"""Shared fixtures: a migrated database on SQLite and on PostgreSQL for every storage test.

PostgreSQL: a fresh database per test run (created from the ``test`` database), so parallel
runs on one server never meet. Outside CI a missing server skips those tests with the reason;
under ``CI=true`` it fails the run.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.models import Base
from tests.feedserver import FeedServer

PG_ADMIN_DSN = os.environ.get("REMOTEHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT_ROOT / "tests" / "data"


async def _pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _run_in_thread(coroutine_function: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run a coroutine on a private loop; session fixtures may be set up inside a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine_function()).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of this test run's own, migrated to head."""
    name = f"remotehub_test_{uuid.uuid4().hex[:12]}"
    try:
        _run_in_thread(lambda: _pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"

    async def migrate() -> None:
        database = Database(url)
        await upgrade_to_head(database)
        await database.dispose()

    _run_in_thread(migrate)
    yield url
    _run_in_thread(lambda: _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_all(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        from sqlalchemy import text

        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'remotehub.db'}")
        await upgrade_to_head(db)
    else:
        db = Database(request.getfixturevalue("postgres_url"))
        await _truncate_all(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database, for tests that are not about the backend."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'remotehub.db'}")
    await upgrade_to_head(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def fixtures_dir() -> Path:
    """The project's test data: real programme exports under ``schedules/``."""
    return FIXTURES


SessionFactory = Callable[..., Coroutine[Any, Any, int]]


async def _add_session(database: Database, **fields: Any) -> int:
    from datetime import UTC, datetime, timedelta

    from storage.models import Session

    now = datetime.now(UTC)
    start = fields.pop("start_at", datetime(2026, 6, 23, 6, 0, tzinfo=UTC))
    values: dict[str, Any] = {
        "key": f"test-{uuid.uuid4().hex}",
        "title": "A session",
        "start_at": start,
        "end_at": fields.pop("end_at", start + timedelta(minutes=90)),
        "timezone": "Asia/Baku",
        "persons": [],
        "description": "",
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    async with database.transaction() as db:
        row = Session(**values)
        db.add(row)
        await db.flush()
        return row.id


@pytest.fixture
def add_session() -> SessionFactory:
    """``await add_session(database, title=..., start_at=..., is_ifla=True)`` -> the new id.

    A programme row for features that read the programme, without going through ingestion;
    unset columns get defaults (a 90-minute session on 23 June 2026, 10:00 in Baku).
    """
    return _add_session


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    """A local HTTP server for programmes and feeds on a free port (see tests/feedserver.py)."""
    server = await FeedServer().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def local_api() -> AsyncIterator[Any]:
    """The project's local Bot API server, enforcing Telegram's limits, on a free loopback port."""
    from localapi import LocalBotApiServer
    from tests.harness import BOT_USERNAME, TOKEN

    async with LocalBotApiServer(TOKEN, bot_username=BOT_USERNAME) as server:
        yield server


@pytest.fixture
async def bot_harness(local_api: Any, tmp_path: Path) -> AsyncIterator[Any]:
    """The real application (as ``remotehub run`` builds it) polling ``local_api``; SQLite."""
    from tests.harness import BotHarness

    harness = BotHarness(local_api, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
async def start_bot(local_api: Any, database: Database) -> AsyncIterator[Callable[..., Any]]:
    """Start the real application on ``local_api`` and ``database`` (both backends); stopped
    after the test. ``await start_bot(reminder_minutes=[5])``: keywords override settings."""
    from tests.harness import BotHarness

    running: list[BotHarness] = []

    async def start(**overrides: Any) -> BotHarness:
        harness = BotHarness(local_api, database.url, overrides=overrides)
        running.append(await harness.start())
        return harness

    yield start
    for harness in reversed(running):
        await harness.stop()


@pytest.fixture
async def translate_server() -> AsyncIterator[Any]:
    """The local stand-in of a LibreTranslate server (tests/translateserver.py)."""
    from tests.translateserver import TranslateServer

    server = await TranslateServer().start()
    yield server
    await server.stop()
