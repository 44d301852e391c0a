"""Sending, editing and deleting messages, with Telegram's checks and error answers."""

from __future__ import annotations

import httpx
import pytest
import telegram
from localapi_support import GROUP, OTHER_USER, USER, call
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden

from localapi import LocalBotApiServer


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


async def test_html_round_trip_keeps_text_entities_and_markup(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    html = (
        '<b>Session</b> <i>starts</i> at <a href="https://igf.example/s/1">10:00</a> '
        '&lt;room&gt; <code>A&amp;B</code>\n<pre><code class="language-python">x = 1</code></pre>'
    )
    message = await bot.send_message(
        USER,
        html,
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard("join", "skip"),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert message.text == "Session starts at 10:00 <room> A&B\nx = 1"
    kinds = [(e.type, e.offset, e.length) for e in message.entities]
    assert kinds == [
        ("bold", 0, 7),
        ("italic", 8, 6),
        ("text_link", 18, 5),
        ("code", 31, 3),
        ("pre", 35, 5),
    ]
    assert message.entities[2].url == "https://igf.example/s/1"
    assert message.entities[4].language == "python"
    assert message.reply_markup == keyboard("join", "skip")
    stored = server.sent[-1]
    assert stored.source_text == html and stored.parse_mode == "HTML"
    assert stored.callback_data == ["join", "skip"]
    assert stored.link_preview_options == {"is_disabled": True}


async def test_length_limit_counts_utf16_after_entity_parsing(bot: telegram.Bot) -> None:
    await bot.send_message(USER, "x" * 4096)
    await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    await bot.send_message(USER, "😀" * 2048)  # two UTF-16 code units each: exactly 4096
    for too_long in ("x" * 4097, "😀" * 2048 + "x"):
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(USER, too_long)


async def test_too_long_and_empty_answers_are_worded_like_telegram(
    http: httpx.AsyncClient,
) -> None:
    response = await call(http, "sendMessage", chat_id=USER, text="y" * 4097)
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message is too long",
    }
    for empty in ("", "   \n ", "<b></b>"):
        response = await call(http, "sendMessage", chat_id=USER, text=empty, parse_mode="HTML")
        assert response.json()["description"] == "Bad Request: message text is empty"


async def test_callback_data_over_64_bytes_is_refused(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard("x" * 64))
    await bot.send_message(USER, "ok", reply_markup=keyboard("й" * 32))  # 64 bytes
    for data in ("x" * 65, "й" * 33):
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            await bot.send_message(USER, "no", reply_markup=keyboard(data))
    assert len(server.sent) == 2


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("Hello <foo>", 'Unsupported start tag "foo" at byte offset 6'),
        ("Привет, <sup>2</sup>", 'Unsupported start tag "sup" at byte offset 14'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("ends with <b", "Unclosed start tag at byte offset 10"),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_refused_with_tdlib_wording(
    http: httpx.AsyncClient, bot: telegram.Bot, html: str, detail: str
) -> None:
    response = await call(http, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert response.status_code == 400
    assert response.json()["description"] == f"Bad Request: can't parse entities: {detail}"
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(USER, html, parse_mode=ParseMode.HTML)


async def test_html_allows_what_telegram_allows(bot: telegram.Bot) -> None:
    allowed = (
        "<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>"
        '<span class="tg-spoiler">h</span><tg-spoiler>i</tg-spoiler><blockquote expandable>j'
        '</blockquote><tg-emoji emoji-id="5368324170671202286">k</tg-emoji> &quot;&#65;&#x42;"'
        " AT&T > 1"
    )
    message = await bot.send_message(USER, allowed, parse_mode=ParseMode.HTML)
    assert message.text == 'abcdefghijk "AB" AT&T > 1'
    assert {e.type for e in message.entities} >= {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "expandable_blockquote",
        "custom_emoji",
    }


async def test_strict_html_refuses_a_bare_ampersand() -> None:
    async with LocalBotApiServer("1:A", strict_html=True) as server:
        server.add_user(USER, "Ada")
        async with telegram.Bot("1:A", base_url=server.base_url) as bot:
            with pytest.raises(BadRequest, match=r"(?i)does not start an html entity"):
                await bot.send_message(USER, "AT&T", parse_mode=ParseMode.HTML)
            await bot.send_message(USER, "AT&amp;T", parse_mode=ParseMode.HTML)


async def test_markdown_v2_reserved_characters_must_be_escaped(
    http: httpx.AsyncClient, bot: telegram.Bot
) -> None:
    response = await call(
        http, "sendMessage", chat_id=USER, text="Starts at 10.00", parse_mode="MarkdownV2"
    )
    assert response.json()["description"] == (
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
        "with the preceding '\\'"
    )
    message = await bot.send_message(
        USER, r"*Starts* at 10\.00 \(UTC\)", parse_mode=ParseMode.MARKDOWN_V2
    )
    assert message.text == "Starts at 10.00 (UTC)"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 6)]


async def test_edit_text_updates_the_record_and_keeps_history(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "Question 1: <b>open</b>", parse_mode="HTML")
    edited = await bot.edit_message_text(
        "Question 1: <b>answered</b>",
        chat_id=USER,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard("next"),
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Question 1: answered" and edited.edit_date is not None
    record = server.sent[-1]
    assert record.message_id == sent.message_id and len(server.sent) == 1
    assert record.text == "Question 1: answered" and record.callback_data == ["next"]
    assert [(h.text, h.reply_markup) for h in record.edits] == [("Question 1: open", None)]


async def test_edit_text_without_markup_drops_the_keyboard(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "Vote", reply_markup=keyboard("up"))
    edited = await bot.edit_message_text("Vote closed", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, telegram.Message)
    assert edited.reply_markup is None
    assert server.sent[-1].reply_markup is None


async def test_edits_that_change_nothing_are_refused(
    http: httpx.AsyncClient, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "Vote", reply_markup=keyboard("up"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard("up"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "Vote", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard("up")
        )
    response = await call(
        http,
        "editMessageReplyMarkup",
        chat_id=USER,
        message_id=sent.message_id,
        reply_markup=keyboard("up").to_dict(),
    )
    assert response.json()["description"] == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    changed = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)
    assert isinstance(changed, telegram.Message) and changed.reply_markup is None


async def test_edit_and_delete_unknown_messages(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, 999)


async def test_delete_marks_the_message_deleted(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    sent = await bot.send_message(USER, "temporary")
    assert await bot.delete_message(USER, sent.message_id) is True
    assert server.sent[-1].deleted
    assert server.messages_to(USER) == []
    assert len(server.messages_to(USER, include_deleted=True)) == 1
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


async def test_reply_parameters(server: LocalBotApiServer, bot: telegram.Bot) -> None:
    question = server.send_text(USER, "When is the break?")
    answer = await bot.send_message(
        USER, "At 11:00", reply_parameters=ReplyParameters(question["message_id"])
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "When is the break?"
    assert server.sent[-1].reply_to_message_id == question["message_id"]
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(9999))
    lenient = ReplyParameters(9999, allow_sending_without_reply=True)
    assert (await bot.send_message(USER, "x", reply_parameters=lenient)).reply_to_message is None


async def test_unknown_chat_is_not_found(http: httpx.AsyncClient, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(555, "hello?")
    response = await call(http, "sendMessage", chat_id=555, text="x")
    assert response.json()["description"] == "Bad Request: chat not found"


async def test_a_user_who_wrote_is_known(server: LocalBotApiServer, bot: telegram.Bot) -> None:
    server.send_text(777, "/start")
    assert (await bot.send_message(777, "Welcome")).chat.id == 777


async def test_blocked_and_deactivated_users_answer_403(
    server: LocalBotApiServer, http: httpx.AsyncClient, bot: telegram.Bot
) -> None:
    server.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "still there?")
    response = await call(http, "sendMessage", chat_id=USER, text="x")
    assert response.status_code == 403
    assert response.json() == {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    server.unblock(USER)
    await bot.send_message(USER, "welcome back")
    server.deactivate(OTHER_USER)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(OTHER_USER, "x")


async def test_kicked_from_groups(server: LocalBotApiServer, bot: telegram.Bot) -> None:
    server.add_group(-42, "Small group", type="group")
    server.kick(-42)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(-42, "hi")
    server.kick(GROUP)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "hi")
    server.rejoin(GROUP)
    await bot.send_message(GROUP, "back")


async def test_migrated_group_answers_with_the_new_id(
    server: LocalBotApiServer, http: httpx.AsyncClient, bot: telegram.Bot
) -> None:
    server.add_group(-4242, "Workshop", type="group")
    server.migrate_chat(-4242, -1009999999999)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(-4242, "hello")
    assert caught.value.new_chat_id == -1009999999999
    response = await call(http, "sendMessage", chat_id=-4242, text="x")
    assert response.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": -1009999999999},
    }
    moved = await bot.send_message(-1009999999999, "hello again")
    assert moved.chat.type == "supergroup" and moved.chat.title == "Workshop"


async def test_channel_posts_come_from_the_channel(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    server.add_channel(-1005555555555, "IGF News", username="igfnews")
    post = await bot.send_message("@igfnews", "Programme updated")
    assert post.chat.id == -1005555555555 and post.sender_chat is not None
    assert post.from_user is None


async def test_send_chat_action_checks_the_chat(bot: telegram.Bot) -> None:
    assert await bot.send_chat_action(USER, "typing") is True
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_chat_action(555, "typing")
