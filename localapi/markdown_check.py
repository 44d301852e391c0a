"""Telegram's MarkdownV2 and legacy Markdown parse modes, ported from tdlib (same wording)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .links import checked_link, mentioned_user_id
from .text import (
    Entity,
    EntityParseError,
    ParsedText,
    byte_offset,
    entity,
    sort_entities,
    utf16_len,
)

_At = Callable[[int], str]
_RESERVED = frozenset("_*[]()~`>#+-=|{}.!\n")
_PLAIN = re.compile(r"[^_*\[\]()~`>#+\-=|{}.!\n\\]+")
_PLAIN_IN_CODE = re.compile(r"[^`\\]+")
_SPACE = frozenset(" \t\r\n\v\f\x00")
_EMOJI_URL = re.compile(r"^tg://emoji\?id=(\d{1,19})$", re.IGNORECASE)
# tdlib's names for entity types in "Can't find end of <Type> entity" errors.
_TD_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline",
    "strikethrough": "Strikethrough", "spoiler": "Spoiler", "code": "Code", "pre": "Pre",
    "text_link": "TextUrl", "custom_emoji": "CustomEmoji", "blockquote": "BlockQuote",
}  # fmt: skip


@dataclass(slots=True)
class _Open:
    kind: str
    argument: str
    offset: int
    begin: int  # index of the opening mark in the source
    piece: int


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _td_name(opened: _Open) -> str:
    if opened.kind == "pre" and opened.argument:
        return "PreCode"
    return _TD_NAMES[opened.kind]


def parse_markdown_v2(source: str) -> ParsedText:
    """Text and entities of a MarkdownV2 message, or ``EntityParseError``."""
    size = len(source)

    def at(index: int) -> str:
        return source[index] if index < size else "\x00"

    def escapable(index: int) -> bool:
        return 0 < ord(at(index)) <= 126

    pieces: list[str] = []
    entities: list[Entity] = []
    stack: list[_Open] = []
    utf16 = 0
    have_blockquote = False
    i = 0
    while i < size:
        char = source[i]
        if char == "\\" and escapable(i + 1):
            pieces.append(source[i + 1])
            utf16 += 1
            i += 2
            continue
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        if char not in ("`" if in_code else _RESERVED):
            run = (_PLAIN_IN_CODE if in_code else _PLAIN).match(source, i)
            chunk = run.group() if run else char
            pieces.append(chunk)
            utf16 += utf16_len(chunk)
            i += len(chunk)
            continue

        closing = False
        if stack:
            top = stack[-1].kind
            if have_blockquote and char == "\n" and (i + 1 == size or source[i + 1] != ">"):
                closing = True
            elif top == "bold":
                closing = char == "*"
            elif top == "italic":
                closing = char == "_" and at(i + 1) != "_"
            elif top == "code":
                closing = char == "`"
            elif top == "pre":
                closing = char == "`" and at(i + 1) == "`" and at(i + 2) == "`"
            elif top in ("text_link", "custom_emoji"):
                closing = char == "]"
            elif top == "underline":
                closing = char == "_" and at(i + 1) == "_"
            elif top == "strikethrough":
                closing = char == "~"
            elif top == "spoiler":
                closing = char == "|" and at(i + 1) == "|"

        if not closing:
            begin = i
            argument = ""
            kind: str | None
            if char == "_":
                kind = "italic"
                if at(i + 1) == "_":
                    kind = "underline"
                    i += 1
            elif char == "*":
                kind = "bold"
            elif char == "~":
                kind = "strikethrough"
            elif char == "|":
                if at(i + 1) != "|":
                    raise _reserved(char)
                i += 1
                kind = "spoiler"
            elif char == "[":
                kind = "text_link"
            elif char == "`":
                kind = "code"
                if at(i + 1) == "`" and at(i + 2) == "`":
                    kind = "pre"
                    i, argument = _pre_start(source, i + 3, at)
                    i -= 1
            elif char == "!":
                if at(i + 1) != "[":
                    raise _reserved(char)
                i += 1
                kind = "custom_emoji"
            elif char == "\n":
                pieces.append("\n")
                utf16 += 1
                kind = None
                if i + 1 < size and source[i + 1] == ">":
                    i += 1
                    if not have_blockquote:
                        kind = "blockquote"
                        have_blockquote = True
            elif char == ">":
                if i != 0:
                    raise _reserved(char)
                kind = "blockquote"
                have_blockquote = True
            else:
                raise _reserved(char)
            if kind is not None:
                stack.append(_Open(kind, argument, utf16, begin, len(pieces)))
            i += 1
            continue

        opened = stack[-1]
        if char == "\n" and opened.kind != "blockquote":
            raise EntityParseError(
                f"Can't find end of {_td_name(opened)} entity at byte offset "
                f"{byte_offset(source, opened.begin)}"
            )
        skip = utf16 == opened.offset
        extra: dict[str, object] = {}
        kind = opened.kind
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
            if opened.argument:
                extra["language"] = opened.argument
        elif kind == "text_link":
            if at(i + 1) != "(":
                url = "".join(pieces[opened.piece :])
            else:
                url, i = _read_url(source, i + 2, at, "a URL")
            user_id = mentioned_user_id(url)
            if user_id is not None:
                kind = "text_mention"
                extra["user"] = {"id": user_id, "is_bot": False, "first_name": ""}
            else:
                link = checked_link(url)
                skip = skip or not link
                extra["url"] = link
        elif kind == "custom_emoji":
            if at(i + 1) != "(":
                raise EntityParseError("Custom emoji entity must contain a tg://emoji URL")
            url, i = _read_url(source, i + 2, at, "a custom emoji URL")
            emoji = _EMOJI_URL.match(url)
            if emoji is None or int(emoji.group(1)) == 0:
                raise EntityParseError("Invalid custom emoji identifier specified")
            extra["custom_emoji_id"] = emoji.group(1)
        elif kind == "blockquote":
            have_blockquote = False
            pieces.append(char)
            utf16 += 1
        if not skip:
            entities.append(entity(kind, opened.offset, utf16 - opened.offset, **extra))
        stack.pop()
        i += 1

    if have_blockquote and stack and stack[-1].kind == "blockquote":
        opened = stack.pop()
        if utf16 != opened.offset:
            entities.append(entity("blockquote", opened.offset, utf16 - opened.offset))
    if stack:
        raise EntityParseError(
            f"Can't find end of {_td_name(stack[-1])} entity at byte offset "
            f"{byte_offset(source, stack[-1].begin)}"
        )
    sort_entities(entities)
    return ParsedText("".join(pieces), entities)


def _pre_start(source: str, i: int, at: _At) -> tuple[int, str]:
    """After an opening ```: the language (if any) and the index where the code starts."""
    language = ""
    end = i
    while at(end) not in _SPACE and at(end) != "`":
        end += 1
    if i != end and end < len(source) and at(end) != "`":
        language = source[i:end]
        i = end
    if at(i) in "\n\r":
        if at(i + 1) in "\n\r" and at(i) != at(i + 1):
            i += 2
        else:
            i += 1
    return i, language


