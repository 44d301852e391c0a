"""Translations: Babel reads the gettext catalogs in ``bot/locales``; code uses message ids.

Every area has its own domain (``core.po``, ``schedule.po``, ...) so catalogs stay small and
independent; all domains of a language are merged into one lookup table at start-up.
"""

from __future__ import annotations

import gettext
import html
import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
# IFLA's seven working languages: English (the default) and Russian (the first two the bot
# spoke), then the others in the order the UN lists them.
LANGUAGES = ("en", "ru", "ar", "zh", "fr", "de", "es")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Русский",
    "ar": "العربية",
    "zh": "中文",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
}
RIGHT_TO_LEFT = frozenset({"ar"})


class MissingMessage(KeyError):
    """A message id that no catalog has: a bug, caught by the catalog tests."""


def pick_language(
    chosen: str | None, telegram_code: str | None, default: str = DEFAULT_LANGUAGE
) -> str:
    """The chat's own choice, else the user's Telegram language when we speak it, else default.

    The fallback rule: a Telegram code is read case-blind, ``_`` as ``-``, and only its
    language part counts (``de-AT`` -> de, ``zh-CN``/``zh-hans`` -> zh; ``zh-TW``/``zh-hant``
    -> zh too, the simplified catalog reading better than English to a traditional reader);
    a language we do not speak (``pt-BR``) gets the chat's default, then English.
    """
    if chosen in LANGUAGES:
        return chosen
    if telegram_code:
        base = telegram_code.strip().replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def text_direction(language: str) -> str:
    """``rtl`` for a right-to-left language (Arabic), else ``ltr``: the pages' ``dir``."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def _load_language(language: str) -> list[gettext.GNUTranslations]:
    translations = []
    for po_path in sorted((LOCALES_DIR / language / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=po_path.stem)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        translations.append(gettext.GNUTranslations(buffer))
    return translations


class Translator:
    """Looks up message ids per language; parameters are HTML-escaped unless marked safe."""

    def __init__(self) -> None:
        self._catalogs = {language: _load_language(language) for language in LANGUAGES}

    def has(self, language: str, message_id: str) -> bool:
        return any(message_id in t._catalog for t in self._catalogs[language])  # type: ignore[attr-defined]

    def _lookup(self, language: str, message_id: str, count: int | None) -> str:
        for translations in (self._catalogs[language], self._catalogs[DEFAULT_LANGUAGE]):
            for catalog in translations:
                if count is None:
                    text = catalog.gettext(message_id)
                else:
                    text = catalog.ngettext(message_id, message_id, count)
                if text != message_id:
                    return text
        raise MissingMessage(message_id)

    def t(
        self,
        language: str,
        message_id: str,
        *,
        count: int | None = None,
        safe: Mapping[str, str] | None = None,
        **params: Any,
    ) -> str:
        """The text of ``message_id`` in ``language`` with ``params`` escaped for Telegram HTML.

        ``safe`` holds parameters that are already HTML (links, nested translated parts).
        """
        language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        template = self._lookup(language, message_id, count)
        values: dict[str, Any] = {key: _escape(value) for key, value in params.items()}
        if count is not None:
            values.setdefault("count", count)
        values.update(safe or {})
        return template.format(**values)

    def message_ids(self, language: str) -> set[str]:
        ids: set[str] = set()
        for catalog in self._catalogs[language]:
            ids.update(key if isinstance(key, str) else key[0] for key in catalog._catalog)  # type: ignore[attr-defined]
        ids.discard("")
        return ids


def _escape(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return value


@cache
def default_translator() -> Translator:
    return Translator()
