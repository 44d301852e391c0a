"""Plain text in the Markdown report: escaped only where a CommonMark renderer would read
markup, so a renderer shows it exactly as written and the file reads as written."""

from __future__ import annotations

import pytest

from bot.questions.markdown_text import escape_cell, escape_heading, escape_text
from tests.markdown_render import shown_blocks, shown_text

# Punctuation that is no markup in a .md file: left alone (Telegram's MarkdownV2 would not).
UNTOUCHED = [
    "Новосибирский библиотечный хаб (Россия)",
    "Thank you, Novosibirsk!",
    "Wi-Fi works; slides at 12:58.",
    "Q&A {braces} = fine + more | pipe #tag 1.5 million -5 °C",
    "snake_case and a__b",
]
# Text that would turn into markup unescaped: (written, as escaped).
MARKUP = [
    ("*bold* _x_", r"\*bold\* \_x\_"),
    ("[link](x) ![img](y)", r"\[link\](x) !\[img\](y)"),
    ("`code` <b>AI</b> ~~gone~~ C:\\dir", r"\`code\` \<b>AI\</b> \~\~gone\~\~ C:\\dir"),
    ("&amp; &#32; & done", r"\&amp; \&#32; & done"),
    ("# not a heading", r"\# not a heading"),
    ("> not a quote", r"\> not a quote"),
    ("- no list", r"\- no list"),
    ("+ no list", r"\+ no list"),
    ("2024. no list", r"2024\. no list"),
    ("1) no list", r"1\) no list"),
    ("line\n===", "line\n\\==="),
    ("line\n---", "line\n\\---"),
    ("a | b\n:--|--:", "a | b\n:\\--|--:"),
    ("first\n- second", "first\n\\- second"),
]


@pytest.mark.parametrize("text", UNTOUCHED)
def test_punctuation_that_is_no_markup_is_left_alone(text: str) -> None:
    assert escape_text(text) == text
    assert shown_text(text) == text


@pytest.mark.parametrize(("text", "escaped"), MARKUP)
def test_markup_stays_literal(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped
    assert shown_text(escaped) == text
    quoted = "\n".join(f"> {line}" for line in escaped.split("\n"))
    assert shown_blocks(quoted) == [("blockquote/paragraph", text)]


@pytest.mark.parametrize("text", [written for written, _ in MARKUP] + UNTOUCHED)
def test_headings_and_table_cells_show_the_text(text: str) -> None:
    one_line = " ".join(text.split())
    assert shown_blocks(f"# {escape_heading(text)}") == [("heading", one_line)]
    table = f"| a | b |\n|---|---|\n| {escape_cell(text)} | 1 |"
    cells = [shown for kind, shown in shown_blocks(table) if kind.endswith("td")]
    assert cells == [one_line, "1"]


def test_a_heading_keeps_its_trailing_hashes() -> None:
    assert escape_heading("Room #") == r"Room \#"
    assert shown_blocks("## " + escape_heading("C ##")) == [("heading", "C ##")]


def test_inside_a_line_only_later_lines_are_guarded() -> None:
    assert escape_text("- yes\n- no", at_line_start=False) == "- yes\n\\- no"
