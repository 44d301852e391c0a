"""RSS / Atom feeds via feedparser."""

from __future__ import annotations

import pytest

from bot.ingest import ParseError, parse_programme

from .helpers import utc

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Forum news</title><link>https://e.org/</link>
<item><title>First</title><link>https://e.org/1</link><guid>urn:1</guid>
<pubDate>Tue, 18 Jun 2024 09:00:00 +0300</pubDate>
<description>&lt;p&gt;Hello &lt;b&gt;all&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title>No guid</title><link>https://e.org/2</link></item>
<item><title>Nothing</title><description>Only text</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:feed</id>
<updated>2024-06-18T10:00:00Z</updated>
<entry><title>Entry</title><id>urn:e1</id><link href="https://e.org/e1"/>
<updated>2024-06-18T10:00:00Z</updated><summary type="html">&lt;i&gt;sum&lt;/i&gt;</summary></entry>
</feed>"""


def test_rss() -> None:
    result = parse_programme(RSS)
    assert (result.format, result.title) == ("news", "Forum news")
    first, second, third = result.entries
    assert (first.key, first.link, first.published) == (
        "urn:1",
        "https://e.org/1",
        utc("2024-06-18T06:00"),
    )
    assert first.summary_html == "<p>Hello <b>all</b></p>"
    assert second.key == "https://e.org/2" and second.published is None
    assert third.key.startswith("sha256:") and third.link is None
    assert result.sessions == [] and result.warnings == []
    assert list(first.to_json_dict()) == ["key", "title", "link", "published", "summary"]


def test_atom() -> None:
    (entry,) = parse_programme(ATOM).entries
    assert (entry.key, entry.link, entry.summary_html) == (
        "urn:e1",
        "https://e.org/e1",
        "<i>sum</i>",
    )
    assert entry.published == utc("2024-06-18T10:00")


def test_malformed_feed_still_yields_entries() -> None:
    broken = RSS.replace(b"</channel></rss>", b"<item><title>Broken &amp")
    result = parse_programme(broken, format="news")
    assert [e.key for e in result.entries][:2] == ["urn:1", "https://e.org/2"]
    assert any("not well-formed" in w for w in result.warnings)


def test_not_a_feed() -> None:
    with pytest.raises(ParseError, match="news feed: not a feed"):
        parse_programme(b"just some words", format="news")


def test_bytes_that_look_like_a_path_are_not_opened() -> None:
    with pytest.raises(ParseError):
        parse_programme(b"/etc/hostname", format="news")
