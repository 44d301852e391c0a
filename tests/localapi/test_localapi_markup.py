"""Parse modes, table-driven: tdlib's results and error wording, without HTTP."""

from __future__ import annotations

import pytest

from localapi.errors import ApiError
from localapi.html_check import parse_html
from localapi.keyboards import check_reply_markup
from localapi.links import checked_link
from localapi.markdown_check import parse_markdown, parse_markdown_v2
from localapi.text import EntityParseError, find_auto_entities, format_text, utf16_len

HTML_OK = [
    ("plain", "plain", []),
    ("<b>a</b>&amp;<i>b</i>", "a&b", [("bold", 0, 1), ("italic", 2, 1)]),
    ("AT&T &foo; &#;", "AT&T &foo; &#;", []),  # tdlib keeps what is not an entity
    ("&lt;&gt;&quot;&#x41;&#66;&amp", '<>"AB&', []),
    ("😀<b>x</b>", "😀x", [("bold", 2, 1)]),  # offsets in UTF-16 code units
    ("<B>caps</B>", "caps", [("bold", 0, 4)]),
    ("<b >x</b >", "x", [("bold", 0, 1)]),
    ("<b><i>both</i></b>", "both", [("bold", 0, 4), ("italic", 0, 4)]),
    ("<b></b>x", "x", []),  # empty entities vanish
    ("<pre>code</pre>", "code", [("pre", 0, 4)]),
    ("<a href='tg://user?id=42'>Ada</a>", "Ada", [("text_mention", 0, 3)]),
    ("<a href='javascript:x'>no</a>", "no", []),  # links Telegram cannot check are dropped
    ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
    ("<a href=>x</a>", "x", []),  # empty href: the text is the URL, not a valid one here
]

EQUAL_SIGN = "Expected equal sign in declaration of an attribute of the tag"
HTML_ERRORS = [
    ("<foo>", 'Unsupported start tag "foo" at byte offset 0'),
    ("é<foo>", 'Unsupported start tag "foo" at byte offset 2'),
    ("<b", "Unclosed start tag at byte offset 0"),
    ('<a href="x>', "Unclosed start tag at byte offset 0"),
    ("<a href=x!>x</a>", "Unexpected end of name token at byte offset 8"),
    ("<a href", f'{EQUAL_SIGN} "a" at byte offset 0'),
    ("<a href=", 'Unclosed start tag "a" at byte offset 0'),
    ("<b x>y</b>", f'{EQUAL_SIGN} "b" at byte offset 0'),
    ("<i>x</b>", 'Unmatched end tag at byte offset 4, expected "</i>", found "</b>"'),
    ("<i>x</i", "Unclosed end tag at byte offset 4"),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("x</>", "Unexpected end tag at byte offset 1"),
    ("<i><b>x</b>", 'Can\'t find end tag corresponding to start tag "i"'),
    ("<tg-emoji emoji-id='0'>x</tg-emoji>", "Invalid custom emoji identifier specified"),
    ("&#xD83D;", "Text contains invalid Unicode characters after decoding HTML entities, "
     "check for unmatched surrogate code units"),
]  # fmt: skip

MARKDOWN_V2_OK = [
    (r"1\.5 \- 2\!", "1.5 - 2!", []),
    ("*b* _i_ __u__ ~s~ ||p||", "b i u s p", [
        ("bold", 0, 1), ("italic", 2, 1), ("underline", 4, 1), ("strikethrough", 6, 1),
        ("spoiler", 8, 1),
    ]),
    ("`a.b` ```py\nx.y```", "a.b x.y", [("code", 0, 3), ("pre", 4, 3)]),
    ("[site](https://igf.example/a\\)b)", "site", [("text_link", 0, 4)]),
    ("*bold _both_*", "bold both", [("bold", 0, 9), ("italic", 5, 4)]),
    ("\\\\", "\\", []),
    ("*a\nb*", "a\nb", [("bold", 0, 3)]),  # a newline does not end bold
    (">quote\nafter", "quote\nafter", [("blockquote", 0, 6)]),
]  # fmt: skip

