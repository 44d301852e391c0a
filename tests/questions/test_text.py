"""Normalising, near-duplicates (Latin and Cyrillic), language guess, cleaning."""

from __future__ import annotations

import random
from difflib import SequenceMatcher

import pytest

from bot.questions.text import (
    SIMILAR_RATIO,
    SIMILAR_TOKENS,
    DuplicateFinder,
    clean,
    guess_language,
    is_similar,
    normalise,
    shorten,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  How do LIBRARIES use AI?! ", "how do libraries use ai"),
        ("Что с ЁЛКАМИ, в библиотеке…", "что с елками в библиотеке"),
        ("<b>bold</b> & *stars*", "b bold b stars"),
        ("tabs\tand\nlines", "tabs and lines"),
        ("ﬁve ｆｕｌｌ", "five full"),  # NFKC: ligatures and full-width letters
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("first", "second", "similar"),
    [
        ("How do libraries use AI?", "how do libraries use AI", True),
        ("How do libarries use AI?", "How do libraries use AI?", True),  # typo
        ("AI in libraries: what is next", "What is next: AI in libraries?", True),  # order
        ("How do libraries use AI?", "How do libraries fund AI?", False),
        ("Как библиотеки используют ИИ?", "как библиотеки используют ии", True),
        ("Как библиотеки используют ИИ?", "Как библиотеки испольуют ИИ", True),  # typo
        ("Что с ёлками в библиотеке?", "Что с елками в библиотеке", True),  # ё = е
        ("Как библиотеки используют ИИ?", "Как библиотеки финансируют ИИ?", False),
        ("Why?", "Why not?", False),  # short texts: only exact matches
        ("Why?", "why", True),
        ("", "", False),
    ],
)
def test_is_similar(first: str, second: str, similar: bool) -> None:
    assert is_similar(normalise(first), normalise(second)) is similar


def _same_question_by_definition(first: str, second: str) -> bool:
    """The rule spelled out with nothing skipped: equal; or three words or more each and
    words or letters (difflib) close enough."""
    if first == second:
        return bool(first)
    words, other_words = set(first.split()), set(second.split())
    if min(len(words), len(other_words)) < 3:
        return False
    if len(words & other_words) / len(words | other_words) >= SIMILAR_TOKENS:
        return True
    return SequenceMatcher(None, second, first, autojunk=False).ratio() >= SIMILAR_RATIO


def _variant(rng: random.Random, text: str) -> str:
    """A typo or two, a word dropped, swapped or added, or another question entirely."""
    letters = list(text)
    for _ in range(rng.choice([0, 1, 1, 2, 3, 8])):
        at = rng.randrange(len(letters))
        letters[at : at + 1] = rng.choice(
            [[], [rng.choice("абвeаоtrsни ")], letters[at : at + 1] * 2]
        )
    words = "".join(letters).split()
    if rng.random() < 0.3 and len(words) > 2:
        i, j = rng.sample(range(len(words)), 2)
        words[i], words[j] = words[j], words[i]
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words) + 1), rng.choice(["also", "ещё", "please"]))
    return normalise(" ".join(words))


def test_the_finder_agrees_with_the_rule_spelled_out() -> None:
    """The shortcuts (cached words and letters, the bounds before difflib) change no answer."""
    rng = random.Random(7)
    seeds = [
        "How do public libraries in rural areas fund digital inclusion programmes",
        "Будут ли записи сессии опубликованы после окончания форума",
        "What about open access to research data in the global south",
        "Как библиотеки помогают людям с нарушениями зрения",
    ]
    stored = [_variant(rng, rng.choice(seeds)) for _ in range(300)]
    agreed = similar = 0
    for _ in range(60):
        new = _variant(rng, rng.choice(seeds))
        finder = DuplicateFinder(new)
        for text in stored:
            expected = _same_question_by_definition(new, text)
            assert finder.matches(text) is expected, (new, text)
            agreed += 1
            similar += expected
    assert agreed == 60 * 300
    assert 0 < similar < agreed  # both answers were exercised


@pytest.mark.parametrize(
    ("text", "asker", "expected"),
    [
        ("Как библиотеки используют ИИ?", "en", "ru"),
        ("How do libraries use AI?", "en", "en"),
        ("How do libraries use AI?", "ru", "en"),
        ("Вопрос про IFLA и IGF", "en", "ru"),
        ("???", "ru", "ru"),
    ],
)
def test_guess_language(text: str, asker: str, expected: str) -> None:
    assert guess_language(text, asker) == expected


def test_clean_keeps_lines_and_drops_control_characters() -> None:
    assert clean("  first\x00 line  \r\n\x07second\n\n") == "first line\nsecond"


def test_shorten_is_one_line() -> None:
    assert shorten("a\nb  c", 10) == "a b c"
    assert shorten("x" * 20, 10) == "x" * 9 + "…"
