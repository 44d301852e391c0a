"""The moderator's report: counts per status, hub and language; CSV, JSON, Markdown."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from bot.clock import FrozenClock
from bot.i18n import default_translator
from bot.questions.export import (
    Report,
    render_csv,
    render_json,
    render_markdown,
    spreadsheet_safe,
)
from storage.db import Database
from tests.markdown_render import shown_blocks

from .support import NOW, Acks, add_session, add_user, asker, make_relay

MODERATOR = 900


async def _session_with_history(database: Database) -> tuple[Report, int]:
    clock = FrozenClock(NOW)
    session_id = await add_session(database, title="Libraries & <AI>")
    relay = make_relay(database, clock)
    await add_user(database, 1, "Ann")
    await relay.hubs.register(-100, "Novosibirsk hub, Russia", 5)
    await relay.hubs.register(-200, "Baku hub", 6)
    texts = [
        (asker(1), "How do *libraries* use <b>AI</b>?"),
        (asker(2, language="ru"), "Как библиотеки используют ИИ в работе?"),
        (asker(3, chat_id=-100, language="ru"), "Что с финансированием хабов?"),
        (asker(4, chat_id=-100, language="ru"), "Будут ли записи сессии?"),
        (asker(5, chat_id=-200), "Will the slides be shared?"),
        (asker(6), "Please withdraw this one"),
    ]
    ids = []
    for who, text in texts:
        outcome = await relay.asking.submit(who, session_id, text, None, Acks())
        ids.append(outcome.question.id)  # type: ignore[union-attr]
        clock.advance(timedelta(minutes=1))
    await relay.own.withdraw(ids[5], 6)
    for _ in range(3):
        question = await relay.moderation.claim_next(session_id, MODERATOR)
        assert question is not None
        await relay.moderation.mark_answered(question.id, MODERATOR)
    question = await relay.moderation.claim_next(session_id, MODERATOR)
    assert question is not None
    await relay.moderation.reject(question.id, MODERATOR, "Answered already")
    return await relay.exports.report(session_id), session_id


async def test_counts(database: Database) -> None:
    report, _ = await _session_with_history(database)
    counts = report.counts()
    assert (counts.asked, counts.forwarded, counts.answered, counts.rejected) == (6, 4, 3, 1)
    assert (counts.withdrawn, counts.open) == (1, 1)
    assert {hub: (c.asked, c.answered) for hub, c in counts.per_hub.items()} == {
        "Baku hub": (1, 0),
        "Novosibirsk hub (Russia)": (2, 1),
    }
    assert counts.per_language == {"en": 3, "ru": 3}


async def test_csv_and_json_carry_every_question(database: Database) -> None:
    report, session_id = await _session_with_history(database)
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert [row["number"] for row in rows] == ["1", "2", "3", "4", "5", "6"]
    assert rows[0]["text"] == "How do *libraries* use <b>AI</b>?"
    assert rows[0]["asker"] == "Ann" and rows[2]["asker"] == "Novosibirsk hub (Russia)"
    assert rows[5]["status"] == "withdrawn" and rows[5]["withdrawn_at"].startswith("2026-06-23T")
    assert [row["status"] for row in rows].count("answered") == 3
    document = json.loads(render_json(report))
    assert document["session"]["id"] == session_id
    assert document["counts"]["per_hub"]["Novosibirsk hub (Russia)"] == {"asked": 2, "answered": 1}
    assert len(document["questions"]) == 6


async def test_markdown_report_shows_user_text_literally(database: Database) -> None:
    report, _ = await _session_with_history(database)
    english = render_markdown(report, default_translator(), "en")
    assert "# Questions: Libraries & \\<AI>" in english
    assert "> How do \\*libraries\\* use \\<b>AI\\</b>?" in english
    assert "| Asked | 6 |" in english and "| Answered | 3 |" in english
    assert "| Novosibirsk hub (Russia) | 2 | 1 |" in english
    shown = shown_blocks(english)
    assert ("heading", "Questions: Libraries & <AI>") in shown
    assert ("blockquote/paragraph", "How do *libraries* use <b>AI</b>?") in shown
    assert "Reason: Answered already" in english
    russian = render_markdown(report, default_translator(), "ru")
    assert "| Задано | 6 |" in russian and "есть ответ" in russian


async def test_markdown_report_escapes_only_what_would_be_markup(database: Database) -> None:
    """A .md file is no MarkdownV2 message: ``(``, ``!``, ``-``, ``.`` need no backslash,
    while markup a person wrote stays literal when a CommonMark renderer shows the file."""
    session_id = await add_session(database, title="Wi-Fi (hubs)!")
    relay = make_relay(database, FrozenClock(NOW))
    await relay.hubs.register(-100, "Novosibirsk library hub (Russia)", 5)
    plain = "Thank you, Novosibirsk! Is the Wi-Fi (guest) fast? Slides at 12:58."
    marked = "Is *bold*, _x_ or [link](x) kept?\n- and this line?"
    for who, text in ((asker(1), plain), (asker(2, chat_id=-100), marked)):
        await relay.asking.submit(who, session_id, text, None, Acks())
    await relay.exports.save_summary(session_id, "Good day (really)!\n1. Thanks.", MODERATOR)
    markdown = render_markdown(await relay.exports.report(session_id), default_translator(), "en")
    assert not [escape for escape in ("\\(", "\\)", "\\!") if escape in markdown]
    # Only the list markers people typed at a line's start are escaped.
    assert markdown.count("\\-") == markdown.count("> \\- and this line?") == 1
    assert markdown.count("\\.") == markdown.count("\n1\\. Thanks.") == 1
    assert f"> {plain}" in markdown and "# Questions: Wi-Fi (hubs)!" in markdown
    assert "| Novosibirsk library hub (Russia) | — |" in markdown
    shown = shown_blocks(markdown)
    assert ("blockquote/paragraph", plain) in shown
    assert ("blockquote/paragraph", marked) in shown
    assert ("paragraph", "Good day (really)!\n1. Thanks.") in shown
    assert ("heading", "Questions: Wi-Fi (hubs)!") in shown
    assert not [kind for kind, _ in shown if "list" in kind or "em" in kind]


def test_csv_cells_never_become_formulas() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert spreadsheet_safe("-1 is negative") == "'-1 is negative"
    assert spreadsheet_safe("What about AI?") == "What about AI?"
    assert spreadsheet_safe(5) == 5
