"""Arbitrary (possibly hostile) HTML -> Telegram's HTML subset, or -> plain text.

Works in two steps: `html.parser` turns the input into tokens (allowed tags, text,
line breaks), then a renderer collapses whitespace, keeps tags properly nested and
cuts the visible text to a limit.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

ELLIPSIS = "…"

# Source tag -> Telegram tag.
_FORMAT_TAGS = {
    "b": "b", "strong": "b", "i": "i", "em": "i", "cite": "i", "u": "u", "ins": "u",
    "s": "s", "strike": "s", "del": "s", "code": "code", "tt": "code", "kbd": "code",
    "pre": "pre", "blockquote": "blockquote", "a": "a",
}  # fmt: skip
# Elements whose content is never shown.
_SKIP_TAGS = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "embed",
     "svg", "math", "textarea", "select", "button", "form"}
)  # fmt: skip
_PARAGRAPH_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table", "hr", "blockquote", "pre"}
)
_LINE_TAGS = frozenset(
    {"div", "li", "tr", "dd", "dt", "section", "article", "header", "footer", "aside", "nav"}
)
_VERBATIM = frozenset({"code", "pre"})
_SAFE_SCHEMES = frozenset({"http", "https", "tg"})
_LOOKS_LIKE_HTML = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);"
)
_WHITESPACE = re.compile(r"\s+")


@dataclass(slots=True)
class _Text:
    text: str
    verbatim: bool = False


@dataclass(slots=True)
class _Open:
    tag: str
    href: str | None = None


@dataclass(slots=True)
class _Close:
    tag: str


@dataclass(slots=True)
class _Break:
    lines: int  # 1 = line break, 2 = paragraph
    additive: bool = False  # <br> adds up; block boundaries do not


_Token = _Text | _Open | _Close | _Break


def escape(text: str) -> str:
    """Escape text for Telegram HTML (only &, < and > need it)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def looks_like_html(text: str) -> bool:
    """Whether text contains something that looks like a tag or an entity."""
    return bool(_LOOKS_LIKE_HTML.search(text))


def safe_href(href: str | None) -> str | None:
    """The link if its scheme is http, https or tg, else None."""
    if not href:
        return None
    href = href.strip()
    if re.search(r"[\x00-\x1f\x7f]", href):
        return None
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href.replace(" ", "%20") if scheme in _SAFE_SCHEMES else None


class _Tokenizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[_Token] = []
        self._skip_depth = 0
        self._verbatim_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "br":
            self.tokens.append(_Break(1, additive=True))
        elif tag in _PARAGRAPH_TAGS:
            self.tokens.append(_Break(2))
        elif tag in _LINE_TAGS:
            self.tokens.append(_Break(1))
        if tag == "li":
            self.tokens.append(_Text("• "))
        mapped = _FORMAT_TAGS.get(tag)
        if mapped == "a":
            self.tokens.append(_Open("a", safe_href(dict(attrs).get("href"))))
        elif mapped:
            self.tokens.append(_Open(mapped))
            if mapped in _VERBATIM:
                self._verbatim_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth:
            return
        mapped = _FORMAT_TAGS.get(tag)
        if mapped:
            self.tokens.append(_Close(mapped))
            if mapped in _VERBATIM:
                self._verbatim_depth = max(0, self._verbatim_depth - 1)
        if tag in _PARAGRAPH_TAGS:
            self.tokens.append(_Break(2))
        elif tag in _LINE_TAGS:
            self.tokens.append(_Break(1))

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and data:
            self.tokens.append(_Text(data, verbatim=self._verbatim_depth > 0))


def _tokenize(html_or_text: str) -> list[_Token]:
    if not looks_like_html(html_or_text):
        tokens: list[_Token] = []
        for i, line in enumerate(html_or_text.replace("\r\n", "\n").split("\n")):
            if i:
                tokens.append(_Break(1, additive=True))
            tokens.append(_Text(line))
        return tokens
    parser = _Tokenizer()
    parser.feed(html_or_text)
    parser.close()
    return parser.tokens


