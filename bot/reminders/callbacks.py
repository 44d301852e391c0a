"""The buttons of /subscribe, /mysubs and /settings (the card's "Remind me" and ".ics" are
the programme's, in ``bot.programme.callbacks``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from bot.callbacks import CallbackData, Count, Id, TokenShape

TrackCode = Annotated[str, TokenShape(r"[0-9a-f]{8}")]  # crc32 of the track's name
ZoneName = Annotated[str, TokenShape(r"[A-Za-z0-9_+\-/]{1,48}")]  # an IANA name


@dataclass(frozen=True, slots=True)
class SubscribeIfla(CallbackData, prefix="sub:ifla"):
    pass


@dataclass(frozen=True, slots=True)
class TracksPage(CallbackData, prefix="sub:tracks"):
    page: Count  # from 0


@dataclass(frozen=True, slots=True)
class SubscribeTrack(CallbackData, prefix="sub:trk"):
    code: TrackCode


@dataclass(frozen=True, slots=True)
class AskKeyword(CallbackData, prefix="sub:kw"):
    pass


@dataclass(frozen=True, slots=True)
class DropSubscription(CallbackData, prefix="sub:del"):
    subscription: Id


@dataclass(frozen=True, slots=True)
class DropAllSubscriptions(CallbackData, prefix="sub:delall"):
    pass


@dataclass(frozen=True, slots=True)
class SettingsHome(CallbackData, prefix="set:home"):
    pass


@dataclass(frozen=True, slots=True)
class ZoneChoices(CallbackData, prefix="set:tz"):
    pass


@dataclass(frozen=True, slots=True)
class ZoneChosen(CallbackData, prefix="set:tz"):
    zone: ZoneName


@dataclass(frozen=True, slots=True)
class ZonePrompt(CallbackData, prefix="set:tzask"):
    pass


@dataclass(frozen=True, slots=True)
class LeadChoices(CallbackData, prefix="set:leads"):
    pass


@dataclass(frozen=True, slots=True)
class LeadToggle(CallbackData, prefix="set:lead"):
    minutes: Id


@dataclass(frozen=True, slots=True)
class SettingsLanguage(CallbackData, prefix="set:lang"):
    pass
