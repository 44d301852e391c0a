"""Updates: long polling, offsets, allowed_updates, and what users do, parsed by PTB."""

from __future__ import annotations

import asyncio
import time

import pytest
import telegram
from localapi_support import GROUP, OTHER_USER, TOKEN, USER, make_bot
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from localapi import LocalBotApiServer


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    async def user_writes_later() -> None:
        await asyncio.sleep(0.2)
        server.send_text(USER, "hello")

    writer = asyncio.create_task(user_writes_later())
    started = time.monotonic()
    updates = await bot.get_updates(timeout=10)
    elapsed = time.monotonic() - started
    await writer
    assert 0.15 < elapsed < 2.0
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_long_poll_times_out_empty(bot: telegram.Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert time.monotonic() - started >= 0.25


async def test_offsets_confirm_and_drop_updates(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    for text in ("one", "two", "three"):
        server.send_text(USER, text)
    first = await bot.get_updates()
    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    again = await bot.get_updates()  # nothing confirmed yet
    assert [u.update_id for u in again] == [u.update_id for u in first]
    rest = await bot.get_updates(offset=first[1].update_id)
    assert [u.message.text for u in rest if u.message] == ["two", "three"]
    assert len(server.pending_updates) == 2
    limited = await bot.get_updates(limit=1)
    assert len(limited) == 1
    assert await bot.get_updates(offset=first[-1].update_id + 1) == ()
    assert server.pending_updates == []


async def test_negative_offset_keeps_the_last_updates(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    for text in ("a", "b", "c"):
        server.send_text(USER, text)
    last = await bot.get_updates(offset=-1)
    assert [u.message.text for u in last if u.message] == ["c"]


async def test_allowed_updates_filter_later_updates(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    server.send_text(USER, "ignored")
    sent = await bot.send_message(USER, "pick", reply_markup=_keyboard("a"))
    server.press_button(USER, sent.message_id, "a")
    updates = await bot.get_updates()
    assert [u.callback_query is not None for u in updates] == [True]
    await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=[])
    server.send_text(USER, "delivered again")
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["delivered again"]


async def test_a_second_poll_ends_the_first_with_conflict(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    async with make_bot(server) as other:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(other.get_updates(timeout=0.2))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_webhook_blocks_polling_until_deleted(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    assert await bot.set_webhook("https://bot.example/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example/hook"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_commands_get_bot_command_entities(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.send_text(USER, "/ask When is lunch?")
    server.send_text(OTHER_USER, "/start@remotehub_test_bot", chat_id=GROUP)
    updates = await bot.get_updates()
    private, group = (u.message for u in updates)
    assert private is not None and group is not None
    assert private.parse_entities([telegram.MessageEntity.BOT_COMMAND]) == {
        private.entities[0]: "/ask"
    }
    assert group.chat.type == "supergroup" and group.chat.title == "IGF Room 1"
    assert group.entities[0].type == "bot_command" and group.entities[0].length == 25


async def test_group_privacy_mode_hides_chatter(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.send_text(USER, "just chatting", chat_id=GROUP)
    server.send_text(USER, "/help@someone_else_bot", chat_id=GROUP)
    server.send_text(USER, "/help", chat_id=GROUP)
    server.send_text(USER, "hey @remotehub_test_bot", chat_id=GROUP)
    bot_message = await bot.send_message(GROUP, "Ask your questions")
    server.send_text(USER, "a reply", chat_id=GROUP, reply_to=bot_message.message_id)
    server.send_sticker(USER, chat_id=GROUP)
    texts = [u.message.text for u in await bot.get_updates() if u.message]
    assert texts == ["/help", "hey @remotehub_test_bot", "a reply"]


async def test_a_bot_reading_all_messages_gets_them() -> None:
    async with LocalBotApiServer(TOKEN, can_read_all_group_messages=True) as server:
        server.add_group(GROUP, "Room")
        server.send_text(USER, "just chatting", chat_id=GROUP)
        async with make_bot(server) as bot:
            updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["just chatting"]


async def test_media_without_text_and_user_edits(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.send_sticker(USER, emoji="🎉")
    photo = server.send_photo(USER, caption="the slide")
    voice_json = server.send_voice(USER, duration=7)
    question = server.send_text(USER, "Qustion with typo")
    server.edit_text(USER, question["message_id"], "Question without typo")
    updates = await bot.get_updates()
    sticker, picture, voice, text, edited = updates
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.sticker.emoji == "🎉" and sticker.message.text is None
    assert picture.message is not None and picture.message.caption == "the slide"
    assert picture.message.photo[-1].width == 1
    assert voice.message is not None and voice.message.voice is not None
    assert voice.message.voice.file_id == voice_json["voice"]["file_id"]
    assert voice_json["voice"]["duration"] == 7
    assert text.message is not None and edited.edited_message is not None
    assert edited.edited_message.message_id == text.message.message_id
    assert edited.edited_message.text == "Question without typo"
    file = await bot.get_file(photo["photo"][-1]["file_id"])
    assert bytes(await file.download_as_bytearray()).startswith(b"\x89PNG")


async def test_press_button_delivers_a_callback_query(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "Vote", reply_markup=_keyboard("up", "down"))
    query_id = server.press_button(USER, sent.message_id, "down")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.id == query_id
    assert query.data == "down" and query.from_user.id == USER
    assert isinstance(query.message, telegram.Message)
    assert query.message.message_id == sent.message_id and query.message.text == "Vote"
    assert await query.answer("Counted", show_alert=True)
    answer = server.callback_answers[-1]
    assert (answer.callback_query_id, answer.text, answer.show_alert) == (query_id, "Counted", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_press_button_checks_the_keyboard(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "Vote", reply_markup=_keyboard("up"))
    with pytest.raises(ValueError, match="no button with callback_data 'sideways'"):
        server.press_button(USER, sent.message_id, "sideways")
    with pytest.raises(LookupError):
        server.press_button(USER, 999, "up")


async def test_a_button_on_a_deleted_message_is_inaccessible(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "Vote", reply_markup=_keyboard("up"))
    await bot.delete_message(USER, sent.message_id)
    server.press_button(USER, sent.message_id, "up", check=False)
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    message = update.callback_query.message
    assert message is not None and message.message_id == sent.message_id
    assert not message.is_accessible  # date 0, like Telegram's InaccessibleMessage


async def test_user_blocks_the_bot_with_my_chat_member(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.my_chat_member(USER, "kicked")
    (update,) = await bot.get_updates()
    change = update.my_chat_member
    assert change is not None and change.chat.id == USER
    assert change.old_chat_member.status == "member"
    assert change.new_chat_member.status == "kicked"
    assert change.new_chat_member.user.id == 123456
    with pytest.raises(telegram.error.Forbidden):
        await bot.send_message(USER, "still there?")
    server.send_text(USER, "/start")  # pressing Restart unblocks the bot first
    updates = await bot.get_updates(offset=update.update_id + 1)
    assert updates[0].my_chat_member is not None
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert await bot.send_message(USER, "welcome back")


async def test_leave_chat_sends_my_chat_member(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    assert await bot.leave_chat(GROUP)
    (update,) = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "left"
    with pytest.raises(telegram.error.Forbidden, match="not a member of the supergroup chat"):
        await bot.send_message(GROUP, "hello?")


async def test_migration_announces_both_service_messages(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.add_group(-4242, "Workshop", type="group", creator=OTHER_USER)
    server.migrate_chat(-4242, -1004242424242)
    old, new = (u.message for u in await bot.get_updates())
    assert old is not None and old.migrate_to_chat_id == -1004242424242
    assert new is not None and new.migrate_from_chat_id == -4242


async def test_the_real_application_answers_a_command(server: LocalBotApiServer) -> None:
    """End to end: PTB's Application polls, handles /start and a button, replies."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            "<b>Welcome</b> to the session", reply_markup=_keyboard("remind")
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Reminder set")
        await query.edit_message_text("Reminder set for 10:00")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=5)
        try:
            server.send_text(USER, "/start")
            welcome = await server.wait_for(lambda m: m.chat_id == USER, timeout=5)
            assert welcome.text == "Welcome to the session"
            server.press_button(USER, welcome.message_id, "remind")
            edited = await server.wait_for(lambda m: m.text == "Reminder set for 10:00")
            assert edited is welcome and edited.is_edited
            assert server.callback_answers[-1].text == "Reminder set"
            server.send_text(USER, "ping")
            messages = await server.wait_for_count(USER, 2, timeout=5)
            assert messages[-1].text == "echo: ping"
        finally:
            await application.updater.stop()
            await application.stop()


async def test_wait_for_times_out_with_a_useful_message(server: LocalBotApiServer) -> None:
    with pytest.raises(TimeoutError, match="the bot sent nothing"):
        await server.wait_for(lambda m: True, timeout=0.1)
    with pytest.raises(TimeoutError, match="0 of 3 messages"):
        await server.wait_for_count(USER, 3, timeout=0.1)


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])
