"""The programme: sources the bot polls and the sessions they describe."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId, JSONValue


class Source(Base):
    """A programme export or news feed, with what conditional GET and backoff need."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str | None] = mapped_column(String(16))
    interval_seconds: Mapped[int] = mapped_column(default=900)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    permanent_url: Mapped[str | None] = mapped_column(String(2000))
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    failing_since: Mapped[datetime | None]
    down_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    next_poll_at: Mapped[datetime | None]
    item_count: Mapped[int] = mapped_column(default=0)
    initialised: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    # Polled by the bot: configured sources are; removed ones and CLI imports are not.
    enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The source's own zone (config), for programmes that carry none; else the venue's.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # sha256 of the last body applied: a server that ignores conditional GET costs no re-parse.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # A body that would cancel most of the programme at once waits for a second sighting.
    held_hash: Mapped[str | None] = mapped_column(String(64))
    # The API token sent as a bearer token (from config; never logged nor shown).
    token: Mapped[str | None] = mapped_column(String(500))
    # The workbook sheet to read (XLSX); the first sheet when None.
    sheet: Mapped[str | None] = mapped_column(String(100))

    def __repr__(self) -> str:  # the token stays out of reprs and tracebacks
        return f"Source(id={self.id!r}, url={self.url!r}, format={self.format!r})"


class Session(Base):
    """A programme session, upserted by (source, key); times in UTC, zone kept for display."""

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("source_id", "key", name="uq_sessions_source_key"),
        Index("ix_sessions_start", "start_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(1000))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(64))
    room: Mapped[str | None] = mapped_column(String(255))
    track: Mapped[str | None] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(2000))
    webcast_url: Mapped[str | None] = mapped_column(String(2000))
    participation_url: Mapped[str | None] = mapped_column(String(2000))
    organiser: Mapped[str | None] = mapped_column(String(500))
    persons: Mapped[list[str]] = mapped_column(JSONValue, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    is_ifla: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    vanished: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def _takes_questions_on_row(self, now: datetime, open_before: timedelta) -> bool:
        return (
            not self.cancelled
            and not self.vanished
            and self.start_at <= now + open_before
            and self.end_at > now
        )

    @classmethod
    def _takes_questions_in_sql(cls, now: datetime, open_before: timedelta) -> ColumnElement[bool]:
        # The same four conditions as on a row, as a WHERE clause: keep the two side by side.
        return and_(
            cls.cancelled.is_(False),
            cls.vanished.is_(False),
            cls.start_at <= now + open_before,
            cls.end_at > now,
        )

    # The one rule of when a session may be asked: from ``open_before`` ahead of its start
    # until its end, unless cancelled or gone from the programme. ``row.takes_questions(...)``
    # reads it on a row, ``Session.takes_questions(...)`` in a query.
    takes_questions = hybrid_method(_takes_questions_on_row, _takes_questions_in_sql)


class FeedEntry(Base):
    """A news feed entry seen once; only keys not stored yet are news."""

    __tablename__ = "news_entries"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_news_entries_source_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(1000))
    link: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[datetime | None]
    summary_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


__all__ = ["FeedEntry", "Session", "Source"]