MARKDOWN_V2_ERRORS = [
    ("a.b", "Character '.' is reserved and must be escaped with the preceding '\\'"),
    ("a-b", "Character '-' is reserved and must be escaped with the preceding '\\'"),
    ("(x)", "Character '(' is reserved and must be escaped with the preceding '\\'"),
    ("x > y", "Character '>' is reserved and must be escaped with the preceding '\\'"),
    ("*open", "Can't find end of Bold entity at byte offset 0"),
    ("é _open", "Can't find end of Italic entity at byte offset 3"),
    ("```py\nopen", "Can't find end of PreCode entity at byte offset 0"),
    ("[x](http://a.b", "Can't find end of a URL at byte offset 4"),
]


@pytest.mark.parametrize(("source", "text", "entities"), HTML_OK)
def test_html_parses_like_tdlib(
    source: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


@pytest.mark.parametrize(("source", "message"), HTML_ERRORS)
def test_html_errors_are_worded_like_tdlib(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == message


def test_html_links_and_languages() -> None:
    parsed = parse_html(
        '<a href="IGF.example/x">a</a><pre><code class="language-py">b</code></pre>'
    )
    assert parsed.entities[0]["url"] == "http://igf.example/x"
    assert parsed.entities[1] == {"type": "pre", "offset": 1, "length": 1, "language": "py"}
    assert parse_html("<code class='language-py'>c</code>").entities == [
        {"type": "code", "offset": 0, "length": 1}
    ]


@pytest.mark.parametrize(("source", "text", "entities"), MARKDOWN_V2_OK)
def test_markdown_v2_parses_like_tdlib(
    source: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed = parse_markdown_v2(source)
    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


@pytest.mark.parametrize(("source", "message"), MARKDOWN_V2_ERRORS)
def test_markdown_v2_errors_are_worded_like_tdlib(source: str, message: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_markdown_v2(source)
    assert str(caught.value) == message


def test_legacy_markdown() -> None:
    parsed = parse_markdown("*b* _i_ `c` [l](https://x.example) 1.5!")
    assert parsed.text == "b i c l 1.5!"
    assert [e["type"] for e in parsed.entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(EntityParseError, match="Can't find end of the entity starting at byte"):
        parse_markdown("snake_case")


def test_format_text_trims_and_counts_utf16() -> None:
    parsed = format_text("  <b>hi</b> there \n", "html", None)
    assert parsed.text == "hi there"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert utf16_len("😀a") == 3
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        format_text("x", "BBCode", None)
    explicit = format_text("hello", None, [{"type": "bold", "offset": 0, "length": 5}])
    assert explicit.entities == [{"type": "bold", "offset": 0, "length": 5}]


def test_auto_entities() -> None:
    text = "/start@remotehub_test_bot see https://igf.example/p?x=1, #IGF2025 and @ada_l"
    found = [(e["type"], text[e["offset"] : e["offset"] + e["length"]]) for e in
             find_auto_entities(text)]  # fmt: skip
    assert found == [
        ("bot_command", "/start@remotehub_test_bot"),
        ("mention", "@ada_l"),
        ("hashtag", "#IGF2025"),
        ("url", "https://igf.example/p?x=1"),
    ]
    assert find_auto_entities("a/b and 1/2 and #123") == []


@pytest.mark.parametrize(
    ("url", "checked"),
    [
        ("https://IGF.example", "https://igf.example/"),
        ("igf.example/a?b=1", "http://igf.example/a?b=1"),
        ("tg://resolve?domain=x", "tg://resolve?domain=x"),
        ("not a link", ""),
        ("mailto", ""),
    ],
)
def test_checked_links(url: str, checked: str) -> None:
    assert checked_link(url) == checked


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("nonsense", "can't parse reply keyboard markup JSON object"),
        ({"inline_keyboard": "x"}, "must be an Array"),
        ({"inline_keyboard": [[{"text": "t"}]]}, "Text buttons are unallowed"),
        ({"inline_keyboard": [[{"text": "t", "callback_data": "x" * 65}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "t", "url": "no url"}]]}, "BUTTON_URL_INVALID"),
        ({"inline_keyboard": [[{"callback_data": "x"}]]}, 'Field "text" must be of type String'),
    ],
)
def test_bad_keyboards(markup: object, error: str) -> None:
    with pytest.raises(ApiError, match=error):
        check_reply_markup(markup)


def test_reply_keyboards_are_kept() -> None:
    markup = {"keyboard": [[{"text": "Programme"}]], "resize_keyboard": True}
    assert check_reply_markup(markup) == markup
    assert check_reply_markup({"remove_keyboard": True}) == {"remove_keyboard": True}
