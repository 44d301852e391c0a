"""Message text as Telegram sees it: parse modes, UTF-16 lengths, trimming, automatic entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request

Entity = dict[str, Any]

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TRIMMED = " \t\n\r\v\f"


class EntityParseError(Exception):
    """Markup Telegram refuses; the message is tdlib's wording after ``can't parse entities:``."""


@dataclass(slots=True)
class ParsedText:
    """Plain text and its entities (offsets and lengths in UTF-16 code units)."""

    text: str
    entities: list[Entity] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram offset and limit."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def byte_offset(text: str, index: int) -> int:
    """UTF-8 byte offset of ``text[index]``: tdlib reports markup errors in bytes."""
    return len(text[:index].encode("utf-8", "surrogatepass"))


def entity(kind: str, offset: int, length: int, **extra: Any) -> Entity:
    """A MessageEntity in Bot API JSON."""
    result: Entity = {"type": kind, "offset": offset, "length": length}
    result.update({key: value for key, value in extra.items() if value is not None})
    return result


# tdlib's tie-break for entities with the same offset and length.
_PRIORITY = {
    "blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20, "text_link": 49,
    "text_mention": 49, "bold": 90, "italic": 91, "underline": 92, "strikethrough": 93,
    "spoiler": 94, "custom_emoji": 99,
}  # fmt: skip


def sort_entities(entities: list[Entity]) -> None:
    """Telegram's order: by offset, longer (outer) entities first, then by kind."""
    entities.sort(
        key=lambda item: (item["offset"], -item["length"], _PRIORITY.get(item["type"], 50))
    )


class Utf16Offsets:
    """Converts ``str`` indexes to UTF-16 offsets, cheaply when the text is all BMP."""

    __slots__ = ("_text", "_trivial")

    def __init__(self, text: str) -> None:
        self._text = text
        self._trivial = utf16_len(text) == len(text)

    def __call__(self, index: int) -> int:
        if self._trivial:
            return index
        return utf16_len(self._text[:index])


def trim(parsed: ParsedText) -> ParsedText:
    """Strip leading and trailing whitespace like Telegram, keeping entities on their text."""
    text = parsed.text
    stripped = text.strip(_TRIMMED)
    if stripped == text:
        return parsed
    if not stripped:
        return ParsedText("", [])
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIMMED))])
    new_length = utf16_len(stripped)
    entities: list[Entity] = []
    for item in parsed.entities:
        start = max(item["offset"] - lead, 0)
        end = min(item["offset"] + item["length"] - lead, new_length)
        if end > start:
            moved = dict(item)
            moved["offset"] = start
            moved["length"] = end - start
            entities.append(moved)
    return ParsedText(stripped, entities)


_COMMAND = re.compile(r"(?<![A-Za-z0-9_/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w#])#\w{0,255}[^\W\d]\w*")
_URL = re.compile(r"(?<![\w@/.])(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_UNTOUCHABLE = frozenset({"code", "pre", "text_link", "url", "text_mention"})


def find_auto_entities(text: str, existing: list[Entity] | None = None) -> list[Entity]:
    """Entities Telegram adds by itself: bot commands, mentions, hashtags and URLs."""
    found: list[Entity] = []
    if not text:
        return found
    offsets: Utf16Offsets | None = None
    blocked = [
        (item["offset"], item["offset"] + item["length"])
        for item in existing or ()
        if item["type"] in _UNTOUCHABLE
    ]
    # Cheap substring tests first: most texts have none of these.
    for kind, pattern, present in (
        ("bot_command", _COMMAND, "/" in text),
        ("mention", _MENTION, "@" in text),
        ("hashtag", _HASHTAG, "#" in text),
        ("url", _URL, "://" in text or "www." in text.lower()),
    ):
        if not present:
            continue
        for match in pattern.finditer(text):
            if offsets is None:
                offsets = Utf16Offsets(text)
            start, end = offsets(match.start()), offsets(match.end())
            if any(start < stop and begin < end for begin, stop in blocked):
                continue
            found.append(entity(kind, start, end - start))
    return found


def format_text(
    text: str | None,
    parse_mode: str | None,
    explicit_entities: Any,
    *,
    caption: bool = False,
    strict_html: bool = False,
) -> ParsedText:
    """Parse a message text or caption like the Bot API, or raise its 400 error."""
    # Imported here: both parsers import this module for ParsedText and the helpers.
    from .html_check import parse_html
    from .markdown_check import parse_markdown, parse_markdown_v2

    raw = text or ""
    mode = (parse_mode or "").strip().lower()
    if isinstance(explicit_entities, list) and explicit_entities:
        parsed = ParsedText(raw, _checked_entities(raw, explicit_entities))
    elif mode == "":
        parsed = ParsedText(raw, [])
    else:
        try:
            if mode == "html":
                parsed = parse_html(raw, strict_ampersand=strict_html)
            elif mode == "markdownv2":
                parsed = parse_markdown_v2(raw)
            elif mode == "markdown":
                parsed = parse_markdown(raw)
            else:
                raise bad_request("unsupported parse_mode")
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    parsed = trim(parsed)
    if not parsed.text and not caption:
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > (CAPTION_LIMIT if caption else MESSAGE_LIMIT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    parsed.entities.extend(find_auto_entities(parsed.text, parsed.entities))
    sort_entities(parsed.entities)
    return parsed


def _checked_entities(text: str, entities: list[Any]) -> list[Entity]:
    total = utf16_len(text)
    checked: list[Entity] = []
    for item in entities:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request("can't parse entities: entity type is not specified")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request("can't parse entities: entity offset or length is not specified")
        if offset < 0 or length <= 0 or offset + length > total:
            continue  # Telegram silently drops entities outside the text
        checked.append(dict(item))
    return checked


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` an entity covers (offset and length in UTF-16 code units)."""
    if utf16_len(text) == len(text):
        return text[offset : offset + length]
    data = text.encode("utf-16-le", "surrogatepass")
    return data[2 * offset : 2 * (offset + length)].decode("utf-16-le", "surrogatepass")
