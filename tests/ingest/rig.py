"""An ingestion service wired to a real database and the local feed server, plus builders.

Used by the service tests, the end-to-end tests and the polling benchmark: programmes and
feeds are built as bytes here and served over real HTTP by ``tests.feedserver.FeedServer``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import FrozenClock
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.records import ParseResult
from bot.ingest.registry import parse_programme
from bot.ingest.service import IngestionService
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from config.settings import Settings
from storage.db import Database
from storage.models import OutboxMessage, Session, Source
from storage.repos import outbox
from storage.repos.outbox import NewMessage
from tests.feedserver import FeedServer

START = datetime(2026, 6, 20, 8, 0, tzinfo=UTC)
VENUE = "Asia/Baku"


def event(
    uid: str | None,
    title: str,
    start: str,
    minutes: int = 60,
    room: str | None = "Room A",
    *,
    status: str | None = None,
    description: str | None = None,
) -> str:
    """A VEVENT body; ``start`` is UTC ``YYYY-MM-DDTHH:MM``."""
    begin = datetime.fromisoformat(start).replace(tzinfo=UTC)
    lines = [
        f"DTSTART:{begin:%Y%m%dT%H%M%SZ}",
        f"DTEND:{begin + timedelta(minutes=minutes):%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{title}",
    ]
    if uid is not None:
        lines.append(f"UID:{uid}")
    if room is not None:
        lines.append(f"LOCATION:{room}")
    if status is not None:
        lines.append(f"STATUS:{status}")
    if description is not None:
        lines.append(f"DESCRIPTION:{description}")
    return "\n".join(lines)


PROGRAMME_EVENTS = [
    event("a@igf", "IFLA: Libraries and the SDGs", "2026-06-23T10:00", 90, "Room A"),
    event("b@igf", "Cybersecurity main session", "2026-06-23T12:00", 60, "Room B"),
    event("c@igf", "Роль библиотек в цифровой среде", "2026-06-24T09:00", 60, "Room C"),
    event("d@igf", "Closing", "2026-06-25T15:00", 30, "Plenary"),
]


def calendar(*events: str, name: str | None = None) -> bytes:
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//RemoteHub tests//EN"]
    if name:
        parts.append(f"X-WR-CALNAME:{name}")
    for body in events:
        parts += ["BEGIN:VEVENT", *body.splitlines(), "END:VEVENT"]
    parts.append("END:VCALENDAR")
    return ("\r\n".join(parts) + "\r\n").encode()


def rss(*items: tuple[str, str, str], title: str = "IFLA news") -> bytes:
    """An RSS 2.0 feed from (guid, title, RFC 822 date) items; links are derived from guids."""
    body = "".join(
        f"<item><title>{name}</title><link>https://ifla.example/{guid}</link>"
        f"<guid>urn:{guid}</guid><pubDate>{date}</pubDate>"
        f"<description>&lt;p&gt;About {name}&lt;/p&gt;</description></item>"
        for guid, name, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://ifla.example/</link>{body}</channel></rss>"
    ).encode()


def news_items(count: int, first: int = 1) -> list[tuple[str, str, str]]:
    return [
        (f"n{n}", f"News {n}", f"Mon, {n:02d} Jun 2026 09:00:00 +0000")
        for n in range(first, first + count)
    ]


class RecordingListener:
    """A programme listener that remembers every call (each call is one list).

    Like the real announcer it queues a message per call (to an admin), so the tests see the
    sender woken as the consequence of the poll's commit, and never on a rollback.
    """

    def __init__(self) -> None:
        self.changes: list[list[SessionChange]] = []
        # A source's first poll: what the programme held (kept apart from the changes).
        self.baselines: list[SessionChange] = []
        self.news: list[list[NewsItem]] = []
        self.fail_with: Exception | None = None

    async def sessions_changed(self, db: AsyncSession, changes: Sequence[SessionChange]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.baselines.extend(c for c in changes if c.kind is ChangeKind.BASELINE)
        changes = [c for c in changes if c.kind is not ChangeKind.BASELINE]
        if not changes:
            return
        self.changes.append(list(changes))
        now = datetime.now(UTC)
        key = f"recorded-changes:{len(self.changes)}:{now.timestamp()}"
        payload = {"chat_id": 111, "text": f"{len(changes)} changes"}
        await outbox.enqueue(db, NewMessage(key, 111, "test_changes", payload, now), now=now)

    async def news_arrived(self, db: AsyncSession, items: Sequence[NewsItem]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.news.append(list(items))

    @property
    def all_changes(self) -> list[SessionChange]:
        return [change for call in self.changes for change in call]


class CountingParse:
    """The real parser, counted: proves that a 304 or an unchanged body costs no parse."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, data: bytes, **kwargs: Any) -> ParseResult:
        self.calls += 1
        return parse_programme(data, **kwargs)


