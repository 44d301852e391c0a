"""The core feature's buttons: choosing the chat's language (``/lang``, ``/settings``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from bot.callbacks import CallbackData, TokenShape
from bot.i18n import LANGUAGES

LanguageCode = Annotated[str, TokenShape("|".join(re.escape(code) for code in LANGUAGES))]


@dataclass(frozen=True, slots=True)
class LanguageChosen(CallbackData, prefix="lang"):
    language: LanguageCode
