"""Storing one parse inside the caller's transaction: sessions with their changes, news entries.

The guards live here because they decide what a parse may do to the stored programme: an
empty parse never cancels anything, and a parse that would cancel most sessions at once must
be seen twice before it is believed (a truncated export looks exactly like that).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.ingest.diff import ProgrammeDiff, diff_programme, row_values, stored_key
from bot.ingest.records import NewsEntry, SessionRecord
from bot.programme.events import NewsItem, SessionChange
from bot.programme.filter import KeywordMatcher
from storage.models import Source
from storage.repos import programme

log = logging.getLogger(__name__)

# A parse that would cancel more than half of at least this many live sessions is held.
MASS_VANISH_MIN = 10
# More new entries than this in one poll: only the newest are news, the rest are stored quietly.
NEWS_BURST_LIMIT = 5
# A feed is read up to this many entries (feeds carry 10-50; a hostile one may carry 100 000).
MAX_ENTRIES = 500
# Entries gone from their feed are forgotten this long after they were first seen, so the
# table stays as large as the feeds; an entry published before this horizon is never news,
# so one that comes back after being forgotten is not posted a second time.
NEWS_KEEP = timedelta(days=180)


class ProgrammeRefused(Exception):
    """A parse the guards refused; nothing was written. ``hold`` asks for a second sighting."""

    def __init__(self, reason: str, *, hold: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hold = hold


def check_guards(diff: ProgrammeDiff, incoming: int, *, confirmed: bool) -> None:
    if incoming == 0 and diff.live_before:
        raise ProgrammeRefused(
            f"the programme came back with no sessions; keeping the {diff.live_before} stored",
            hold=False,
        )
    if (
        not confirmed
        and diff.live_before >= MASS_VANISH_MIN
        and diff.vanished * 2 > diff.live_before
    ):
        raise ProgrammeRefused(
            f"{diff.vanished} of {diff.live_before} sessions would vanish at once; "
            "kept until the next poll shows the same programme",
            hold=True,
        )


async def store_programme(
    db: AsyncSession,
    source: Source,
    records: Sequence[SessionRecord],
    *,
    matcher: KeywordMatcher,
    now: datetime,
    confirmed: bool,
) -> list[SessionChange]:
    """Upsert ``records`` by key, cancel what vanished, and return every change (ADDED too)."""
    rows = [
        row_values(
            record,
            is_ifla=matcher.matches(
                record.title, record.track, record.organiser, record.description
            ),
        )
        for record in records
    ]
    stored = await programme.sessions_of_source(db, source.id)
    diff = diff_programme(stored, rows, now=now)
    check_guards(diff, len(rows), confirmed=confirmed)
    ids = await programme.insert_sessions(db, source.id, diff.inserts)
    await programme.update_sessions(db, diff.updates)
    return diff.changes + diff.added_changes(ids)


@dataclass(frozen=True, slots=True)
class StoredNews:
    items: list[NewsItem]  # what listeners should hear about
    new_entries: int  # entries stored this time (news or not)
    entries: int  # entries in the feed


async def store_news(
    db: AsyncSession, source: Source, entries: Sequence[NewsEntry], *, now: datetime
) -> StoredNews:
    """Store entries not seen before; the first poll of a feed, and re-keyed entries, are not news.

    An entry counts as seen when its key or its link is stored already (a feed that changes
    its guid scheme would otherwise repost everything).
    """
    unique = {stored_key(entry.key): entry for entry in entries[:MAX_ENTRIES]}
    rows = [_entry_row(key, entry, now) for key, entry in unique.items()]
    links = [row["link"] for row in rows if row["link"]]
    known_keys, known_links = await programme.known_entries(db, source.id, list(unique), links)
    fresh = [row for row in rows if row["key"] not in known_keys]
    ids = await programme.insert_entries(db, source.id, fresh)
    news = [row for row in fresh if row["link"] not in known_links] if source.initialised else []
    horizon = now - NEWS_KEEP
    news = [row for row in news if row["published_at"] is None or row["published_at"] >= horizon]
    pruned = await programme.prune_entries(
        db, source.id, in_feed=list(unique), first_seen_before=horizon
    )
    if pruned:
        log.info("source %s: forgot %d entries long gone from the feed", source.id, pruned)
    if len(news) > NEWS_BURST_LIMIT:
        log.warning(
            "source %s: %d new entries at once; announcing the newest %d",
            source.id,
            len(news),
            NEWS_BURST_LIMIT,
        )
        news = sorted(news, key=lambda row: row["published_at"] or now)[-NEWS_BURST_LIMIT:]
    news.sort(key=lambda row: row["published_at"] or now)  # oldest first, as they happened
    items = [
        NewsItem(
            entry_id=ids[row["key"]],
            source_id=source.id,
            source_name=source.name or source.url,
            key=row["key"],
            title=row["title"],
            link=row["link"],
            published=row["published_at"],
            summary_html=row["summary_html"],
        )
        for row in news
    ]
    return StoredNews(items=items, new_entries=len(fresh), entries=len(rows))


def _entry_row(key: str, entry: NewsEntry, now: datetime) -> dict[str, Any]:
    return {
        "key": key,
        "title": entry.title.replace("\x00", "")[:1000] or "…",
        "link": entry.link.replace("\x00", "")[:2000] if entry.link else None,
        "published_at": entry.published,
        "summary_html": entry.summary_html.replace("\x00", ""),
        "created_at": now,
    }
