"""/sources and /poll texts: every state of a source, hostile errors shown literally, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import default_translator
from bot.ingest.outcomes import PollOutcome, PollStatus, SourceHealth
from bot.programme.events import ChangeKind, SessionChange
from bot.programme.source_views import poll_text, sources_text
from localapi.html_check import parse_html
from localapi.text import utf16_len

NOW = datetime(2026, 6, 22, 6, 0, tzinfo=UTC)  # 10:00 in Baku
BAKU = ZoneInfo("Asia/Baku")
T = default_translator()


def health(name: str, **fields: object) -> SourceHealth:
    values: dict[str, object] = {
        "source_id": 1,
        "name": name,
        "url": f"https://{name.lower().replace(' ', '-')}.example/feed",
        "format": None,
        "enabled": True,
        "last_success_at": NOW,
        "last_error_at": None,
        "last_error": None,
        "items": 12,
        "failing_since": None,
        "consecutive_failures": 0,
        "next_poll_at": NOW + timedelta(minutes=15),
    }
    values.update(fields)
    return SourceHealth(**values)  # type: ignore[arg-type]


def test_sources_show_health_in_the_readers_zone() -> None:
    sources = [
        health("IGF 2026", items=1),
        health(
            "IFLA news",
            failing_since=NOW - timedelta(hours=2),
            last_error="HTTP 502 <Bad Gateway> & more",
            last_error_at=NOW,
        ),
        health("New one", last_success_at=None, items=0),
    ]
    text = parse_html(sources_text(T, "en", sources, BAKU), strict_ampersand=True).text
    assert (
        "✅ IGF 2026\nhttps://igf-2026.example/feed\nLast success: Mon 22 Jun 10:00\n1 item" in text
    )
    assert "⚠️ IFLA news · failing since Mon 22 Jun 08:00" in text
    assert "Last error (Mon 22 Jun 10:00): HTTP 502 <Bad Gateway> & more" in text
    assert "⏳ New one · not polled yet" in text and "Last success: never\n0 items" in text
    russian = parse_html(sources_text(T, "ru", sources, BAKU)).text
    assert "12 записей" in russian and "1 запись" in russian


def test_many_sources_fit_one_message() -> None:
    sources = [health(f"Source {n}", last_error="x" * 900, last_error_at=NOW) for n in range(80)]
    text = sources_text(T, "en", sources, BAKU)
    assert utf16_len(parse_html(text).text) <= 4096 and text.endswith("…")
    assert sources_text(T, "en", [], BAKU).startswith("No sources are configured")


def test_poll_summary_counts_what_changed() -> None:
    added = SessionChange(1, ChangeKind.ADDED, "A", None, NOW, None, None, False)
    moved = SessionChange(2, ChangeKind.MOVED, "B", NOW, NOW, None, None, False)
    outcomes = [
        PollOutcome(1, "IGF 2026", PollStatus.UPDATED, (added, moved, moved), 0, 30),
        PollOutcome(2, "IFLA <news>", PollStatus.FAILED, error="timeout & <gone>"),
        PollOutcome(3, "Other", PollStatus.NOT_MODIFIED),
    ]
    text = parse_html(poll_text(T, "en", outcomes), strict_ampersand=True).text
    assert text.splitlines() == [
        "Polled 3 sources",
        "✅ IGF 2026: 1 new, 2 changed, 0 cancelled sessions; 0 news entries",
        "⚠️ IFLA <news>: failed: timeout & <gone>",
        "✅ Other: no changes",
    ]
    assert poll_text(T, "ru", outcomes[:1]).startswith("<b>Опрошен 1 источник</b>")
