"""Files, chats, members and the bot's settings (commands, descriptions, menu button)."""

from __future__ import annotations

import pytest
import telegram
from localapi_support import GROUP, OTHER_USER, USER
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    MenuButtonWebApp,
)
from telegram.error import BadRequest

from localapi import LocalBotApiServer

PNG_2X3 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000308020000001216f14d"
    "0000000d49444154789c6360a0040000001e0001a1cfd3a70000000049454e44ae426082"
)


async def test_send_document_keeps_bytes_filename_and_caption(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    payload = "Programme, день 1\n".encode() * 1000
    message = await bot.send_document(
        USER, payload, filename="programme.csv", caption="<b>Day 1</b>", parse_mode="HTML"
    )
    assert message.document is not None
    assert message.document.file_name == "programme.csv"
    assert message.document.file_size == len(payload)
    assert message.caption == "Day 1" and message.caption_entities[0].type == "bold"
    stored = server.sent[-1]
    assert stored.method == "sendDocument" and stored.document is not None
    assert stored.document.data == payload and stored.document.filename == "programme.csv"
    assert stored.document.mime_type == "text/csv"
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload
    again = await bot.send_document(OTHER_USER, message.document.file_id)
    assert again.document is not None and again.document.file_id == message.document.file_id


async def test_send_photo_keeps_bytes(server: LocalBotApiServer, bot: telegram.Bot) -> None:
    message = await bot.send_photo(USER, PNG_2X3, caption="QR code")
    (size,) = message.photo
    assert (size.width, size.height) == (2, 3)
    stored = server.sent[-1]
    assert stored.photo is not None and stored.photo.data == PNG_2X3
    assert stored.caption == "QR code"
    with pytest.raises(BadRequest, match=r"(?i)use file of type photo as document"):
        await bot.send_document(USER, size.file_id)


async def test_caption_limit_and_missing_file(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(USER, b"x", filename="x.txt", caption="c" * 1025)
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(USER, "no-such-file-id")
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("no-such-file-id")


async def test_get_chat_for_users_and_groups(bot: telegram.Bot) -> None:
    private = await bot.get_chat(USER)
    assert (private.type, private.first_name, private.username) == ("private", "Ada", "ada")
    group = await bot.get_chat(GROUP)
    assert (group.type, group.title) == ("supergroup", "IGF Room 1")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(-1)


async def test_members_and_administrators(server: LocalBotApiServer, bot: telegram.Bot) -> None:
    server.add_group(-100777, "Moderators", admins=[USER, OTHER_USER], creator=OTHER_USER)
    admins = await bot.get_chat_administrators(-100777)
    assert [(a.user.id, a.status) for a in admins] == [
        (OTHER_USER, "creator"),
        (USER, "administrator"),
    ]
    assert isinstance(admins[1], telegram.ChatMemberAdministrator)
    assert (await bot.get_chat_member(-100777, USER)).status == "administrator"
    server.send_text(1003, "hi", chat_id=-100777)
    assert (await bot.get_chat_member(-100777, 1003)).status == "member"
    assert (await bot.get_chat_member(-100777, 123456)).status == "member"
    assert (await bot.get_chat_member(GROUP, USER)).status == "left"
    server.add_group(-100778, "Bot admin", bot_is_admin=True)
    (bot_admin,) = await bot.get_chat_administrators(-100778)
    assert bot_admin.user.id == 123456 and bot_admin.status == "administrator"
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(-100777, 424242)
    assert await bot.get_chat_member_count(-100777) == 4


async def test_commands_are_stored_per_scope_and_language(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    english = [BotCommand("start", "Start"), BotCommand("ask", "Ask a question")]
    russian = [BotCommand("start", "Начать")]
    moderators = [BotCommand("next", "Next question")]
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(russian, language_code="ru")
    assert await bot.set_my_commands(moderators, scope=BotCommandScopeChat(GROUP))
    assert await bot.set_my_commands(english[:1], scope=BotCommandScopeAllPrivateChats())
    assert server.commands_for() == ["start", "ask"]
    assert server.commands_for("default", "ru") == ["start"]
    assert server.commands_for(f"chat:{GROUP}") == ["next"]
    assert server.commands_for("all_private_chats") == ["start"]
    assert server.commands[("default", "ru")] == [{"command": "start", "description": "Начать"}]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "ask"]
    assert await bot.get_my_commands(language_code="de") == ()
    assert await bot.delete_my_commands(language_code="ru")
    assert ("default", "ru") not in server.commands
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_descriptions_and_menu_button(server: LocalBotApiServer, bot: telegram.Bot) -> None:
    assert await bot.set_my_description("Remote participation for IGF sessions")
    assert await bot.set_my_short_description("Удалённое участие", language_code="ru")
    assert (await bot.get_my_description()).description == "Remote participation for IGF sessions"
    assert server.settings.short_descriptions == {"ru": "Удалённое участие"}
    button = MenuButtonWebApp("Programme", telegram.WebAppInfo("https://igf.example/app"))
    assert await bot.set_chat_menu_button(chat_id=USER, menu_button=button)
    assert server.settings.menu_buttons[USER]["type"] == "web_app"
    assert await bot.get_chat_menu_button(USER) == button
    assert await bot.close() and await bot.log_out()
    assert (server.settings.closed, server.settings.logged_out) == (1, 1)
