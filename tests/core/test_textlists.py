"""Lists in text follow each language's own separators and conjunction."""

from __future__ import annotations

import pytest

from bot.textlists import join_items


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Ann, Boris, and Chen"),
        ("ru", "Ann, Boris и Chen"),
        ("zh", "Ann、Boris和Chen"),
        ("ar", "Ann وBoris وChen"),
        ("fr", "Ann, Boris et Chen"),
        ("xx", "Ann, Boris, Chen"),  # a locale Babel does not know
    ],
)
def test_join_items(language: str, expected: str) -> None:
    assert join_items(["Ann", "", "Boris", "Chen"], language) == expected


def test_nothing_joins_to_nothing() -> None:
    assert join_items([], "en") == ""
