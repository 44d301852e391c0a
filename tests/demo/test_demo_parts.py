"""The rehearsal's pieces on their own: the sample programme through the real parser, the
transcript's lines, the settings that ignore the environment, cues, the demo's texts."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.demo.cast import make_cast
from bot.demo.programme import IFLA_KEYWORDS, SAMPLE_DAY, programme_ical
from bot.demo.setup import demo_settings
from bot.demo.stage import Cues
from bot.demo.transcript import Speaker, Transcript, one_line
from bot.i18n import LANGUAGES, Translator
from bot.ingest.registry import parse_programme
from bot.programme.filter import KeywordMatcher

ROOT = Path(__file__).resolve().parents[2]
VENUE = ZoneInfo("Asia/Riyadh")
DAY = date(2024, 12, 17)  # a day of IGF 2024 in Riyadh
NAMED_IFLA = (
    "Public access to the Internet in libraries",
    "Dynamic Coalition on Public Access in Libraries",
    "Main Session",
)


def test_sample_programme_reads_as_one_forum_day_with_three_ifla_sessions() -> None:
    data = programme_ical(DAY, VENUE, stamp=datetime(2024, 12, 1, tzinfo=UTC))
    parsed = parse_programme(data, format=None, venue_tz=VENUE.key)
    assert parsed.format == "ical" and not parsed.warnings
    assert len(parsed.sessions) == len(SAMPLE_DAY)
    matcher = KeywordMatcher(IFLA_KEYWORDS)
    ifla = [
        s.title
        for s in parsed.sessions
        if matcher.matches(s.title, s.track, s.organiser, s.description)
    ]
    assert len(ifla) == 3
    for title, prefix in zip(sorted(ifla), sorted(NAMED_IFLA), strict=True):
        assert title.startswith(prefix)
    for session in parsed.sessions:
        assert session.start.astimezone(VENUE).date() == DAY
        assert session.webcast_url and session.webcast_url.startswith("https://")
    starts = {s.title: s.start.astimezone(VENUE).strftime("%H:%M") for s in parsed.sessions}
    expected = {s.title: s.start.strftime("%H:%M") for s in SAMPLE_DAY}
    assert starts == expected


def test_plain_transcript_lines() -> None:
    out = io.StringIO()
    moment = datetime(2024, 12, 17, 6, 35, tzinfo=UTC)  # 09:35 in Riyadh
    transcript = Transcript(out, lambda: moment, VENUE)
    anna, hub = Speaker("Anna (Paris)", "cyan"), Speaker("Hub", "magenta")
    transcript.said(anna, None, "/ask How\n  can   libraries help?")
    transcript.said(Speaker("Ivan"), hub, "/ask hello")
    transcript.pressed(anna, None, "🔔 Remind me", "presses")
    transcript.bot_said(anna, "x" * 1000, arrow="✎")
    transcript.in_full(
        anna, 3, "Pick one:\n" + "y" * 300, [("3.1)", "🔔 Remind me"), ("🔗", "Web")]
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "09:35  Anna (Paris) → bot: /ask How can libraries help?"
    assert lines[1] == "09:35  Ivan @ Hub → bot: /ask hello"
    assert lines[2] == "09:35  Anna (Paris) presses [🔔 Remind me]"
    assert lines[3].startswith("09:35  bot ✎ Anna (Paris): xxx") and lines[3].endswith("…")
    assert len(lines[3]) <= 160
    assert lines[4:] == [
        "09:35  bot → Anna (Paris) [3]: Pick one:",
        "       " + "y" * 300,  # the conversation at the keyboard is never cut
        "       ↳ 3.1) 🔔 Remind me",
        "       ↳ 🔗 Web",
    ]
    assert "\x1b[" not in out.getvalue()


def test_on_a_terminal_a_whole_message_wraps_under_its_text() -> None:
    out = io.StringIO()
    moment = datetime(2024, 12, 17, 6, 35, tzinfo=UTC)
    transcript = Transcript(out, lambda: moment, VENUE, color=True)
    words = " ".join(f"w{n}" for n in range(60))
    transcript.in_full(Speaker("You"), 1, words, [(f"1.{n})", f"b{n}") for n in range(1, 7)])
    shown = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()).splitlines()
    assert shown[0].startswith("09:35  bot → You [1]: w0 w1") and len(shown) > 7
    assert all(line.startswith("       ") for line in shown[1:])
    assert " ".join(" ".join(shown).split()[5:65]) == words
    assert [line.strip() for line in shown[-6:]] == [f"↳ 1.{n}) b{n}" for n in range(1, 7)]


def test_a_document_is_shown_rendered_not_as_markdown_source() -> None:
    out = io.StringIO()
    transcript = Transcript(out, lambda: datetime(2024, 12, 17, 6, 35, tzinfo=UTC), VENUE)
    report = (
        "# Questions: Wi-Fi (hubs)!\n\n| Count | # |\n|---|---:|\n| Asked | 2 |\n\n"
        "> Is \\*bold\\* kept (really)?\n\nThank you, Novosibirsk!\n"
    )
    transcript.document(report)
    shown = out.getvalue()
    assert "Questions: Wi-Fi (hubs)!" in shown and "# Questions" not in shown
    assert "Is *bold* kept (really)?" in shown and "\\" not in shown and "|---" not in shown
    assert re.search(r"^ *Asked +2 *$", shown, re.MULTILINE)
    assert transcript.lines == shown.rstrip("\n").splitlines()


def test_colour_only_when_asked_or_on_a_terminal() -> None:
    out = io.StringIO()
    transcript = Transcript(out, lambda: datetime.now(UTC), VENUE, color=True)
    transcript.said(Speaker("Anna", "cyan"), None, "/start")
    assert transcript.rich and "\x1b[" in out.getvalue()
    assert "Anna" in out.getvalue() and "/start" in out.getvalue()


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("a  b\nc", 10, "a b c"), ("abcdef", 4, "abc…"), ("", 3, "")],
)
def test_one_line(text: str, limit: int, expected: str) -> None:
    assert one_line(text, limit) == expected


def test_demo_settings_ignore_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REMOTEHUB_DATABASE_URL", "postgresql+asyncpg://prod/remotehub")
    monkeypatch.setenv("REMOTEHUB_ANNOUNCE_CHAT_ID", "-100123")
    cast = make_cast("en")
    settings = demo_settings(
        api_url="http://127.0.0.1:1",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        programme=tmp_path / "programme.ics",
        zone=VENUE.key,
        cast=cast,
        language="ru",
    )
    assert settings.database_url.endswith("demo.db")
    assert settings.announce_chat_id == cast.channel.chat_id
    assert settings.moderators == [cast.person(cast.moderator).user_id]
    assert settings.default_language == "ru"
    assert [source.url for source in settings.sources] == [str(tmp_path / "programme.ics")]


def test_russian_cast_writes_russian_and_english_cast_mixes() -> None:
    english, russian = make_cast("en"), make_cast("ru", interactive=True)
    assert {p.writes for p in english.people} == {"en", "ru"}
    assert {p.writes for p in russian.people} == {"ru"}
    assert {p.telegram_language for p in russian.people} == {"ru"}
    assert len({p.user_id for p in russian.people}) == len(russian.people)


async def test_cues_wait_for_enough_gives() -> None:
    cues = Cues()

    async def later() -> None:
        await asyncio.sleep(0.01)
        await cues.give("asked")
        await cues.give("asked")

    giving = asyncio.create_task(later())
    assert await cues.wait("asked", 2, within=2.0)
    await giving
    assert not await cues.wait("asked", 3, within=0.05)


def test_every_demo_text_exists_in_both_languages() -> None:
    translator = Translator()
    used: set[str] = set()
    for path in [*(ROOT / "bot" / "demo").glob("*.py"), ROOT / "bot" / "cli" / "demo.py"]:
        used.update(re.findall(r"\"(demo\.[a-z_]+\.?[a-z_.]*)\"", path.read_text("utf-8")))
    assert len(used) > 20
    for language in LANGUAGES:
        assert sorted(used - translator.message_ids(language)) == [], language
