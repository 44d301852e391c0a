"""Small pieces every programme text needs: safe links, zones, webcast lookup, length budget.

Telegram's HTML subset rejects a message with a bad tag or attribute (400), so every link we
build goes through :func:`safe_url` and is quoted for an attribute, and every piece of text
from a programme is escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from storage.models import Session

TELEGRAM_TEXT_LIMIT = 4096
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) link without control characters, else None."""
    if not url:
        return None
    url = url.strip()
    if _CONTROL.search(url) or " " in url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def link(url: str | None, label_html: str) -> str:
    """``<a href>`` around already-escaped ``label_html``; just the label if the url is unsafe."""
    safe = safe_url(url)
    if safe is None:
        return label_html
    return f'<a href="{html.escape(safe, quote=True)}">{label_html}</a>'


def attr(url: str) -> str:
    """A (safe) url quoted for an ``href`` attribute."""
    return html.escape(url, quote=True)


def visible_length(text_html: str) -> int:
    """What Telegram counts against its limit for this HTML: UTF-16 units of the visible text."""
    text = html.unescape(_TAG.sub("", text_html))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fit_html(render: Callable[[int], str], budget: int) -> str:
    """``render(limit)`` with the largest limit whose result fits ``budget`` UTF-16 units.

    The sanitiser counts characters; emoji and other astral characters count twice for
    Telegram, so the limit shrinks until the result fits.
    """
    limit = budget
    while True:
        text = render(limit)
        size = visible_length(text)
        if size <= budget or limit <= 1:
            return text
        limit = max(1, min(limit - 1, limit * budget // size))


def shorten(text: str, limit: int) -> str:
    """Plain text cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def zone_or(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """The IANA zone ``name``, or ``fallback`` when it is missing or unknown."""
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError):
        return fallback


def webcast_url(session: Session, webcasts: Mapping[str, str]) -> str | None:
    """The session's own webcast link, else its room's from ``[webcasts]`` (case-insensitive)."""
    own = safe_url(session.webcast_url)
    if own is not None:
        return own
    if not session.room:
        return None
    room = session.room.strip().casefold()
    for name, url in webcasts.items():
        if name.strip().casefold() == room:
            return safe_url(url)
    return None
