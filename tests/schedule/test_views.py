"""The session card, the lists and the channel posts: zones, languages, escaping, limits.

Every text is parsed by the local Bot API server's HTML parser (tdlib's rules): what these
functions produce is accepted by Telegram, and its length is what Telegram counts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import default_translator
from bot.links import BotLinks
from bot.programme import posts, views
from bot.programme.events import ChangeKind, NewsItem, SessionChange
from bot.programme.posts import PostContext
from config.settings import Settings
from localapi.html_check import parse_html
from localapi.text import utf16_len
from storage.models import Session

BAKU, NEW_YORK, PARIS = (
    ZoneInfo("Asia/Baku"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Europe/Paris"),
)
START = datetime(2026, 6, 23, 6, 0, tzinfo=UTC)  # 10:00 in Baku
SETTINGS = Settings(
    timezone="Asia/Baku",
    webcasts={"Hall A": "https://example.org/live/a"},
    questions={"open_before_minutes": 30},
)
T = default_translator()


def session(**fields: Any) -> Session:
    values: dict[str, Any] = {
        "id": 42,
        "key": "k",
        "title": "Libraries and the open web",
        "start_at": START,
        "end_at": START + timedelta(minutes=90),
        "timezone": "Asia/Baku",
        "room": "Hall A",
        "persons": [],
        "description": "",
        "is_ifla": False,
        "cancelled": False,
        "vanished": False,
        "all_day": False,
    }
    values.update(fields)
    if "end_at" not in fields:
        values["end_at"] = values["start_at"] + timedelta(minutes=90)
    return Session(**values)


def shown(text: str) -> str:
    """The text as Telegram shows it; raises if Telegram would refuse the HTML."""
    return parse_html(text, strict_ampersand=True).text


def card(row: Session, language: str = "en", reader: ZoneInfo = PARIS, **kw: Any) -> Any:
    now = kw.pop("now", START - timedelta(days=1))
    return views.session_card(
        T, language, row, reader, BAKU, SETTINGS, BotLinks("hub_bot"), now=now
    )


def buttons(keyboard: dict[str, Any]) -> dict[str, str]:
    found = {}
    for row in keyboard["inline_keyboard"]:
        for button in row:
            found[button["text"]] = button.get("callback_data") or button["url"]
    return found


def test_card_shows_reader_and_venue_times() -> None:
    text, _ = card(session())
    assert "Tue 23 Jun 08:00–09:30 (Europe/Paris) · venue 10:00–11:30" in shown(text)


def test_card_marks_the_next_day_at_the_venue() -> None:
    late = session(start_at=datetime(2026, 6, 23, 22, 0, tzinfo=UTC))
    text, _ = card(late, reader=NEW_YORK)
    assert "18:00–19:30 (America/New_York) · venue 02:00–03:30 (+1 day)" in shown(text)


def test_card_in_russian_with_cyrillic_title() -> None:
    row = session(title="Библиотеки и открытый веб", organiser="ИФЛА", is_ifla=True)
    text, keyboard = card(row, language="ru")
    visible = shown(text)
    assert visible.startswith("Библиотеки и открытый веб\n") and "⭐ Сессия ИФЛА" in visible
    assert "вт 23 июн." in visible and "на площадке 10:00–11:30" in visible
    assert "Организатор: ИФЛА" in visible
    assert buttons(keyboard)["🔔 Напомнить"] == "sub:add:42"


def test_card_buttons_carry_the_other_features_callback_data() -> None:
    row = session(participation_url="https://zoom.example/j/1", url="https://igf.example/s/42")
    _, keyboard = card(row)
    assert buttons(keyboard) == {
        "🔔 Remind me": "sub:add:42",
        "📅 .ics": "ics:42",
        "📺 Webcast": "https://example.org/live/a",  # the room's, from [webcasts]
        "🌐 Join remotely": "https://zoom.example/j/1",
        "🔗 Session page": "https://igf.example/s/42",
    }


@pytest.mark.parametrize(
    ("minutes_to_start", "asks"),
    [(31, False), (30, True), (0, True), (-89, True), (-90, False)],
)
def test_ask_button_only_while_the_session_takes_questions(
    minutes_to_start: int, asks: bool
) -> None:
    _, keyboard = card(session(), now=START - timedelta(minutes=minutes_to_start))
    assert ("❓ Ask a question" in buttons(keyboard)) is asks


def test_cancelled_card_says_so_and_offers_no_reminder() -> None:
    text, keyboard = card(session(cancelled=True))
    assert "❌ Cancelled" in shown(text)
    assert set(buttons(keyboard)) == {"📅 .ics"}


def test_hostile_fields_are_shown_literally() -> None:
    row = session(
        title='<a href="javascript:x">Click</a> & <b>',
        track="<i>Track</i>",
        description='<p>Fine <b>bold</b></p><script>steal()</script><a href="javascript:x">x</a>',
        webcast_url="javascript:alert(1)",
        participation_url="https://ok.example/a b",
    )
    text, keyboard = card(row)
    parsed = parse_html(text, strict_ampersand=True)
    assert '<a href="javascript:x">Click</a> & <b>' in parsed.text
    assert "<i>Track</i>" in parsed.text
    assert "steal" not in parsed.text and "Fine bold" in parsed.text
    links = [entity["url"] for entity in parsed.entities if entity["type"] == "text_link"]
    assert links == ["https://t.me/hub_bot?start=s_42"]
    # The unsafe own webcast gives way to the room's; the url with a space is left out.
    assert buttons(keyboard)["📺 Webcast"] == "https://example.org/live/a"
    assert "🌐 Join remotely" not in buttons(keyboard)


def test_card_fits_telegrams_limit_even_with_emoji() -> None:
    row = session(
        title="😀" * 1000, description="<p>" + "😀 word " * 3000 + "</p>", persons=["A"] * 300
    )
    text, _ = card(row)
    assert utf16_len(shown(text)) <= 4096
    assert "…" in shown(text)


def test_upcoming_page_lists_and_pages() -> None:
    rows = [
        session(
            id=i,
            title=f"Session {i}",
            is_ifla=i == 2,
            cancelled=i == 3,
            start_at=START + timedelta(hours=i),
        )
        for i in range(1, 9)
    ]
    text, keyboard = views.upcoming_page(T, "en", rows, page=2, total=20, reader_zone=BAKU)
    visible = shown(text)
    assert "page 2 of 3" in visible and "Times in Asia/Baku" in visible
    assert "⭐ 12:00 Session 2 — Hall A" in visible and "❌ 13:00 Session 3" in visible
    labels = buttons(keyboard)
    assert labels["⭐ 12:00 Session 2"] == "card:2"
    assert labels["◀"] == "sessions:1" and labels["▶"] == "sessions:3"
    assert len(keyboard["inline_keyboard"]) == 9  # eight sessions and the navigation row


def test_last_page_has_no_next_button_and_empty_list_says_so() -> None:
    _, keyboard = views.upcoming_page(T, "en", [session()], page=3, total=17, reader_zone=BAKU)
    assert "▶" not in buttons(keyboard) and "◀" in buttons(keyboard)
    text, keyboard = views.upcoming_page(T, "ru", [], page=1, total=0, reader_zone=BAKU)
    assert keyboard is None and "нет предстоящих" in text


def test_live_now_has_webcast_links_and_fits() -> None:
    rows = [session(id=i, title=f"Live {i} " + "x" * 80, room="Hall A") for i in range(1, 201)]
    text, keyboard = views.live_now(T, "en", rows, reader_zone=BAKU, settings=SETTINGS)
    assert utf16_len(shown(text)) <= 4096
    assert '<a href="https://example.org/live/a">📺 Watch the webcast</a>' in text
    assert "more live sessions" in text and "until 11:30" in text
    assert len(keyboard["inline_keyboard"]) == views.PAGE_SIZE


def _ctx(language: str = "en") -> PostContext:
    return PostContext(T, language, SETTINGS, BotLinks("hub_bot"))


def test_channel_posts_are_valid_html_in_both_languages() -> None:
    row = session(
        is_ifla=True, title="IFLA <&> «Библиотеки»", participation_url="https://z.example/?a=1&b=2"
    )
    move = SessionChange(
        42, ChangeKind.MOVED, row.title, START - timedelta(hours=1), START, "Hall A", "Hall B", True
    )
    for language in ("en", "ru"):
        ctx = _ctx(language)
        for text in (
            posts.announcement(ctx, row),
            posts.starting_now(ctx, row),
            posts.change_notice(ctx, row, move),
            posts.digest(ctx, START.date(), [row] * 3),
        ):
            visible = shown(text)
            assert "IFLA <&> «Библиотеки»" in visible
        assert "https://t.me/hub_bot?start=s_42" in posts.announcement(ctx, row)


def test_digest_is_cut_to_fit_with_a_count_of_the_rest() -> None:
    rows = [session(id=i, title="IFLA " + "y" * 140) for i in range(100)]
    text = posts.digest(_ctx("ru"), START.date(), rows)
    assert utf16_len(shown(text)) <= 4096
    assert "…и ещё" in text


def test_news_post_from_plain_text_summary() -> None:
    item = NewsItem(1, 1, "IFLA & friends", "g", "Title", None, None, "Line one\n2 & 3 < 4")
    text = posts.news_post(_ctx(), item)
    assert shown(text) == "Title\n\nLine one\n2 & 3 < 4\n\n📰 IFLA & friends"


def test_sessions_without_a_room_show_no_empty_room() -> None:
    row = session(room=None, title="Roomless")
    text, _ = views.upcoming_page(T, "en", [row], page=1, total=1, reader_zone=BAKU)
    assert shown(text).endswith("\n10:00 Roomless")
    text, _ = views.live_now(T, "ru", [row], reader_zone=BAKU, settings=SETTINGS)
    assert "🕑 до 11:30" in shown(text) and "—" not in shown(text)
    assert "—" not in shown(posts.digest(_ctx(), START.date(), [row]))
