"""``remotehub demo`` end to end, as a user runs it: three real processes at once (English with
--keep, Russian with --keep, --interactive fed through a pipe), each against its own local
Bot API server, checked against what they left behind: the database, the export, the
transcript."""

from __future__ import annotations

import base64
import html
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.demo.cast import make_cast
from tests.markdown_render import shown_blocks

pytestmark = pytest.mark.e2e

RUN_SECONDS = 180  # the fast mode takes about a minute (the clock stands while the bot works)
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
BOT_LINE = re.compile(r"^\d\d:\d\d  bot (→|✎) (.+?): (.*)$")
KEYBOARD_LINES = ["/start", "/sessions", "2", "1", "/settings tz Europe/Berlin"]


@dataclass
class DemoRun:
    """One ``remotehub demo`` process; output goes to files (no pipe can fill up)."""

    process: subprocess.Popen[bytes]
    out_path: Path
    err_path: Path
    keep: Path | None

    def finish(self) -> tuple[int, str, str]:
        code = self.process.wait(timeout=RUN_SECONDS)
        return code, self.out_path.read_text("utf-8"), self.err_path.read_text("utf-8")


def _start(base: Path, name: str, args: list[str], env: dict[str, str], keys: str = "") -> DemoRun:
    out_path, err_path = base / f"{name}.out", base / f"{name}.err"
    keep = base / name if "--keep" in args else None
    command = [sys.executable, "-m", "bot.cli", "demo", "--fast", *args]
    if keep is not None:
        command[command.index("--keep") + 1] = str(keep)
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=out, stderr=err, env=env, cwd=base
        )
    assert process.stdin is not None
    process.stdin.write(keys.encode())
    process.stdin.close()  # the end of input: the keyboard closes after the last line
    return DemoRun(process, out_path, err_path, keep)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DemoRun]]:
    base = tmp_path_factory.mktemp("demo")
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMOTEHUB_")}
    # A real deployment's settings left in the environment must not reach a rehearsal.
    env["REMOTEHUB_DATABASE_URL"] = f"sqlite+aiosqlite:///{base / 'production.db'}"
    env["REMOTEHUB_TOKEN"] = "999:PRODUCTION"
    env["REMOTEHUB_API_URL"] = "http://192.0.2.1:9"
    started = {
        "en": _start(base, "en", ["--keep", "KEEP"], env),
        "ru": _start(base, "ru", ["--lang", "ru", "--keep", "KEEP"], env),
        "keyboard": _start(base, "keyboard", ["--interactive"], env, "\n".join(KEYBOARD_LINES)),
    }
    try:
        yield started
    finally:
        for run in started.values():
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait(timeout=10)


def _figures(out: str) -> list[int]:
    """The numbers of the summary line (the last line): sessions, IFLA, messages, questions,
    reminders, seconds, in both languages."""
    return [int(number) for number in re.findall(r"\d+", out.strip().splitlines()[-1])]


def _count(db: sqlite3.Connection, sql: str, *params: object) -> int:
    return int(db.execute(sql, params).fetchone()[0])


def _visible(text: str) -> str:
    """What Telegram shows of an HTML text, on one line (how the transcript prints it)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def test_demo_ends_well_and_its_summary_is_the_database(runs: dict[str, DemoRun]) -> None:
    run = runs["en"]
    code, out, err = run.finish()
    assert code == 0, f"{out[-3000:]}\n{err[-3000:]}"
    assert "Traceback" not in err and "gave up" not in out
    assert run.keep is not None
    summary = json.loads((run.keep / "summary.json").read_text())
    sessions, ifla, messages, questions, reminders, _seconds = _figures(out)
    with sqlite3.connect(run.keep / "remotehub.db") as db:
        sent = "FROM outbox WHERE status = 'sent'"
        assert sessions == _count(db, "SELECT count(*) FROM sessions WHERE vanished = 0") > 0
        assert ifla == _count(db, "SELECT count(*) FROM sessions WHERE is_ifla = 1") > 0
        assert messages == _count(db, f"SELECT count(*) {sent} AND method NOT LIKE 'editMessage%'")
        assert questions == _count(db, "SELECT count(*) FROM questions") > 0
        assert reminders == _count(db, f"SELECT count(*) {sent} AND kind = 'reminder'") > 0
        answered = _count(db, "SELECT count(*) FROM questions WHERE status = 'answered'")
        rejected = _count(db, "SELECT count(*) FROM questions WHERE status = 'rejected'")
    # The server saw exactly the messages the outbox says it sent.
    assert summary["messages"] == messages == summary["messages_on_server"]
    assert [summary[key] for key in ("sessions", "questions", "reminders")] == [
        sessions,
        questions,
        reminders,
    ]
    # The export the moderator got, kept as sent, is the report printed; its counts are the DB's.
    (report_path,) = run.keep.glob("questions-session-*.md")
    report = report_path.read_text("utf-8")
    # The last screen is the report rendered, as a reader of the file sees it.
    screen = out.split("== The moderator's export report")[1]
    title = shown_blocks(report)[0]
    assert title[0] == "heading" and title[1] in screen
    assert not [mark for mark in ("\\(", "\\!", "\\-", "\\.", "|---", "\n# ") if mark in screen]
    assert "\n> " in report and "\n▌ " in screen  # the questions are quotes in both
    assert f"| Answered | {answered} |" in report and f"| Rejected | {rejected} |" in report
    assert not (run.keep.parent / "production.db").exists()


def test_every_bot_line_shown_came_from_the_bot(runs: dict[str, DemoRun]) -> None:
    """Each "bot → X" line of the transcript is a message the outbox sent to X's chat."""
    run = runs["en"]
    code, _out, _err = run.finish()
    assert code == 0 and run.keep is not None
    cast = make_cast("en")
    chats = {person.label: person.user_id for person in cast.people}
    chats[cast.hub.label] = cast.hub.chat_id
    chats[cast.channel.label] = cast.channel.chat_id
    with sqlite3.connect(run.keep / "remotehub.db") as db:
        rows = db.execute("SELECT chat_id, method, payload FROM outbox WHERE status = 'sent'")
        sent: dict[int, list[str]] = {}
        for chat_id, method, payload in rows:
            data = json.loads(payload)
            if method == "sendDocument":
                name = data["document"]["filename"]
                shown = f"📎 {name} · {_visible(data.get('caption', ''))}"
            else:
                shown = _visible(data.get("text") or data.get("caption") or "")
            sent.setdefault(chat_id, []).append(shown)
    lines = (run.keep / "transcript.txt").read_text("utf-8").splitlines()
    checked = 0
    for line in lines:
        match = BOT_LINE.match(line)
        if match is None:
            continue
        _arrow, who, text = match.groups()
        shown = text.removesuffix("…")
        assert any(body.startswith(shown) for body in sent[chats[who]]), line
        checked += 1
    assert checked >= 20
    welcome = next(line for line in lines if line[7:].startswith("bot → Anna (Paris):"))
    assert "Hello, Anna" in welcome and not CYRILLIC.search(welcome)


