"""The HTTP protocol: URLs, tokens, body encodings and Telegram's answer shapes."""

from __future__ import annotations

import json

import httpx
import pytest
import telegram
from localapi_support import TOKEN, USER, call

from localapi import LocalBotApiServer


async def test_get_me_through_ptb(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "remotehub_test_bot", True)
    assert me.can_join_groups is True
    assert me.can_read_all_group_messages is False


async def test_bot_identity_is_configurable() -> None:
    async with (
        LocalBotApiServer(
            "777:XYZ", bot_username="other_bot", bot_first_name="Other", can_join_groups=False
        ) as server,
        telegram.Bot("777:XYZ", base_url=server.base_url) as bot,
    ):
        me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.can_join_groups) == (
        777,
        "other_bot",
        "Other",
        False,
    )


async def test_unknown_token_answers_401_like_telegram(
    server: LocalBotApiServer, http: httpx.AsyncClient
) -> None:
    response = await http.post("/bot999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    wrong = telegram.Bot("999:WRONG", base_url=server.base_url)
    with pytest.raises(telegram.error.InvalidToken):
        await wrong.initialize()
    await wrong.shutdown()


async def test_unknown_method_answers_404(http: httpx.AsyncClient) -> None:
    response = await call(http, "sendTelepathy", chat_id=USER)
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_are_case_insensitive(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/bot{TOKEN}/GETME")
    assert response.status_code == 200
    assert response.json()["result"]["username"] == "remotehub_test_bot"


@pytest.mark.parametrize("encoding", ["json", "form", "query", "multipart"])
async def test_every_body_encoding_sends_the_same_message(
    server: LocalBotApiServer, http: httpx.AsyncClient, encoding: str
) -> None:
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    params = {"chat_id": str(USER), "text": "Hi <b>there</b>", "parse_mode": "HTML"}
    url = f"/bot{TOKEN}/sendMessage"
    if encoding == "json":
        response = await http.post(url, json={**params, "chat_id": USER, "reply_markup": markup})
    elif encoding == "form":
        response = await http.post(url, data={**params, "reply_markup": json.dumps(markup)})
    elif encoding == "query":
        response = await http.get(url, params={**params, "reply_markup": json.dumps(markup)})
    else:
        response = await http.post(
            url,
            data={**params, "reply_markup": json.dumps(markup)},
            files={"unused": ("x.txt", b"x")},
        )
    body = response.json()
    assert response.status_code == 200, body
    assert body["ok"] is True
    result = body["result"]
    assert result["text"] == "Hi there"
    assert result["entities"] == [{"type": "bold", "offset": 3, "length": 5}]
    assert result["reply_markup"] == markup
    assert result["chat"] == {"id": USER, "type": "private", "first_name": "Ada", "username": "ada"}
    assert result["from"]["id"] == 123456 and result["from"]["is_bot"] is True
    sent = server.sent[-1]
    assert (sent.text, sent.source_text, sent.parse_mode) == ("Hi there", params["text"], "HTML")
    assert sent.reply_markup == markup


async def test_message_ids_grow_per_chat_and_carry_a_date(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    first = await bot.send_message(USER, "one")
    second = await bot.send_message(USER, "two")
    assert second.message_id == first.message_id + 1
    assert first.date.timestamp() > 1_600_000_000
    assert [m.text for m in server.messages_to(USER)] == ["one", "two"]


async def test_requests_are_logged_with_status(
    server: LocalBotApiServer, bot: telegram.Bot
) -> None:
    await bot.send_message(USER, "logged")
    with pytest.raises(telegram.error.BadRequest):
        await bot.send_message(USER, "")
    records = server.requests_for("sendMessage")
    assert [r.status for r in records] == [200, 400]
    assert records[0].params["text"] == "logged"
    assert records[1].description == "Bad Request: message text is empty"


async def test_restart_picks_a_port_again_and_stops_cleanly() -> None:
    server = LocalBotApiServer(TOKEN)
    root = await server.start()
    assert root.startswith("http://127.0.0.1:")
    assert await server.start() == root  # idempotent
    await server.stop()
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"{root}/bot{TOKEN}/getMe")
