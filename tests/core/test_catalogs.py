"""Every message in all seven languages, with the same placeholders and every plural form
CLDR counts; none left in English; code uses no unknown id."""

from __future__ import annotations

import re
import string
from gettext import c2py
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, Translator, pick_language

ROOT = Path(__file__).resolve().parents[2]
# t("x.y"...), context.t("x.y"...), reply(update, context, "x.y"...), UserFacingError("x.y"...)
USED_ID = re.compile(
    r"""(?:\bt\(\s*(?:[\w.]+,\s*)?|reply\(\s*update,\s*context,\s*|UserFacingError\(\s*|_id=\s*|
    CommandSpec\(\s*"[\w-]+",\s*)"([a-z][a-z0-9_]*\.[a-z0-9_.]+)\"""",
    re.VERBOSE,
)


TEMPLATE_ID = re.compile(r"""\bt\(\s*["']([a-z][a-z0-9_]*\.[a-z0-9_.]+)["']""")


@pytest.fixture(scope="module")
def translator() -> Translator:
    return Translator()


def _fields(text: str) -> frozenset[str]:
    return frozenset({name for _, name, _, _ in string.Formatter().parse(text) if name})


def _catalogs(language: str) -> dict[str, Message]:
    """Every message of ``language``, all domains together, as the .po files hold them."""
    messages: dict[str, Message] = {}
    for path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=path.stem)
        for message in catalog:
            if message.id:
                messages[message.id if isinstance(message.id, str) else message.id[0]] = message
    return messages


def _forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _single_number_forms(language: str) -> set[int]:
    """Plural forms that stand for exactly one number (Arabic's zero, one and two): only
    those may leave ``{count}`` out and write the number as a word."""
    rule = get_plural(language)
    choose = c2py(rule.plural_expr)
    numbers: dict[int, set[int]] = {}
    for n in range(0, 1_000_001, 1):
        if n > 1000 and n % 1000 != 0:
            continue
        numbers.setdefault(choose(n), set()).add(n)
    return {form for form, hits in numbers.items() if len(hits) == 1}


ENGLISH = _catalogs("en")
OTHERS = [language for language in LANGUAGES if language != "en"]


@pytest.mark.parametrize("language", OTHERS)
def test_every_message_exists_in_every_language(language: str) -> None:
    catalog = _catalogs(language)
    assert set(ENGLISH) - set(catalog) == set(), f"messages without a {language} translation"
    assert set(catalog) - set(ENGLISH) == set(), f"{language} messages with no English original"
    assert [mid for mid, message in catalog.items() if not all(_forms(message))] == []


@pytest.mark.parametrize("language", OTHERS)
def test_placeholders_match_in_every_form(language: str) -> None:
    catalog = _catalogs(language)
    single = _single_number_forms(language)
    mismatched = []
    for message_id, original in ENGLISH.items():
        wanted = frozenset().union(*(_fields(form) for form in _forms(original)))
        for index, form in enumerate(_forms(catalog[message_id])):
            have = _fields(form)
            allowed = {wanted, wanted - {"count"}} if index in single else {wanted}
            if (original.pluralizable and have not in allowed) or (
                not original.pluralizable and have != wanted
            ):
                mismatched.append((message_id, index, sorted(have)))
    assert mismatched == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_complete_as_cldr_counts_them(language: str) -> None:
    rule = get_plural(language)
    catalog = _catalogs(language)
    header = {}
    for path in (LOCALES_DIR / language / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as handle:
            header[path.name] = read_po(handle, locale=language).num_plurals
    assert set(header.values()) == {rule.num_plurals}, header
    short = [
        message_id
        for message_id, message in catalog.items()
        if message.pluralizable and len(_forms(message)) != rule.num_plurals
    ]
    assert short == []


# Left as in English on purpose: a file format, and a city the demo's hub types.
SAME_AS_ENGLISH = {"schedule.button.ics", "demo.line.olga_zone"}
# Words that are the same in that language (checked by reading, not by chance).
SAME_WORD = {
    ("fr", "export.questions"),  # « Questions »
    ("fr", "moderators.scope_session"),  # « session {id} »
    ("fr", "export.hub"),  # « Hub » (hub à distance)
    ("de", "export.hub"),  # „Hub“ (Remote-Hub)
    ("de", "web.console.live"),  # „live“, as German webcasts say
    ("de", "web.console.export"),  # „Export:“
}


def _has_words(text: str) -> bool:
    """Text a person reads, beyond placeholders, tags and symbols."""
    literal = "".join(chunk for chunk, _, _, _ in string.Formatter().parse(text))
    literal = re.sub(r"<[^>]+>|&\w+;", "", literal)
    return bool(re.search(r"[^\W\d_]{2,}", literal))


@pytest.mark.parametrize("language", OTHERS)
def test_no_message_is_left_in_english(language: str) -> None:
    catalog = _catalogs(language)
    untranslated = [
        message_id
        for message_id, original in ENGLISH.items()
        if _forms(catalog[message_id]) == _forms(original)[: len(_forms(catalog[message_id]))]
        and message_id not in SAME_AS_ENGLISH
        and (language, message_id) not in SAME_WORD
        and _has_words(_forms(original)[0])
    ]
    assert untranslated == []


def test_arabic_has_six_forms_and_uses_them(translator: Translator) -> None:
    forms = {translator.t("ar", "time.day_shift", count=n, sign="+") for n in (0, 1, 2, 3, 11, 100)}
    assert len(forms) == 6


def test_every_id_used_in_code_exists(translator: Translator) -> None:
    known = translator.message_ids("en")
    missing: dict[str, str] = {}
    for package in ("bot", "handlers", "web"):
        for path in (ROOT / package).rglob("*.py"):
            for message_id in USED_ID.findall(path.read_text(encoding="utf-8")):
                if message_id not in known:
                    missing[message_id] = str(path.relative_to(ROOT))
    for path in (ROOT / "web" / "templates").glob("*.html"):  # t("web.x") and t('web.x')
        for message_id in TEMPLATE_ID.findall(path.read_text(encoding="utf-8")):
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
        (None, "de", "de"),
        (None, "de-AT", "de"),
        (None, "zh-hans", "zh"),
        (None, "zh-CN", "zh"),
        (None, "zh_TW", "zh"),
        (None, "AR", "ar"),
        (None, "pt-BR", "en"),
        (None, "pt-BR", "en"),
        ("en", "ru", "en"),
        (None, None, "en"),
    ],
)
def test_pick_language(chosen: str | None, telegram: str | None, expected: str) -> None:
    assert pick_language(chosen, telegram) == expected
