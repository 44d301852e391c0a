"""What a CommonMark renderer (markdown-it-py, which rich uses, with GitHub's tables and
strikethrough) shows of a Markdown document: the text of each block, markup made visible."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

_RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _inline_text(children: list[Token]) -> str:
    parts = []
    for child in children:
        if child.type == "text":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        else:  # emphasis, a link, code, HTML...: shown as a marker so no comparison matches
            parts.append(f"<{child.type}>")
    return "".join(parts)


def shown_blocks(markdown: str) -> list[tuple[str, str]]:
    """(kind of block, its visible text) for every run of inline text: paragraphs, headings,
    table cells; the kind names the enclosing blocks, like ``blockquote/paragraph``."""
    blocks: list[tuple[str, str]] = []
    open_blocks: list[str] = []
    for token in _RENDERER.parse(markdown):
        if token.nesting == 1:
            open_blocks.append(token.type.removesuffix("_open"))
        elif token.nesting == -1:
            open_blocks.pop()
        elif token.type == "inline":
            blocks.append(("/".join(open_blocks), _inline_text(token.children or [])))
        else:  # a code block, a rule, raw HTML: not text, and never expected from escaping
            blocks.append((token.type, token.content))
    return blocks


def shown_text(markdown: str) -> str:
    """The visible text of a document that should be a single paragraph."""
    (block,) = shown_blocks(markdown)
    assert block[0] == "paragraph", block
    return block[1]
