"""Run-time moderators, per scope, as the role service sees them; hub names."""

from __future__ import annotations

import pytest

from bot.errors import UserFacingError
from bot.questions.people import Scope, parse_hub
from bot.roles import Role, RoleService
from config.settings import Settings
from storage.db import Database

from .support import add_session, add_source, make_relay

ADMIN, CONFIG_MODERATOR, ADDED = 1, 2, 3


async def test_scopes_everywhere_session_and_event(database: Database) -> None:
    source = await add_source(database)
    in_event = await add_session(database, title="In the event", source_id=source)
    elsewhere = await add_session(database, title="Elsewhere")
    relay = make_relay(database)
    roles = RoleService(Settings(admins=[ADMIN], moderators=[CONFIG_MODERATOR]), relay.moderators)

    assert await roles.role_of(ADDED) == Role.PARTICIPANT
    assert await relay.moderators.add(ADDED, Scope("session", in_event), ADMIN)
    assert not await relay.moderators.add(ADDED, Scope("session", in_event), ADMIN)  # already
    assert await roles.has(ADDED, Role.MODERATOR, in_event)
    assert not await roles.has(ADDED, Role.MODERATOR, elsewhere)
    assert await roles.has(ADDED, Role.MODERATOR)  # moderates something: sees the commands

    await relay.moderators.add(4, Scope("event", source), ADMIN)
    assert await roles.has(4, Role.MODERATOR, in_event)
    assert not await roles.has(4, Role.MODERATOR, elsewhere)

    await relay.moderators.add(5, Scope("all"), ADMIN)
    assert await roles.has(5, Role.MODERATOR, elsewhere)

    assert await relay.moderators.remove(ADDED, None) == 1
    assert await roles.role_of(ADDED, in_event) == Role.PARTICIPANT
    assert await roles.role_of(CONFIG_MODERATOR, elsewhere) == Role.MODERATOR
    assert await roles.role_of(ADMIN) == Role.ADMIN
    assert [(e.user_id, e.scope) for e in await relay.moderators.entries()] == [
        (4, f"event:{source}"),
        (5, "all"),
    ]


async def test_unknown_scopes_are_refused(database: Database) -> None:
    relay = make_relay(database)
    with pytest.raises(UserFacingError):
        await relay.moderators.add(ADDED, Scope("session", 999), ADMIN)
    with pytest.raises(UserFacingError):
        await relay.moderators.add(ADDED, Scope("event", 999), ADMIN)


@pytest.mark.parametrize(
    ("words", "key"),
    [([], "all"), (["session", "17"], "session:17"), (["event", "2"], "event:2")],
)
def test_scope_parse(words: list[str], key: str) -> None:
    assert Scope.parse(words).key == key


@pytest.mark.parametrize("words", [["session"], ["room", "1"], ["session", "x"]])
def test_scope_parse_refuses(words: list[str]) -> None:
    with pytest.raises(UserFacingError):
        Scope.parse(words)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Novosibirsk hub, Russia", ("Novosibirsk hub", "Russia")),
        ("  Baku   hub  ", ("Baku hub", None)),
        ("Hub A, Part B; Kazan", ("Hub A, Part B", "Kazan")),
        ("Новосибирский хаб | Россия", ("Новосибирский хаб", "Россия")),
        ("مركز مكتبة الإسكندرية، مصر", ("مركز مكتبة الإسكندرية", "مصر")),
        ("上海图书馆远程分会场，上海", ("上海图书馆远程分会场", "上海")),
    ],
)
def test_parse_hub(text: str, expected: tuple[str, str | None]) -> None:
    assert parse_hub(text) == expected


@pytest.mark.parametrize("text", ["", ", Russia", "x" * 101])
def test_parse_hub_refuses(text: str) -> None:
    with pytest.raises(UserFacingError):
        parse_hub(text)
