"""A moderator added at run time gets the moderators' command menu; removed, loses it."""

from __future__ import annotations

import pytest

from localapi import LocalBotApiServer
from tests.harness import BotHarness, eventually

from .e2e_support import Chat
from .support import ADMIN

pytestmark = pytest.mark.e2e

NEW_MODERATOR = 77


async def test_mod_add_and_remove_publish_the_menu(api: LocalBotApiServer, bot: BotHarness) -> None:
    api.add_user(NEW_MODERATOR, "Nina", "en")
    admin = Chat(api, ADMIN)
    scope = f"chat:{NEW_MODERATOR}"
    assert api.commands_for(scope) == []

    await admin.send(f"/mod add {NEW_MODERATOR}")
    await eventually(lambda: "next" in api.commands_for(scope))
    assert "next" in api.commands_for(scope, "ru")
    assert "mod" not in api.commands_for(scope)  # a moderator, not an admin

    await admin.send(f"/mod remove {NEW_MODERATOR}")
    await eventually(lambda: api.commands_for(scope) == [] and api.commands_for(scope, "ru") == [])
