"""Who takes part in the rehearsal: remote librarians, a library's hub group, the on-site
moderator, and the announce channel, as Telegram accounts on the local Bot API server."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import default_translator
from localapi import LocalBotApiServer


@dataclass(frozen=True, slots=True)
class Person:
    """A Telegram user; ``writes`` is the language their scripted lines are written in."""

    key: str
    user_id: int
    name: str
    place: str
    zone: str
    telegram_language: str
    writes: str
    style: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.place})"


@dataclass(frozen=True, slots=True)
class Group:
    """A library's reading room watching together: a Telegram group registered as a hub."""

    chat_id: int
    title: str
    admin: str  # Person.key
    members: tuple[str, ...]
    style: str = "magenta"

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True)
class Channel:
    chat_id: int
    title: str
    username: str
    style: str = "yellow"

    @property
    def label(self) -> str:
        return f"#{self.username}"


@dataclass(frozen=True, slots=True)
class Cast:
    people: tuple[Person, ...]
    hub: Group
    channel: Channel
    moderator: str  # Person.key

    def person(self, key: str) -> Person:
        for person in self.people:
            if person.key == key:
                return person
        raise KeyError(key)

    def by_chat(self, chat_id: int) -> Person | Group | Channel | None:
        """Whose chat ``chat_id`` is (a private chat's id is its user's id)."""
        if chat_id == self.hub.chat_id:
            return self.hub
        if chat_id == self.channel.chat_id:
            return self.channel
        return next((p for p in self.people if p.user_id == chat_id), None)


KEYBOARD_KEY = "you"


def make_cast(language: str, *, interactive: bool = False) -> Cast:
    """The rehearsal's people. In English they are a mix (Russian speakers write Russian, the
    rest English); with any other ``language`` every scripted person uses that language."""
    mixed = language == "en"

    def person(
        key: str, user_id: int, name: str, place: str, zone: str, code: str, style: str
    ) -> Person:
        telegram = code if mixed else language
        writes = ("ru" if code == "ru" else "en") if mixed else language
        return Person(key, user_id, name, place, zone, telegram, writes, style)

    people = [
        person("anna", 710_001, "Anna", "Paris", "Europe/Paris", "en", "cyan"),
        person("olga", 710_002, "Olga", "Novosibirsk", "Asia/Novosibirsk", "ru", "green"),
        person("beatriz", 710_003, "Beatriz", "São Paulo", "America/Sao_Paulo", "pt-BR", "blue"),
        person("ivan", 710_004, "Ivan", "Novosibirsk", "Asia/Novosibirsk", "ru", "green"),
        person("layla", 710_005, "Layla", "moderator, Riyadh", "Asia/Riyadh", "en", "red"),
    ]
    if interactive:
        texts = default_translator()
        name, place = texts.t(language, "demo.you.name"), texts.t(language, "demo.you.place")
        people.append(Person(KEYBOARD_KEY, 710_009, name, place, "UTC", language, language, "bold"))
    hub = Group(-1_001_700_000_001, "Novosibirsk library hub", admin="olga", members=("ivan",))
    channel = Channel(-1_001_700_000_002, "Forum announcements", "forum_announce")
    return Cast(tuple(people), hub, channel, moderator="layla")


def populate(server: LocalBotApiServer, cast: Cast) -> None:
    """Create the accounts, the hub group (the bot is a member) and the channel (bot admin)."""
    for person in cast.people:
        server.add_user(person.user_id, person.name, person.telegram_language)
    admin = cast.person(cast.hub.admin).user_id
    members = [cast.person(key).user_id for key in cast.hub.members]
    server.add_group(
        cast.hub.chat_id, cast.hub.title, admins=[admin], creator=admin, members=members
    )
    server.add_channel(cast.channel.chat_id, cast.channel.title, username=cast.channel.username)
