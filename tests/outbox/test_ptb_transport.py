"""``PtbTransport`` against the local Bot API server: methods, files and error mapping."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot.outbox.ptb_transport import PtbTransport
from bot.outbox.transport import (
    ChatMoved,
    ChatUnreachable,
    PermanentFailure,
    RetryLater,
    TransientFailure,
    attachment,
)
from localapi import LocalBotApiServer

pytestmark = pytest.mark.e2e
USER = 5001
GROUP = -4001


@pytest.fixture
def transport(api_server: LocalBotApiServer, api_bot: Bot) -> PtbTransport:
    api_server.add_user(USER, "Ada")
    api_server.add_group(GROUP, "Room 1", type="group")
    return PtbTransport(api_bot)


KEYBOARD = {"inline_keyboard": [[{"text": "Remind me", "callback_data": "sub:1"}]]}


async def test_send_edit_and_delete_a_message(
    api_server: LocalBotApiServer, transport: PtbTransport
) -> None:
    payload = {
        "chat_id": USER,
        "text": "<b>Opening</b> at 10:00",
        "parse_mode": "HTML",
        "reply_markup": KEYBOARD,
        "link_preview_options": {"is_disabled": True},
    }
    message_id = await transport.call("sendMessage", payload)
    assert message_id is not None
    stored = api_server.message(USER, message_id)
    assert stored is not None and stored.text == "Opening at 10:00"
    assert stored.reply_markup == KEYBOARD

    edit = {"chat_id": USER, "message_id": message_id, "text": "Moved to 11:00"}
    assert await transport.call("editMessageText", edit) == message_id
    # Telegram's "message is not modified" means the wanted state is there: success.
    assert await transport.call("editMessageText", edit) is None
    markup = {"chat_id": USER, "message_id": message_id, "reply_markup": {"inline_keyboard": []}}
    assert await transport.call("editMessageReplyMarkup", markup) == message_id

    delete = {"chat_id": USER, "message_id": message_id}
    assert await transport.call("deleteMessage", delete) is None
    assert await transport.call("deleteMessage", delete) is None  # already gone: done


async def test_document_and_photo_travel_as_base64_attachments(
    api_server: LocalBotApiServer, transport: PtbTransport
) -> None:
    data = b"id,question\n1,Why?\n"
    payload = {"chat_id": USER, "document": attachment(data, "questions.csv"), "caption": "Q&A"}
    message_id = await transport.call("sendDocument", payload)
    assert message_id is not None
    stored = api_server.message(USER, message_id)
    assert stored is not None and stored.caption == "Q&A"
    [sent] = api_server.messages_to(USER)
    assert sent.method.lower() == "senddocument"
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
    photo = {"chat_id": USER, "photo": attachment(png, "qr.png")}
    assert await transport.call("sendPhoto", photo) is not None


async def test_blocked_kicked_and_unknown_chats_are_unreachable(
    api_server: LocalBotApiServer, transport: PtbTransport
) -> None:
    api_server.block(USER)
    with pytest.raises(ChatUnreachable, match=r"(?i)blocked"):
        await transport.call("sendMessage", {"chat_id": USER, "text": "hi"})
    api_server.kick(GROUP)
    with pytest.raises(ChatUnreachable, match=r"(?i)kicked"):
        await transport.call("sendMessage", {"chat_id": GROUP, "text": "hi"})
    with pytest.raises(ChatUnreachable, match=r"(?i)chat not found"):
        await transport.call("sendMessage", {"chat_id": 777, "text": "hi"})


async def test_migration_flood_control_outage_and_bad_requests(
    api_server: LocalBotApiServer, transport: PtbTransport
) -> None:
    api_server.migrate_chat(GROUP, -100_4001)
    with pytest.raises(ChatMoved) as moved:
        await transport.call("sendMessage", {"chat_id": GROUP, "text": "hi"})
    assert moved.value.new_chat_id == -100_4001

    api_server.fail_next(1, 429, retry_after=7)
    with pytest.raises(RetryLater) as flood:
        await transport.call("sendMessage", {"chat_id": USER, "text": "hi"})
    assert flood.value.seconds == 7

    for status, proxy in ((502, True), (500, False), (503, False)):
        api_server.fail_next(1, status, proxy=proxy)
        with pytest.raises(TransientFailure):
            await transport.call("sendMessage", {"chat_id": USER, "text": "hi"})

    with pytest.raises(PermanentFailure, match=r"(?i)parse entities"):
        await transport.call(
            "sendMessage", {"chat_id": USER, "text": "<b>open", "parse_mode": "HTML"}
        )
    with pytest.raises(PermanentFailure, match="lacks text"):
        await transport.call("sendMessage", {"chat_id": USER})
    with pytest.raises(PermanentFailure, match="unsupported"):
        await transport.call("sendSticker", {"chat_id": USER})


async def test_the_token_never_appears_in_error_texts(api_server: LocalBotApiServer) -> None:
    bot = Bot("999:not-the-servers-token", base_url=api_server.base_url)
    transport = PtbTransport(bot)
    with pytest.raises(TransientFailure) as failure:  # a revoked token: keep the queue
        await transport.call("sendMessage", {"chat_id": USER, "text": "hi"})
    await bot.shutdown()
    assert "not-the-servers-token" not in failure.value.description
