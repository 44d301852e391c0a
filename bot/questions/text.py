"""Question text: cleaning, normalising for comparison, near-duplicate detection, language."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

# Two questions this close are "the same question" (see ``similarity``).
SIMILAR_RATIO = 0.92
SIMILAR_TOKENS = 0.8

_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """What we store: control characters and surrounding blanks gone, inner lines kept."""
    kept = "".join(char for char in text if char in "\n\t" or unicodedata.category(char) != "Cc")
    lines = [line.rstrip() for line in kept.strip().splitlines()]
    return "\n".join(lines)


def normalise(text: str) -> str:
    """Casefolded, ё as е, punctuation and symbols dropped, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    letters = (char if unicodedata.category(char)[0] not in "PSC" else " " for char in folded)
    return _SPACES.sub(" ", "".join(letters)).strip()


def _jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    union = len(first | second)
    return len(first & second) / union if union else 0.0


@dataclass(frozen=True, slots=True)
class _Profile:
    """What comparing a text needs, computed once per text.

    ``letters`` holds the k-th occurrence of each character as one number (``ord`` shifted,
    plus k), so the size of two multisets' intersection, difflib's ``quick_ratio`` bound, is
    one C-level set intersection instead of a ``Counter`` built and intersected in Python.
    """

    tokens: frozenset[str]
    letters: frozenset[int]


@lru_cache(maxsize=4096)
def _profile(text: str) -> _Profile:
    seen: Counter[str] = Counter()
    letters = []
    for char in text:
        seen[char] += 1
        letters.append(ord(char) << 32 | seen[char])
    return _Profile(frozenset(text.split()), frozenset(letters))


class DuplicateFinder:
    """Compares one new normalised text with many stored ones.

    Each text's words and letters are worked out once (and kept for the next question: a
    session's open questions are compared again with every new one); difflib runs only on
    the few pairs the cheap bounds cannot rule out.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._profile = _profile(text)
        self._matcher = SequenceMatcher(None, autojunk=False)
        self._matcher.set_seq2(text)

    def matches(self, other: str) -> bool:
        """Whether ``other`` asks the same thing; under three words only if equal."""
        if other == self.text:
            return bool(other)
        mine, theirs = self._profile, _profile(other)
        if min(len(theirs.tokens), len(mine.tokens)) < 3:
            return False
        if _jaccard(theirs.tokens, mine.tokens) >= SIMILAR_TOKENS:
            return True
        needed = SIMILAR_RATIO * (len(other) + len(self.text)) / 2
        if min(len(other), len(self.text)) < needed:
            return False  # the lengths alone rule it out (difflib's real_quick_ratio)
        if len(theirs.letters & mine.letters) < needed:
            return False  # not enough letters in common (difflib's quick_ratio)
        self._matcher.set_seq1(other)
        return self._matcher.ratio() >= SIMILAR_RATIO


def is_similar(first: str, second: str) -> bool:
    """Whether two *normalised* texts ask the same thing."""
    return DuplicateFinder(first).matches(second)


def guess_language(text: str, asker_language: str) -> str:
    """Mostly Cyrillic letters: ``ru``; mostly Latin: the asker's language, unless that is
    Russian (then ``en``); no letters at all: the asker's language."""
    cyrillic = latin = 0
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("CYRILLIC"):
            cyrillic += 1
        elif name.startswith("LATIN"):
            latin += 1
    if cyrillic == latin == 0:
        return asker_language
    if cyrillic >= latin:
        return "ru"
    return "en" if asker_language == "ru" else asker_language


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, for lists and buttons."""
    flat = _SPACES.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
