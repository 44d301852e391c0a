"""Which subscription rules select a session, and which lead times its subscribers chose.

Pure functions over what ``storage.repos.subscriptions`` returns, shared by the planner and
the change notices. Keywords are matched here, in Python, because SQLite's ``lower()`` only
folds ASCII and librarians follow Russian keywords too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from storage.models import Session, SubscriptionKind
from storage.repos.subscriptions import RuleProfile


def normalise_keyword(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def session_text(session: Session) -> str:
    """What a keyword is looked for in: title, track, organiser and description."""
    parts = (session.title, session.track or "", session.organiser or "", session.description)
    return normalise_keyword(" ".join(parts))


# Scripts written without spaces between words: a keyword in them is found anywhere.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a]")
# Arabic writes the article and one-letter particles onto the word: و ف ب ك ل, then ال.
_ARABIC_PREFIX = "(?:[وفبكل]{0,2}(?:ال)?)"


@lru_cache(maxsize=4096)
def _word_start(keyword: str) -> re.Pattern[str]:
    """Where ``keyword`` may start: at a word start ("ai" not in "said"); anywhere in Chinese
    (no spaces between words); in Arabic after the article and particles written onto the
    word (خصوصية finds الخصوصية and والخصوصية)."""
    if _UNSPACED.match(keyword):
        return re.compile(re.escape(keyword))
    if _ARABIC_LETTER.match(keyword):
        stem = keyword.removeprefix("ال") if len(keyword) > 4 else keyword
        return re.compile(r"(?<!\w)" + _ARABIC_PREFIX + re.escape(stem))
    return re.compile(r"(?<!\w)" + re.escape(keyword))


def matched_keywords(session: Session, keywords: Iterable[str]) -> list[str]:
    """The keywords found at the start of a word ("librar" finds "libraries", "ai" not "said")."""
    text = session_text(session)
    return [keyword for keyword in keywords if keyword and _word_start(keyword).search(text)]


def chat_leads(chosen: list[int] | None, default: Sequence[int]) -> frozenset[int]:
    """A chat's lead times in minutes: its own choice (maybe none at all), else the default."""
    return frozenset(default if chosen is None else chosen)


class LeadIndex:
    """The (rule, lead times) profiles of active chats, indexed by rule for planning."""

    def __init__(self, profiles: Iterable[RuleProfile], default: Sequence[int]) -> None:
        self._by_rule: dict[tuple[str, str], set[int]] = {}
        for profile in profiles:
            leads = self._by_rule.setdefault((profile.kind, profile.target), set())
            leads |= chat_leads(profile.reminder_minutes, default)
        self.keywords = [
            target for kind, target in self._by_rule if kind == SubscriptionKind.KEYWORD
        ]

    def _leads(self, kind: str, target: str) -> set[int]:
        return self._by_rule.get((kind, target), set())

    def leads_for(self, session: Session) -> frozenset[int]:
        """Every lead time some active subscriber of ``session`` wants."""
        leads = set(self._leads(SubscriptionKind.SESSION, str(session.id)))
        if session.is_ifla:
            leads |= self._leads(SubscriptionKind.IFLA, "")
        if session.track:
            leads |= self._leads(SubscriptionKind.TRACK, session.track)
        for keyword in matched_keywords(session, self.keywords):
            leads |= self._leads(SubscriptionKind.KEYWORD, keyword)
        return frozenset(leads)
