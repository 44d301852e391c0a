"""URLs in text links, checked and normalised roughly like tdlib's ``LinkManager``."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_USER_LINK = re.compile(r"^tg://user\?id=(\d{1,19})$", re.IGNORECASE)
_HOST = re.compile(r"^[^\s/?#@]+(?:@[^\s/?#]+)?$")
_KEPT_SCHEMES = frozenset({"tg", "ton", "tonsite"})
_WEB_SCHEMES = frozenset({"http", "https", "ftp"})


def mentioned_user_id(url: str) -> int | None:
    """The user id of a ``tg://user?id=<id>`` link (a text mention), else None."""
    match = _USER_LINK.match(url.strip())
    return int(match.group(1)) if match else None


def checked_link(url: str) -> str:
    """The URL Telegram would store for a text link, or ``""`` if it drops the link."""
    url = url.strip()
    if not url or any(char.isspace() for char in url):
        return ""
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if match is not None and scheme in _KEPT_SCHEMES:
        return f"{scheme}:{url[match.end() :]}"
    if match is not None and scheme in _WEB_SCHEMES and url[match.end() :].startswith("//"):
        body = url[match.end() + 2 :]
    elif "." in url.split("/", 1)[0]:
        scheme, body = "http", url  # "example.com/x" is a link to http://example.com/x
    else:
        return ""
    cut = min((body.find(mark) for mark in "/?#" if mark in body), default=len(body))
    host, tail = body[:cut], body[cut:]
    if not host or not _HOST.match(host):
        return ""
    if not tail.startswith("/"):
        tail = "/" + tail
    return f"{scheme}://{host.lower()}{tail}"