@dataclass
class Rig:
    database: Database
    server: FeedServer
    service: IngestionService
    clock: FrozenClock
    listener: RecordingListener
    parse: CountingParse
    settings: Settings
    woken: list[int] = field(default_factory=lambda: [0])

    async def source(self, url_path: str) -> Source:
        async with self.database.transaction() as db:
            source = await db.scalar(select(Source).where(Source.url == self.server.url(url_path)))
        assert source is not None, f"no source for {url_path}"
        return source

    async def sessions(self, url_path: str | None = None) -> dict[str, Session]:
        query = select(Session)
        if url_path is not None:
            query = query.where(Session.source_id == (await self.source(url_path)).id)
        async with self.database.transaction() as db:
            rows = (await db.scalars(query)).all()
        return {row.key: row for row in rows}

    async def outbox(self, kind: str) -> list[OutboxMessage]:
        async with self.database.transaction() as db:
            query = select(OutboxMessage).where(OutboxMessage.kind == kind)
            return list((await db.scalars(query.order_by(OutboxMessage.id))).all())

    async def count(self, model: type[Any]) -> int:
        async with self.database.transaction() as db:
            return int(await db.scalar(select(func.count()).select_from(model)) or 0)

    async def poll_when_due(self, url_path: str) -> None:
        """Move the clock to the source's next poll and run one cycle."""
        source = await self.source(url_path)
        assert source.next_poll_at is not None
        self.clock.set(max(source.next_poll_at, self.clock.now()))
        await self.service.poll_due()


def make_rig(
    database: Database,
    server: FeedServer,
    sources: Sequence[dict[str, Any]],
    *,
    limits: FetchLimits | None = None,
    clock: FrozenClock | None = None,
    **settings: Any,
) -> Rig:
    """A service over ``sources`` (dicts of SourceSettings; ``path`` becomes a server URL)."""
    configured = [
        {**{k: v for k, v in source.items() if k != "path"}, "url": server.url(source["path"])}
        for source in sources
    ]
    values: dict[str, Any] = {
        "timezone": VENUE,
        "admins": [111, 222],
        "sources": configured,
        "filter": {"keywords": ["IFLA", "librar", "библиотек"]},
    }
    values.update(settings)
    config = Settings(**values)
    clock = clock or FrozenClock(START)
    listener = RecordingListener()
    parse = CountingParse()
    woken = [0]

    def wake() -> None:
        woken[0] += 1

    database.outbox_wakers.append(wake)  # what the composition root does

    service = IngestionService(
        database,
        Fetcher(limits or FetchLimits(total_timeout=5)),
        clock,
        config,
        lambda: [listener],
        parse=parse,
        jitter=0.0,
    )
    return Rig(database, server, service, clock, listener, parse, config, woken)


RigFactory = Callable[..., Rig]


async def started(rig: Rig) -> Rig:
    """The rig with its configured sources in the database (what ``on_start`` does)."""
    await rig.service.sync_configured_sources()
    return rig
