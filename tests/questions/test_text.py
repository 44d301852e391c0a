"""Normalising, near-duplicates (Latin and Cyrillic), language guess, cleaning."""

from __future__ import annotations

import pytest

from bot.questions.text import clean, guess_language, is_similar, normalise, shorten


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
