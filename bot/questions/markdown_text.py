"""Plain text written into a Markdown file so that it shows exactly as written.

The report is a ``.md`` file read by CommonMark renderers (with GitHub's tables and
strikethrough), not a Telegram MarkdownV2 message: only what would change the rendering is
backslashed, so ``Wi-Fi (Russia)!`` stays as it is while ``*bold*`` or ``[x](y)`` stay literal.
Inline markup (emphasis, code, links, HTML, strikethrough, entities) can start anywhere; block
markup (headings, quotes, lists, rules, setext underlines, table rows) only at a line's start.
"""

from __future__ import annotations

import re

# Emphasis, code spans, links and images, raw HTML and autolinks, strikethrough, the escape
# character itself, and ``&`` only where it would start an entity (``&amp;``, ``&#32;``);
# underscores apart, as inside a word (``snake_case``) they cannot emphasise.
_INLINE = re.compile(r"[\\`*\[\]<~]|&(?=#?[0-9A-Za-z]+;)|(_+)")
# At a line's start: an ATX heading, a block quote, a bullet (also a thematic break or a
# setext underline made of dashes), an ordered-list marker, a setext underline of "=".
_HEADING = re.compile(r"#{1,6}(?=[ \t]|$)")
_BULLET = re.compile(r"[-+](?=[ \t]|$)")
_DASHES = re.compile(r"-[- \t]*$")
_ORDERED = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")
_EQUALS = re.compile(r"=+[ \t]*$")
# A GitHub table's delimiter row (``|---|:--:|``): the line under a header row makes a table.
_DELIMITER_ROW = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+[ \t]*)$")


def escape_inline(text: str) -> str:
    """``text`` inside a line (after other markup): only inline markup is escaped."""

    def escape(match: re.Match[str]) -> str:
        start, end = match.span()
        if match.group(1) and _inside_word(text, start, end):
            return match.group(0)
        return "".join("\\" + char for char in match.group(0))

    return _INLINE.sub(escape, text)


def _inside_word(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()


def _guard_line_start(line: str) -> str:
    """``line`` (already escaped inline) with a backslash before a block marker it opens with."""
    if line.startswith(">") or any(
        marker.match(line) for marker in (_HEADING, _BULLET, _DASHES, _EQUALS)
    ):
        return "\\" + line
    ordered = _ORDERED.match(line)
    if ordered:
        return f"{ordered.group(1)}\\{line[len(ordered.group(1)) :]}"
    if _DELIMITER_ROW.match(line):
        dash = line.index("-")
        return f"{line[:dash]}\\{line[dash:]}"
    return line


def escape_text(text: str, *, at_line_start: bool = True) -> str:
    """``text`` as paragraph lines; each line after a newline may open a block, so its start
    is guarded too (the first only if ``at_line_start``). Blanks around lines are dropped, as
    a paragraph drops them (four leading spaces would make a code block)."""
    lines = []
    for index, line in enumerate(text.split("\n")):
        escaped = escape_inline(line.strip(" \t"))
        lines.append(_guard_line_start(escaped) if index or at_line_start else escaped)
    return "\n".join(lines)


def escape_heading(text: str) -> str:
    """The text after ``# ``: one line, and a trailing run of ``#`` kept (not a closing one)."""
    escaped = escape_inline(" ".join(text.split()))
    return _CLOSING_HASHES.sub(lambda match: f"{match.group(1)}\\{match.group(2)}", escaped)


def escape_cell(text: str) -> str:
    """A table cell: one line, inline markup and ``|`` (which would end the cell) escaped."""
    return escape_inline(" ".join(text.split())).replace("|", "\\|")
