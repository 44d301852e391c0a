"""Jinja2 pages (autoescaping on: everything a user wrote is escaped) in the viewer's language.

Catalog texts are plain text here, escaped by Jinja like any other value; Telegram HTML
from the shared chat messages is reduced to its text by ``plain``.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.i18n import LANGUAGES, Translator, text_direction
from bot.timefmt import local_label

_TAG = re.compile(r"<[^>]+>")


def plain(telegram_html: str) -> str:
    """The text of a Telegram HTML message (for a status line set as text by the script)."""
    return html.unescape(_TAG.sub("", telegram_html))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


class Texts:
    """``t(message_id, **params)`` in templates: the catalog text, not escaped yet (Jinja does)."""

    def __init__(self, translator: Translator, language: str) -> None:
        self.translator = translator
        self.language = language if language in LANGUAGES else "en"

    def __call__(self, message_id: str, count: int | None = None, **params: Any) -> str:
        safe = {key: str(value) for key, value in params.items()}
        return self.translator.t(self.language, message_id, count=count, safe=safe)

    def when(self, moment: datetime, zone: ZoneInfo) -> str:
        return local_label(moment, zone, self.language)


def language_of(request: web.Request, default: str) -> str:
    """``?lang=ru|en`` when given and known, else ``default``."""
    wanted = request.query.get("lang", "")
    return wanted if wanted in LANGUAGES else default


def render(name: str, texts: Texts, **values: Any) -> str:
    return (
        environment()
        .get_template(name)
        .render(t=texts, lang=texts.language, dir=text_direction(texts.language), **values)
    )


def page(
    name: str,
    texts: Texts,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> web.Response:
    return web.Response(
        text=render(name, texts, **values),
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers=headers,
    )


def message_page(texts: Texts, message_id: str, *, status: int, **params: Any) -> web.Response:
    """A short page that says one thing (refusals, expired links)."""
    return page("message.html", texts, status=status, message=texts(message_id, **params))
