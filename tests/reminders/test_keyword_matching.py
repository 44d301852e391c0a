"""Keywords are found where each language starts a word: at a word start in English and
Russian, anywhere in Chinese (no spaces), after the article and particles in Arabic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.reminders.matching import matched_keywords, normalise_keyword
from storage.models import Session

NOW = datetime(2026, 6, 22, 9, 0, tzinfo=UTC)


def session(title: str) -> Session:
    return Session(
        key="k", title=title, start_at=NOW, end_at=NOW, timezone="UTC", description="",
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("keyword", "title", "found"),
    [
        ("librar", "Public libraries and AI", True),
        ("ai", "What the panel said", False),
        ("библиотек", "Роль Библиотек в цифровой среде", True),
        ("隐私", "数据隐私保护与图书馆", True),
        ("图书馆", "公共图书馆的远程参与", True),
        ("隐私", "开放数据", False),
        ("خصوصية", "الخصوصية في المكتبات", True),
        ("الخصوصية", "والخصوصية في المكتبات", True),
        ("خصوصية", "للخصوصية والأمن", True),
        ("مكتبات", "دور المكتبات العامة", True),
        ("مكتبات", "البث الشبكي", False),
    ],
)
def test_keyword_found_where_the_language_starts_a_word(
    keyword: str, title: str, found: bool
) -> None:
    folded = normalise_keyword(keyword)
    assert (matched_keywords(session(title), [folded]) == [folded]) is found
