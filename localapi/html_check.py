"""Telegram's HTML parse mode, ported from tdlib's ``parse_html`` (same checks, same wording).

Telegram is stricter about tags than browsers and laxer about ``&``: a ``&`` that does not
start one of the supported entities is kept as a literal character, exactly like tdlib does.
``strict_ampersand=True`` rejects it instead, for tests that want the bot to escape everything.
"""

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

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
        "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
    }
)  # fmt: skip
_SIMPLE = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler",
}  # fmt: skip
_SPECIAL = re.compile(r"[<&]")
_NAME_END = re.compile(r"[ \t\r\n\v\f\x00>]")
_SPACE = frozenset(" \t\r\n\v\f\x00")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_DEC = frozenset("0123456789")
_HEX = frozenset("0123456789abcdefABCDEF")
_ALPHA = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TOKEN = frozenset(_ALPHA | _DEC | {".", "-"})
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(slots=True)
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset of the entity in the result
    piece: int  # index in the output pieces where the entity's text starts


def _lower(text: str) -> str:
    # tdlib lowercases ASCII only; "<Б>" stays "Б" in the error message.
    return text.translate(_ASCII_LOWER)


def decode_entity(text: str, pos: int) -> tuple[str, int]:
    """Decode the character reference at ``text[pos] == '&'``; ``("", pos)`` if there is none."""
    size = len(text)
    end = pos + 1
    if end < size and text[end] == "#":
        end += 1
        digits = _DEC
        base = 10
        if end < size and text[end] == "x":
            end += 1
            digits, base = _HEX, 16
        start = end
        while end < size and text[end] in digits:
            end += 1
        if end - pos >= 10 or end == start:
            return "", pos
        code = int(text[start:end], base)
        if code == 0 or code >= 0x10FFFF:
            return "", pos
        char = chr(code)
    else:
        while end < size and text[end] in _ALPHA:
            end += 1
        named = _NAMED.get(text[pos + 1 : end])
        if named is None:
            return "", pos
        char = named
    if end < size and text[end] == ";":
        end += 1
    return char, end


def parse_html(source: str, *, strict_ampersand: bool = False) -> ParsedText:
    """Text and entities of an HTML-formatted message, or ``EntityParseError``."""
    size = len(source)

    def at(index: int) -> str:
        return source[index] if index < size else "\x00"

    pieces: list[str] = []
    entities: list[Entity] = []
    stack: list[_OpenTag] = []
    utf16 = 0
    surrogates = False
    i = 0
    while i < size:
        match = _SPECIAL.search(source, i)
        if match is None:
            pieces.append(source[i:])
            break
        j = match.start()
        if j > i:
            chunk = source[i:j]
            pieces.append(chunk)
            utf16 += utf16_len(chunk)
        if source[j] == "&":
            char, after = decode_entity(source, j)
            if char:
                surrogates = surrogates or 0xD800 <= ord(char) <= 0xDFFF
                pieces.append(char)
                utf16 += 2 if ord(char) > 0xFFFF else 1
                i = after
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Character "&" at byte offset {byte_offset(source, j)} does not start '
                    "an HTML entity (strict mode; Telegram itself would keep it)"
                )
            pieces.append("&")
            utf16 += 1
            i = j + 1
            continue

        begin = j
        if at(j + 1) != "/":
            i = _open_tag(source, j, at, stack, utf16, len(pieces))
            continue

        # An end tag.
        if not stack:
            where = byte_offset(source, begin)
            raise EntityParseError(f"Unexpected end tag at byte offset {where}")
        name_end = _NAME_END.search(source, j + 2)
        i = name_end.start() if name_end else size
        end_name = _lower(source[j + 2 : i])
        while at(i) in _SPACE and at(i) != "\x00":
            i += 1
        if at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(source, begin)}")
        opened = stack[-1]
        if end_name and end_name != opened.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {byte_offset(source, begin)}, "
                f'expected "</{opened.name}>", found "</{end_name}>"'
            )
        if utf16 > opened.offset:
            _close(opened, utf16 - opened.offset, pieces, entities)
        stack.pop()
        i += 1

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    if surrogates:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    for item in entities:
        if item["type"] == "code":
            item.pop("language", None)
    sort_entities(entities)
    return ParsedText("".join(pieces), entities)


