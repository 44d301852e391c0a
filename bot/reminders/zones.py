"""Time zones people type: IANA names in any case, city names in English or Russian, typos.

A guess from the Telegram language is only a starting point the user confirms; a wrong name
gets suggestions (difflib over zone names and over Babel's city names), never a silent guess.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache
from zoneinfo import available_timezones

from babel.dates import get_timezone_location

# Regions whose zones are worth suggesting (not the legacy aliases like "W-SU" or "Navajo").
_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)
_NOT_ZONES = {"localtime", "Factory"}

# Telegram language code (with region if any) -> the most likely zone of its speakers.
_LANGUAGE_ZONES = {
    "ru": "Europe/Moscow",
    "uk": "Europe/Kyiv",
    "be": "Europe/Minsk",
    "kk": "Asia/Almaty",
    "uz": "Asia/Tashkent",
    "ky": "Asia/Bishkek",
    "tg": "Asia/Dushanbe",
    "az": "Asia/Baku",
    "hy": "Asia/Yerevan",
    "ka": "Asia/Tbilisi",
    "en": "UTC",
    "en-us": "America/New_York",
    "en-gb": "Europe/London",
    "en-au": "Australia/Sydney",
    "en-in": "Asia/Kolkata",
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "es": "Europe/Madrid",
    "it": "Europe/Rome",
    "pt": "Europe/Lisbon",
    "pt-br": "America/Sao_Paulo",
    "nl": "Europe/Amsterdam",
    "pl": "Europe/Warsaw",
    "tr": "Europe/Istanbul",
    "ar": "Asia/Riyadh",
    "fa": "Asia/Tehran",
    "hi": "Asia/Kolkata",
    "id": "Asia/Jakarta",
    "zh": "Asia/Shanghai",
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
}


def guess_zone(language_code: str | None) -> str:
    """The zone to offer first for a Telegram language code (``ru`` -> Europe/Moscow)."""
    if not language_code:
        return "UTC"
    code = language_code.lower().replace("_", "-")
    return _LANGUAGE_ZONES.get(code) or _LANGUAGE_ZONES.get(code.split("-")[0], "UTC")


def _normalise(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").replace("_", " ").replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[str, str]  # "asia/novosibirsk" -> "Asia/Novosibirsk"
    names: dict[str, set[str]]  # "novosibirsk", "новосибирск" -> {"Asia/Novosibirsk"}


# City names Babel's Russian data lacks.
_EXTRA_NAMES = {"киев": "Europe/Kyiv", "алма ата": "Asia/Almaty"}


@cache
def _index() -> _Index:
    """Built once (about 600 zones, two languages of city names).

    Babel's city names come only from canonical zones (whose own name is the city), so a
    link such as Australia/ACT or Europe/Belfast does not compete with Sydney or London.
    """
    exact: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    for zone in available_timezones() - _NOT_ZONES:
        exact[zone.casefold()] = zone
        if not (zone.startswith(_REGIONS) or zone == "UTC"):
            continue
        own = zone.rsplit("/", 1)[-1]
        spellings = {own}
        cities = [_city(zone, locale) for locale in ("en", "ru")]
        if cities[0] is None or _normalise(cities[0]) == _normalise(own):
            spellings.update(city for city in cities if city)
        for spelling in spellings:
            names.setdefault(_normalise(spelling), set()).add(zone)
    for name, zone in _EXTRA_NAMES.items():
        names.setdefault(name, set()).add(zone)
    return _Index(exact, names)


def _city(zone: str, locale: str) -> str | None:
    try:
        city: str = get_timezone_location(zone, locale=locale, return_city=True)
    except (LookupError, ValueError):
        return None
    return city


def resolve_zone(text: str) -> str | None:
    """The zone ``text`` names without doubt (an IANA name in any case, or a city), else None."""
    text = text.strip()
    if not text:
        return None
    index = _index()
    zone = index.exact.get(text.casefold())
    if zone is not None:
        return zone
    candidates = index.names.get(_normalise(text), set())
    if len(candidates) == 1:
        return next(iter(candidates))
    return None


def suggest_zones(text: str, limit: int = 5) -> list[str]:
    """Zones the user may have meant: the city part matched exactly, as a part, then by spelling."""
    wanted = _normalise(text.rsplit("/", 1)[-1])
    if not wanted:
        return []
    names = _index().names
    found: list[str] = []

    def add(zones: set[str]) -> None:
        found.extend(zone for zone in sorted(zones) if zone not in found)

    add(names.get(wanted, set()))
    if len(wanted) >= 3:
        for name, zones in sorted(names.items()):
            if wanted in name:
                add(zones)
    for name in difflib.get_close_matches(wanted, list(names), n=limit, cutoff=0.7):
        add(names[name])
    return found[:limit]
