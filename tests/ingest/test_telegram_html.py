"""Hostile HTML -> Telegram's HTML subset, cut to a limit with balanced tags."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest

from bot.ingest.telegram_html import escape, plain_text, to_telegram_html

ALLOWED = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}


class _Checker(HTMLParser):
    """Checks tags are allowed and balanced; collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        assert [name for name, _ in attrs] == (["href"] if tag == "a" else [])
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _visible(html: str) -> str:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    return "".join(checker.text)


def test_escape() -> None:
    assert escape('a < b && c > "d"') == 'a &lt; b &amp;&amp; c &gt; "d"'


def test_hostile_html() -> None:
    html = (
        '<div onclick="steal()"><script>alert(1)</script><style>p{}</style>'
        '<b>Bold <i>both</b> italic?</i> <a href="javascript:alert(1)">js</a> '
        '<a href=" JaVaScRiPt:alert(1)">js2</a> <a href="https://ok.example/?a=1&amp;b=&quot;2">ok</a>'
        '<img src=x onerror=alert(1)><iframe src="https://evil"></iframe><u>unclosed'
    )
    out = to_telegram_html(html)
    assert "script" not in out and "alert" not in out and "onclick" not in out and "img" not in out
    assert '<a href="https://ok.example/?a=1&amp;b=&quot;2">ok</a>' in out
    assert _visible(out) == "Bold both italic? js js2 okunclosed"
    assert out.startswith("<b>Bold <i>both</i></b> italic?")


def test_tg_links_allowed_others_not() -> None:
    out = to_telegram_html('<a href="tg://user?id=1">u</a> <a href="data:text/html,x">d</a>')
    assert out == '<a href="tg://user?id=1">u</a> d'


def test_blocks_and_whitespace() -> None:
    html = (
        "<p>  One\n  two </p><p>Three<br>four<br><br><br><br>five</p><ul><li>x</li><li>y</li></ul>"
    )
    assert to_telegram_html(html) == "One two\n\nThree\nfour\n\nfive\n\n• x\n• y"


def test_pre_keeps_whitespace_and_drops_nested_tags() -> None:
    assert to_telegram_html("<pre>  a\n <b>b</b></pre>") == "<pre>  a\n b</pre>"


def test_plain_text_input_is_escaped_and_keeps_lines() -> None:
    assert to_telegram_html("1 < 2 & 3\n\n\n\nnext") == "1 &lt; 2 &amp; 3\n\nnext"


def test_nested_links_and_blockquotes_are_flattened() -> None:
    out = to_telegram_html('<a href="https://a.example">x <a href="https://b.example">y</a></a>')
    assert out.count("<a ") == 1
    out = to_telegram_html("<blockquote>a<blockquote>b</blockquote></blockquote>")
    assert out.count("<blockquote>") == 1


@pytest.mark.parametrize("limit", [1, 2, 5, 17, 40, 100])
def test_cut_keeps_tags_balanced_and_text_within_limit(limit: int) -> None:
    html = (
        "<b>bold <i>italic " + "word " * 30 + '<a href="https://e.org">link text</a></i></b> tail'
    )
    out = to_telegram_html(html, limit=limit)
    visible = _visible(out)
    assert len(visible) <= limit
    assert visible.endswith("…")


def test_no_cut_when_it_fits() -> None:
    out = to_telegram_html("<b>short</b>", limit=5)
    assert out == "<b>short</b>"


def test_cut_counts_unescaped_characters() -> None:
    out = to_telegram_html("&lt;&amp;&gt;" * 10, limit=10)
    assert len(_visible(out)) == 10 and out.startswith("&lt;&amp;&gt;")


def test_garbage_never_breaks() -> None:
    for html in [
        "<",
        "<<>>",
        "</b></i>",
        "<b><i><u>",
        "<a href>",
        "&#xffffff;",
        "<!--",
        "<![CDATA[x",
    ]:
        out = to_telegram_html(html * 3)
        _visible(out)
        assert not re.search(r"<(?!/?(b|i|u|s|a|code|pre|blockquote)[ >])", out)


def test_plain_text() -> None:
    assert (
        plain_text("<p>Hello &amp; <a href='x'>welcome</a></p><p>Bye</p>")
        == "Hello & welcome\n\nBye"
    )


def test_deep_hostile_nesting_is_linear_and_flattened() -> None:
    started = time.monotonic()
    out = to_telegram_html("<b><i>" * 50_000 + "x" + "</b>" * 100_000)
    assert time.monotonic() - started < 10
    assert out == "<b><i>x</i></b>"


def test_code_is_not_nested_inside_formatting() -> None:
    out = to_telegram_html("<b>a <code>c</code></b> <blockquote><code>q</code></blockquote>")
    assert out == "<b>a c</b>\n\n<blockquote><code>q</code></blockquote>"


def test_limit_counts_utf16_units_like_telegram() -> None:
    from bot.ingest.telegram_html import plain_text, to_telegram_html, utf16_length

    html = "<b>" + "😀" * 3000 + "</b>"  # 6,000 UTF-16 units: over Telegram's 4,096
    rendered = to_telegram_html(html, limit=4096)
    assert utf16_length(plain_text(rendered)) <= 4096
    assert rendered.startswith("<b>") and rendered.endswith("</b>")