def _read_url(source: str, i: int, at: _At, what: str) -> tuple[str, int]:
    """The URL in ``(...)`` starting at ``i`` (escapes removed) and the index of ``)``."""
    begin = i
    chars: list[str] = []
    while i < len(source) and source[i] != ")":
        if source[i] == "\\" and 0 < ord(at(i + 1)) <= 126:
            chars.append(source[i + 1])
            i += 2
            continue
        chars.append(source[i])
        i += 1
    if at(i) != ")":
        where = byte_offset(source, begin)
        raise EntityParseError(f"Can't find end of {what} at byte offset {where}")
    return "".join(chars), i


def parse_markdown(source: str) -> ParsedText:
    """Text and entities of a legacy ``Markdown`` message, or ``EntityParseError``."""
    size = len(source)

    def at(index: int) -> str:
        return source[index] if index < size else "\x00"

    pieces: list[str] = []
    entities: list[Entity] = []
    utf16 = 0
    i = 0
    while i < size:
        char = source[i]
        if char == "\\" and at(i + 1) in "_*`[" and at(i + 1) != "\x00":
            pieces.append(source[i + 1])
            utf16 += 1
            i += 2
            continue
        if char not in "_*`[":
            pieces.append(char)
            utf16 += 2 if ord(char) > 0xFFFF else 1
            i += 1
            continue
        begin = i
        end_char = "]" if char == "[" else char
        is_pre = False
        language = ""
        i += 1
        if char == "`" and at(i) == "`" and at(i + 1) == "`":
            is_pre = True
            i, language = _pre_start(source, i + 2, at)
        offset = utf16
        start_piece = len(pieces)
        while i < size and (
            source[i] != end_char or (is_pre and not (at(i + 1) == "`" and at(i + 2) == "`"))
        ):
            pieces.append(source[i])
            utf16 += 2 if ord(source[i]) > 0xFFFF else 1
            i += 1
        if i == size:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(source, begin)}"
            )
        if utf16 != offset:
            length = utf16 - offset
            if char == "_":
                entities.append(entity("italic", offset, length))
            elif char == "*":
                entities.append(entity("bold", offset, length))
            elif char == "`":
                kind = "pre" if is_pre else "code"
                entities.append(entity(kind, offset, length, language=language or None))
            else:
                if at(i + 1) != "(":
                    url = "".join(pieces[start_piece:])
                else:
                    i += 2
                    url_start = i
                    while i < size and source[i] != ")":
                        i += 1
                    url = source[url_start:i]
                user_id = mentioned_user_id(url)
                if user_id is not None:
                    user = {"id": user_id, "is_bot": False, "first_name": ""}
                    entities.append(entity("text_mention", offset, length, user=user))
                elif link := checked_link(url):
                    entities.append(entity("text_link", offset, length, url=link))
        if is_pre:
            i += 2
        i += 1
    sort_entities(entities)
    return ParsedText("".join(pieces), entities)