def _open_tag(
    source: str,
    begin: int,
    at: Callable[[int], str],
    stack: list[_OpenTag],
    utf16: int,
    piece: int,
) -> int:
    """Parse ``<tag attr=...>`` at ``begin``; push it and return the index after ``>``."""
    size = len(source)
    where = f"at byte offset {byte_offset(source, begin)}"
    name_end = _NAME_END.search(source, begin + 1)
    i = name_end.start() if name_end else size
    if at(i) == "\x00":
        raise EntityParseError(f"Unclosed start tag {where}")
    name = _lower(source[begin + 1 : i])
    if name not in ALLOWED_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" {where}')

    argument = ""
    while at(i) != ">":
        while at(i) != "\x00" and at(i) in _SPACE:
            i += 1
        if at(i) == ">":
            break
        attribute_begin = i
        while at(i) not in _SPACE and at(i) not in "=>":
            i += 1
        attribute = source[attribute_begin:i]
        if not attribute:
            raise EntityParseError(f'Empty attribute name in the tag "{name}" {where}')
        while at(i) != "\x00" and at(i) in _SPACE:
            i += 1
        if at(i) != "=":
            if name == "blockquote" and attribute == "expandable":
                argument = "expandable"
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" {where}'
            )
        i += 1
        while at(i) != "\x00" and at(i) in _SPACE:
            i += 1
        if at(i) == "\x00":
            raise EntityParseError(f'Unclosed start tag "{name}" {where}')
        if at(i) not in "'\"":
            token_begin = i
            while at(i) in _TOKEN:
                i += 1
            value = _lower(source[token_begin:i])
            if at(i) not in _SPACE and at(i) != ">":
                token_at = byte_offset(source, token_begin)
                raise EntityParseError(f"Unexpected end of name token at byte offset {token_at}")
        else:
            quote = at(i)
            i += 1
            chars: list[str] = []
            while at(i) != quote and at(i) != "\x00":
                if at(i) == "&":
                    char, after = decode_entity(source, i)
                    if char:
                        chars.append(char)
                        i = after
                        continue
                chars.append(at(i))
                i += 1
            if at(i) == quote:
                i += 1
            value = "".join(chars)
        if at(i) == "\x00":
            raise EntityParseError(f"Unclosed start tag {where}")

        if name == "a" and attribute == "href":
            argument = value
        elif name == "code" and attribute == "class" and value.startswith("language-"):
            argument = value[9:]
        elif name == "span" and attribute == "class" and value.startswith("tg-"):
            argument = value[3:]
        elif name == "tg-emoji" and attribute == "emoji-id":
            argument = value

    if name == "span" and argument != "spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" {where}')
    stack.append(_OpenTag(name, argument, utf16, piece))
    return i + 1


def _close(opened: _OpenTag, length: int, pieces: list[str], entities: list[Entity]) -> None:
    """Append the entity of a closed tag, merging ``<pre><code class=...>`` like tdlib."""
    name, offset = opened.name, opened.offset
    simple = _SIMPLE.get(name)
    if simple is not None:
        entities.append(entity(simple, offset, length))
    elif name == "span":
        entities.append(entity("spoiler", offset, length))
    elif name == "tg-emoji":
        if not opened.argument.isdigit() or not 0 < int(opened.argument) < 2**63:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(entity("custom_emoji", offset, length, custom_emoji_id=opened.argument))
    elif name == "a":
        url = opened.argument or "".join(pieces[opened.piece :])
        user_id = mentioned_user_id(url)
        if user_id is not None:
            user = {"id": user_id, "is_bot": False, "first_name": ""}
            entities.append(entity("text_mention", offset, length, user=user))
        else:
            link = checked_link(url)
            if link:
                entities.append(entity("text_link", offset, length, url=link))
    elif name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and (last["offset"], last["length"]) == (offset, length)
        ):
            # <pre><code class="language-x">: one pre entity (with the language, if any).
            last["type"] = "pre"
            if not last.get("language"):
                last.pop("language", None)
        else:
            entities.append(entity("pre", offset, length))
    elif name == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and (last["offset"], last["length"]) == (offset, length)
            and opened.argument
        ):
            last["language"] = opened.argument
        else:
            entities.append(entity("code", offset, length, language=opened.argument or None))
    elif name == "blockquote":
        kind = "expandable_blockquote" if opened.argument == "expandable" else "blockquote"
        entities.append(entity(kind, offset, length))
