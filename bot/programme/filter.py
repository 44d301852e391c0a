"""Which sessions are "IFLA sessions": a case-insensitive keyword match, Cyrillic included.

Keywords are substrings (``"librar"`` finds "Library" and "librarians"), compared after
Unicode NFKC normalisation and casefolding, so "БИБЛИОТЕК" matches "библиотеки" and a
full-width "ＩＦＬＡ" matches "IFLA".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class KeywordMatcher:
    """``matches(title, track, ...)`` is true when any keyword occurs in any of the texts."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords = tuple(dict.fromkeys(_fold(k).strip() for k in keywords if k.strip()))

    def matches(self, *texts: str | None) -> bool:
        if not self.keywords:
            return False
        haystack = "\n".join(_fold(text) for text in texts if text)
        return any(keyword in haystack for keyword in self.keywords)
