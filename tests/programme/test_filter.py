"""The IFLA keyword matcher: case, Cyrillic, stems, several fields."""

from __future__ import annotations

import pytest

from bot.programme.filter import KeywordMatcher

MATCHER = KeywordMatcher(["IFLA", "librar", "БИБЛИОТЕК"])


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("IFLA: Libraries and the SDGs",), True),
        (("ifla open session",), True),
        (("Ｉ Ｆ Ｌ Ａ",), False),
        (("ＩＦＬＡ round table",), True),  # full-width letters
        (("Public Library Day",), True),
        (("Роль библиотек в цифровой среде",), True),
        (("БИБЛИОТЕКИ И ДОСТУП К ИНФОРМАЦИИ",), True),
        (("Cybersecurity main session",), False),
        (("Cybersecurity", None, "organised with IFLA"), True),
        ((None, "Track: Libraries"), True),
        ((), False),
    ],
)
def test_matches(texts: tuple[str | None, ...], expected: bool) -> None:
    assert MATCHER.matches(*texts) is expected


def test_no_keywords_match_nothing() -> None:
    matcher = KeywordMatcher(["", "  "])
    assert matcher.keywords == ()
    assert not matcher.matches("IFLA")


def test_keywords_are_folded_once() -> None:
    assert KeywordMatcher(["IFLA", "ifla", "Straße"]).keywords == ("ifla", "strasse")
