"""Sources, sessions and news entries: the queries ingestion and the programme views need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import FeedEntry, Session, Source

_IN_CHUNK = 500  # bound parameters per IN (): SQLite allows a few thousand at most

# --- sources ----------------------------------------------------------------------------


async def get_source(db: AsyncSession, source_id: int) -> Source | None:
    return await db.get(Source, source_id)


async def get_source_by_url(db: AsyncSession, url: str) -> Source | None:
    return await db.scalar(select(Source).where(Source.url == url))


async def list_sources(db: AsyncSession) -> list[Source]:
    return list((await db.scalars(select(Source).order_by(Source.id))).all())


async def due_sources(db: AsyncSession, now: datetime) -> list[Source]:
    """Enabled sources whose next poll is due, the longest-waiting first."""
    query = (
        select(Source)
        .where(Source.enabled.is_(True), Source.next_poll_at <= now)
        .order_by(Source.next_poll_at, Source.id)
    )
    return list((await db.scalars(query)).all())


async def enabled_sources(db: AsyncSession) -> list[Source]:
    query = select(Source).where(Source.enabled.is_(True)).order_by(Source.id)
    return list((await db.scalars(query)).all())


async def add_source(
    db: AsyncSession,
    *,
    url: str,
    name: str | None,
    format: str | None,
    timezone: str | None,
    interval_seconds: int,
    enabled: bool,
    now: datetime,
    token: str | None = None,
    sheet: str | None = None,
) -> Source:
    source = Source(
        url=url,
        token=token,
        sheet=sheet,
        name=name,
        format=format,
        timezone=timezone,
        interval_seconds=interval_seconds,
        enabled=enabled,
        next_poll_at=now if enabled else None,
        consecutive_failures=0,
        down_reported=False,
        item_count=0,
        initialised=False,
        created_at=now,
    )
    db.add(source)
    await db.flush()
    return source


async def disable_sources_except(db: AsyncSession, keep_ids: Sequence[int]) -> None:
    """Sources no longer configured stop being polled; their sessions stay."""
    await db.execute(
        update(Source)
        .where(Source.enabled.is_(True), Source.id.not_in(list(keep_ids) or [-1]))
        .values(enabled=False, next_poll_at=None)
    )


async def update_source(db: AsyncSession, source_id: int, **values: Any) -> None:
    """Write what a poll (or the configuration) learned about a source in one statement."""
    await db.execute(update(Source).where(Source.id == source_id).values(**values))


async def update_sources(db: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk UPDATE of sources by primary key (each dict has ``id`` and the columns to set)."""
    if rows:
        await db.execute(update(Source), list(rows))


# --- sessions ---------------------------------------------------------------------------


async def sessions_of_source(db: AsyncSession, source_id: int) -> list[Session]:
    """Every stored session of a source (cancelled too), in one query, for comparison."""
    query = select(Session).where(Session.source_id == source_id)
    return list((await db.scalars(query)).all())


async def insert_sessions(
    db: AsyncSession, source_id: int, rows: Sequence[dict[str, Any]]
) -> dict[str, int]:
    """Insert new sessions in batches; returns key -> id."""
    if not rows:
        return {}
    statement = insert(Session).returning(Session.id, Session.key)
    result = await db.execute(statement, [{**row, "source_id": source_id} for row in rows])
    return {key: session_id for session_id, key in result.all()}


async def update_sessions(db: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key (each dict has ``id`` and the columns to set)."""
    if rows:
        await db.execute(update(Session), list(rows))


async def list_sessions(
    db: AsyncSession, *, source_id: int | None = None, include_cancelled: bool = True
) -> list[Session]:
    query = select(Session).order_by(Session.start_at, Session.room, Session.id)
    if source_id is not None:
        query = query.where(Session.source_id == source_id)
    if not include_cancelled:
        query = query.where(Session.cancelled.is_(False))
    return list((await db.scalars(query)).all())


# --- news -------------------------------------------------------------------------------


async def known_entries(
    db: AsyncSession, source_id: int, keys: Sequence[str], links: Sequence[str]
) -> tuple[set[str], set[str]]:
    """Which of these entry keys, and which of these links, a source has stored already."""
    known_keys: set[str] = set()
    known_links: set[str] = set()
    for column, values, found in (
        (FeedEntry.key, keys, known_keys),
        (FeedEntry.link, links, known_links),
    ):
        for start in range(0, len(values), _IN_CHUNK):
            chunk = list(values[start : start + _IN_CHUNK])
            query = select(column).where(FeedEntry.source_id == source_id, column.in_(chunk))
            found.update(value for value in (await db.scalars(query)).all() if value)
    return known_keys, known_links


async def insert_entries(
    db: AsyncSession, source_id: int, rows: Sequence[dict[str, Any]]
) -> dict[str, int]:
    """Store entries not seen before; returns key -> id."""
    if not rows:
        return {}
    statement = insert(FeedEntry).returning(FeedEntry.id, FeedEntry.key)
    result = await db.execute(statement, [{**row, "source_id": source_id} for row in rows])
    return {key: entry_id for entry_id, key in result.all()}


async def prune_entries(
    db: AsyncSession, source_id: int, *, in_feed: Sequence[str], first_seen_before: datetime
) -> int:
    """Forget a source's entries first seen before ``first_seen_before`` that the feed no longer
    carries (``in_feed``: every key it carries now, at most one IN chunk); returns how many."""
    statement = delete(FeedEntry).where(
        FeedEntry.source_id == source_id,
        FeedEntry.created_at < first_seen_before,
        FeedEntry.key.not_in(list(in_feed)[:_IN_CHUNK]),
    )
    result = await db.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