def test_russian_mode_speaks_russian(runs: dict[str, DemoRun]) -> None:
    run = runs["ru"]
    code, out, err = run.finish()
    assert code == 0, f"{out[-3000:]}\n{err[-3000:]}"
    lines = out.splitlines()
    for who in ("Anna (Paris)", "Beatriz (São Paulo)", "Layla (moderator, Riyadh)"):
        to_them = [line for line in lines if line[7:].startswith(f"bot → {who}:")]
        asked = [line for line in lines if line[7:].startswith(f"{who} → bot: /ask ")]
        assert to_them and all(CYRILLIC.search(line) for line in to_them), who
        assert all(CYRILLIC.search(line) for line in asked), who
    channel = [line for line in lines if line[7:].startswith("bot → #forum_announce:")]
    assert channel and all(CYRILLIC.search(line) for line in channel)
    welcome = next(line for line in lines if line[7:].startswith("bot → Anna (Paris):"))
    assert "Здравствуйте, Anna" in welcome
    assert lines[-1].startswith("Репетиция окончена")
    assert run.keep is not None
    with sqlite3.connect(run.keep / "remotehub.db") as db:
        (document,) = db.execute(
            "SELECT payload FROM outbox WHERE method = 'sendDocument' AND status = 'sent' "
            "AND payload LIKE '%.md%'"
        ).fetchone()
    report = base64.b64decode(json.loads(document)["document"]["base64"]).decode("utf-8")
    assert CYRILLIC.search(report.splitlines()[0])


def test_interactive_mode_through_a_pipe(runs: dict[str, DemoRun]) -> None:
    code, out, err = runs["keyboard"].finish()
    assert code == 0, f"{out[-3000:]}\n{err[-3000:]}"
    lines = out.splitlines()
    you = "You (keyboard)"
    said = [line[7:] for line in lines if line[7:].startswith(f"{you} → bot: ")]
    assert said == [f"{you} → bot: {text}" for text in KEYBOARD_LINES if not text.isdigit()]
    # Their own conversation is shown whole, each message numbered, each button N.M.
    answers = [
        line for line in lines if re.match(rf"bot (→|✎) {re.escape(you)} \[\d+\]: ", line[7:])
    ]
    assert len(answers) >= 3  # welcome, the programme, the card
    choices = [line for line in lines if re.match(r"       ↳ \d+\.1\) ", line)]
    pressed = [line for line in lines if line[7:].startswith(f"{you} presses [")]
    assert choices and len(pressed) == 2
    assert not [line for line in lines if "no button" in line or "no message" in line]
    assert any("The keyboard is closed" in line for line in lines)
    assert "Rehearsal over" in lines[-1]


def test_the_demo_prints_its_console_and_wall_links(runs: dict[str, DemoRun]) -> None:
    for name in ("en", "ru"):
        _code, out, _err = runs[name].finish()
        assert re.search(r"http://127\.0\.0\.1:\d+/signin/[\w-]{40,}$", out, re.MULTILINE), out
        wall = r"http://127\.0\.0\.1:\d+/wall/[\w-]{30,}\?lang=" + name + "$"
        assert re.search(wall, out, re.MULTILINE), out