def _normalise(tokens: list[_Token]) -> list[_Text | _Open | _Close]:
    """Collapse whitespace and line breaks; drop leading and trailing space."""
    out: list[_Text | _Open | _Close] = []
    started = False
    pending_space = False
    pending_lines = 0

    def flush() -> None:
        nonlocal pending_space, pending_lines
        if started and pending_lines:
            out.append(_Text("\n" * pending_lines))
        elif started and pending_space:
            out.append(_Text(" "))
        pending_space, pending_lines = False, 0

    for token in tokens:
        if isinstance(token, _Break):
            if token.additive:
                pending_lines = min(2, pending_lines + token.lines)
            else:
                pending_lines = max(pending_lines, token.lines)
        elif isinstance(token, _Open):
            flush()
            out.append(token)
        elif isinstance(token, _Close):
            out.append(token)
        elif token.verbatim:
            flush()
            out.append(_Text(token.text.replace("\r\n", "\n"), verbatim=True))
            started = True
        else:
            collapsed = _WHITESPACE.sub(" ", token.text)
            core = collapsed.strip(" ")
            pending_space = pending_space or collapsed.startswith(" ")
            if core:
                flush()
                out.append(_Text(core))
                started = True
                pending_space = collapsed.endswith(" ")
    return out


@dataclass(slots=True)
class _Frame:
    tag: str
    href: str | None
    ignored: bool
    emitted: bool = False


class _Stack:
    """Open tags; every operation is amortised O(1) so hostile nesting stays linear."""

    def __init__(self, out: list[str]) -> None:
        self.frames: list[_Frame] = []
        self.positions: dict[str, list[int]] = defaultdict(list)  # tag -> stack indices
        self.active: Counter[str] = Counter()  # tags really open (not ignored)
        self.checked = 0  # frames below this index have been emitted if not ignored
        self.out = out

    def push(self, tag: str, href: str | None) -> None:
        # Repeating an open tag adds nothing (and nested links or quotes are invalid);
        # Telegram allows nothing inside code/pre, and code/pre only inside a blockquote.
        ignored = (
            self.active[tag] > 0
            or any(self.active[t] for t in _VERBATIM)
            or (tag in _VERBATIM and any(n for t, n in self.active.items() if t != "blockquote"))
            or (tag == "a" and href is None)
        )
        self.positions[tag].append(len(self.frames))
        self.frames.append(_Frame(tag, href, ignored))
        if not ignored:
            self.active[tag] += 1

    def close(self, tag: str) -> None:
        if self.positions[tag]:
            self.pop_to(self.positions[tag][-1])

    def pop_to(self, depth: int) -> None:
        while len(self.frames) > depth:
            frame = self.frames.pop()
            self.positions[frame.tag].pop()
            if not frame.ignored:
                self.active[frame.tag] -= 1
            if frame.emitted:
                self.out.append(f"</{frame.tag}>")
        self.checked = min(self.checked, len(self.frames))

    def emit_open(self) -> None:
        for frame in self.frames[self.checked :]:
            if not frame.ignored:
                self.out.append(_open_tag(frame))
                frame.emitted = True
        self.checked = len(self.frames)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP is two)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _cut_utf16(text: str, units: int) -> str:
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index]
    return text


def _render(ops: list[_Text | _Open | _Close], limit: int) -> str:
    total = sum(utf16_length(op.text) for op in ops if isinstance(op, _Text))
    budget = total if total <= limit else max(0, limit - len(ELLIPSIS))
    out: list[str] = []
    stack = _Stack(out)
    used = 0
    for op in ops:
        if isinstance(op, _Open):
            stack.push(op.tag, op.href)
        elif isinstance(op, _Close):
            stack.close(op.tag)
        else:
            text = op.text
            cut = used + utf16_length(text) > budget
            if cut:
                text = _cut_utf16(text, budget - used).rstrip() + ELLIPSIS
            if text:
                stack.emit_open()
                out.append(escape(text))
            used += utf16_length(op.text)
            if cut:
                break
    stack.pop_to(0)
    return "".join(out)


def _open_tag(frame: _Frame) -> str:
    if frame.tag == "a":
        return f'<a href="{escape(frame.href or "").replace(chr(34), "&quot;")}">'
    return f"<{frame.tag}>"


def to_telegram_html(html_or_text: str, limit: int = 4096) -> str:
    """Telegram-safe HTML with at most `limit` visible UTF-16 units (Telegram's count), balanced."""
    return _render(_normalise(_tokenize(html_or_text)), max(1, limit))


def plain_text(html: str) -> str:
    """Readable plain text from HTML (or text): tags dropped, whitespace collapsed."""
    return "".join(op.text for op in _normalise(_tokenize(html)) if isinstance(op, _Text))
