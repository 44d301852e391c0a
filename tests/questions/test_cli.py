"""``remotehub export`` and ``remotehub qr`` against a real database (both backends)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from bot.links import ask_link
from bot.questions.qr import qr_png
from localapi import LocalBotApiServer
from storage.db import Database
from tests.conftest import PROJECT_ROOT
from tests.harness import BOT_USERNAME, TOKEN, BotHarness

from .support import Acks, add_session, asker, make_relay


async def _cli(database: Database, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(PROJECT_ROOT),
            "REMOTEHUB_DATABASE_URL": database.url,
            **env,
        },
        check=False,
    )


async def _session_with_questions(database: Database) -> int:
    session_id = await add_session(database, key="igf2026-ws-42")
    relay = make_relay(database)
    for user, text in [(1, "How do libraries use AI?"), (2, "Как финансируются хабы?")]:
        await relay.asking.submit(asker(user), session_id, text, None, Acks())
    question = await relay.moderation.claim_next(session_id, 900)
    assert question is not None
    await relay.moderation.mark_answered(question.id, 900)
    return session_id


async def test_export_by_key_and_by_id_in_every_format(database: Database) -> None:
    session_id = await _session_with_questions(database)
    as_csv = await _cli(database, "export", "--session", "igf2026-ws-42", "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(row["number"], row["status"]) for row in rows] == [("1", "answered"), ("2", "waiting")]
    as_json = await _cli(database, "export", "--session", str(session_id), "--format", "json")
    assert json.loads(as_json.stdout)["counts"]["answered"] == 1
    as_md = await _cli(
        database, "export", "--session", str(session_id), "--format", "md", "--language", "ru"
    )
    assert "| Задано | 2 |" in as_md.stdout and "| Отвечено | 1 |" in as_md.stdout


async def test_export_of_an_unknown_session_says_so(database: Database) -> None:
    result = await _cli(database, "export", "--session", "nope")
    assert result.returncode == 1
    assert result.stderr.strip() == "remotehub: export: no session with id or key 'nope'"


async def test_qr_writes_the_asking_link(database: Database, tmp_path: Path) -> None:
    session_id = await add_session(database, key="ws-7")
    output = tmp_path / "qr.png"
    result = await _cli(database, "qr", "ws-7", "--output", str(output), "--bot", "igf_bot")
    assert result.returncode == 0, result.stderr
    link = ask_link("igf_bot", session_id)
    assert result.stdout.strip() == f"{output}: {link}"
    assert output.read_bytes() == qr_png(link)


async def test_qr_asks_the_bot_api_for_the_name(database: Database, tmp_path: Path) -> None:
    session_id = await add_session(database, key="ws-8")
    async with LocalBotApiServer(TOKEN, bot_username=BOT_USERNAME) as api:
        result = await _cli(
            database,
            "qr",
            str(session_id),
            "--output",
            str(tmp_path / "qr.png"),
            REMOTEHUB_TOKEN=TOKEN,
            REMOTEHUB_API_URL=api.root,
        )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"https://t.me/{BOT_USERNAME}?start=ask_{session_id}")


async def test_qr_offline_uses_the_name_the_bot_stored_on_start(
    bot: BotHarness, database: Database, tmp_path: Path
) -> None:
    session_id = await add_session(database, key="ws-9")
    await bot.stop()  # it has started once: the Bot API is no longer needed
    result = await _cli(database, "qr", "ws-9", "--output", str(tmp_path / "qr.png"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"https://t.me/{BOT_USERNAME}?start=ask_{session_id}")


async def test_qr_offline_takes_bot_username_from_the_config(
    database: Database, tmp_path: Path
) -> None:
    session_id = await add_session(database, key="ws-10")
    result = await _cli(
        database, "qr", "ws-10", "--output", str(tmp_path / "q.png"),
        REMOTEHUB_BOT_USERNAME="@igf_hub_bot",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"https://t.me/igf_hub_bot?start=ask_{session_id}")
    unknown = await _cli(database, "qr", "ws-10", "--output", str(tmp_path / "q.png"))
    assert unknown.returncode == 2
    (line,) = unknown.stderr.splitlines()
    assert "bot_username" in line and "--bot" in line
