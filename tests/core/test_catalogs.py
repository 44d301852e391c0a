"""Every message has English and Russian with the same placeholders; code uses no unknown id."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.i18n import LANGUAGES, Translator, pick_language

ROOT = Path(__file__).resolve().parents[2]
# t("x.y"...), context.t("x.y"...), reply(update, context, "x.y"...), UserFacingError("x.y"...)
USED_ID = re.compile(
    r"""(?:\bt\(\s*(?:[\w.]+,\s*)?|reply\(\s*update,\s*context,\s*|UserFacingError\(\s*|_id=\s*|
    CommandSpec\(\s*"[\w-]+",\s*)"([a-z][a-z0-9_]*\.[a-z0-9_.]+)\"""",
    re.VERBOSE,
)


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_a_russian_twin(translator: Translator) -> None:
    english, russian = translator.message_ids("en"), translator.message_ids("ru")
    assert english, "no English catalog loaded"
    assert english - russian == set(), "messages without Russian translation"
    assert russian - english == set(), "Russian messages without English original"


def test_placeholders_match(translator: Translator) -> None:
    mismatched = []
    for message_id in translator.message_ids("en"):
        catalogs = [translator._lookup(language, message_id, None) for language in LANGUAGES]
        if len({frozenset(_fields(text)) for text in catalogs}) != 1:
            mismatched.append(message_id)
    assert mismatched == []


def test_every_id_used_in_code_exists(translator: Translator) -> None:
    known = translator.message_ids("en")
    missing: dict[str, str] = {}
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            for message_id in USED_ID.findall(path.read_text(encoding="utf-8")):
                if message_id not in known:
                    missing[message_id] = str(path.relative_to(ROOT))
    assert missing == {}


def test_parameters_are_escaped(translator: Translator) -> None:
    text = translator.t("ru", "start.welcome", name="<b>Ann</b> & co")
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; co" in text
    assert "Здравствуйте" in text


def test_russian_plurals(translator: Translator) -> None:
    forms = [translator.t("ru", "time.day_shift", count=n, sign="+") for n in (1, 2, 5, 21)]
    assert forms == ["(+1 день)", "(+2 дня)", "(+5 дней)", "(+21 день)"]


@pytest.mark.parametrize(
    ("chosen", "telegram", "expected"),
    [
        (None, "ru", "ru"),
        (None, "ru-RU", "ru"),
        (None, "de", "en"),
        ("en", "ru", "en"),
        (None, None, "en"),
    ],
)
def test_pick_language(chosen: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(chosen, telegram) == expected
