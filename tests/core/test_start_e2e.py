"""The foundation end to end: the real bot against the local Bot API server."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

from tests.harness import BotHarness, BotProcess

ADMIN, MODERATOR, ANNA, IVAN = 1001, 1002, 2001, 2002


async def _start_bot(bot_harness: BotHarness) -> Any:
    server = bot_harness.server
    bot_harness.overrides = {"admins": [ADMIN], "moderators": [MODERATOR]}
    for user_id, name, language in [
        (ADMIN, "Ada", "en"),
        (MODERATOR, "Mo", "en"),
        (ANNA, "Anna", "en"),
        (IVAN, "Иван", "ru"),
    ]:
        server.add_user(user_id, name, language_code=language)
    await bot_harness.start()
    return server


async def test_start_answers_in_english_and_russian(bot_harness: BotHarness) -> None:
    server = await _start_bot(bot_harness)
    server.send_text(ANNA, "/start")
    server.send_text(IVAN, "/start")
    english = await server.wait_for(chat_id=ANNA)
    russian = await server.wait_for(chat_id=IVAN)
    assert "Hello, Anna" in english.text and "/help" in english.text
    assert "Здравствуйте, Иван" in russian.text and "/lang" in russian.text
    assert "For moderators" not in english.text


async def test_help_lists_commands_for_the_role(bot_harness: BotHarness) -> None:
    server = await _start_bot(bot_harness)
    for user_id in (ANNA, MODERATOR, ADMIN):
        server.send_text(user_id, "/help")
    participant = await server.wait_for(chat_id=ANNA)
    moderator = await server.wait_for(chat_id=MODERATOR)
    admin = await server.wait_for(chat_id=ADMIN)
    assert "For moderators" not in participant.text and "For organisers" not in participant.text
    assert "For organisers" not in moderator.text
    assert "/lang" in admin.text


async def test_commands_are_published_per_scope_and_language(bot_harness: BotHarness) -> None:
    server = await _start_bot(bot_harness)
    participant_en = server.commands_for("all_private_chats", "")
    assert {"start", "help", "lang"} <= set(participant_en)
    assert server.commands_for("all_private_chats", "ru") == participant_en
    english = server.commands[("all_private_chats", "")]
    russian = server.commands[("all_private_chats", "ru")]
    assert english[0]["description"] != russian[0]["description"]


async def test_lang_switches_language_in_place(bot_harness: BotHarness) -> None:
    server = await _start_bot(bot_harness)
    server.send_text(ANNA, "/lang")
    menu = await server.wait_for(chat_id=ANNA)
    server.press_button(ANNA, menu.message_id, "lang:ru")
    await server.wait_for(lambda m: m.message_id == menu.message_id and "по-русски" in m.text)
    server.send_text(ANNA, "/start")
    welcome = await server.wait_for(lambda m: "Здравствуйте" in m.text, chat_id=ANNA)
    assert "Anna" in welcome.text


async def test_forged_language_button_changes_nothing(bot_harness: BotHarness) -> None:
    server = await _start_bot(bot_harness)
    server.send_text(ANNA, "/lang")
    menu = await server.wait_for(chat_id=ANNA)
    server.press_button(ANNA, menu.message_id, "lang:xx", check=False)
    await server.wait_until(lambda: len(server.callback_answers) == 1)
    server.send_text(ANNA, "/start")
    welcome = await server.wait_for(lambda m: "Hello" in m.text, chat_id=ANNA)
    assert welcome is not None


async def test_unknown_command_gets_a_polite_answer(bot_harness: BotHarness) -> None:
    server = await _start_bot(bot_harness)
    server.send_text(IVAN, "/frobnicate")
    answer = await server.wait_for(chat_id=IVAN)
    assert "не знаю такой команды" in answer.text


async def test_sigterm_stops_the_process_cleanly(local_api: Any, tmp_path: Path) -> None:
    local_api.add_user(ANNA, "Anna")
    process = BotProcess(local_api.root, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    process.start(tmp_path / "bot.log")
    try:
        local_api.send_text(ANNA, "/start")
        await local_api.wait_for(chat_id=ANNA, timeout=30)
        process.signal(signal.SIGTERM)
        code = await process.wait(timeout=30)
    finally:
        if process.process and process.process.poll() is None:
            process.kill()
    output = process.output()
    assert code == 0, output
    assert "Traceback" not in output
    assert "TEST-token" not in output  # the token never reaches the log
    await asyncio.sleep(0)
