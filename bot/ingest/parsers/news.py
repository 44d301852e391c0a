"""RSS / Atom / RDF feeds -> news entries, via feedparser."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser

from bot.ingest.errors import ParseError
from bot.ingest.keys import hashed_key
from bot.ingest.parsers.common import clean
from bot.ingest.records import NewsEntry, ParseResult

LABEL = "news feed"
_FEED_ROOT = re.compile(rb"<(rss|feed|(\w+:)?RDF)[\s>]", re.IGNORECASE)


def parse_news(data: bytes, venue: ZoneInfo) -> ParseResult:
    """Parse a feed; a feed that is only partly well-formed still yields its entries."""
    del venue  # feeds carry their own offsets
    if not data.strip():
        raise ParseError("empty document", fmt=LABEL)
    # A stream, never bytes or str: feedparser treats those as a path or URL to open.
    parsed: Any = feedparser.parse(io.BytesIO(data), sanitize_html=False)
    entries = [_entry(raw) for raw in parsed.entries]
    feed_title = clean(parsed.feed.get("title"))
    recognised = bool(parsed.get("version")) or bool(_FEED_ROOT.search(data[:4096]))
    if not entries and not feed_title and not recognised:
        reason = parsed.get("bozo_exception")
        raise ParseError(f"not a feed{f' ({reason})' if reason else ''}", fmt=LABEL)
    warnings: list[str] = []
    if parsed.get("bozo"):
        warnings.append(f"feed is not well-formed: {parsed.get('bozo_exception')}")
    return ParseResult(
        format="news", sessions=[], entries=entries, warnings=warnings, title=feed_title
    )


def _entry(raw: Any) -> NewsEntry:
    title = clean(raw.get("title")) or ""
    summary = str(raw.get("summary") or "")
    link = clean(raw.get("link"))
    key = clean(raw.get("id")) or link or hashed_key(title, summary, algo="sha256")
    return NewsEntry(
        key=key,
        title=title or "(untitled)",
        link=link,
        published=_published(raw),
        summary_html=summary,
    )


def _published(raw: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(name)
        if isinstance(value, time.struct_time):
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except ValueError:
                continue
    return None
