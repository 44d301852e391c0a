"""Lists in running text as each language writes them ("A, B and C", "A、B和C", "A وB وC")."""

from __future__ import annotations

from collections.abc import Iterable

from babel.core import UnknownLocaleError
from babel.lists import format_list


def join_items(items: Iterable[str], language: str) -> str:
    """``items`` joined with the language's own separators and its "and" (CLDR, via Babel)."""
    values = [item for item in items if item]
    if not values:
        return ""
    try:
        return format_list(values, style="standard", locale=language)
    except (KeyError, ValueError, UnknownLocaleError):  # a locale Babel does not know: plain commas
        return ", ".join(values)
