"""Typed callback data: one small codec per kind of button, packed and parsed in one place.

A codec is a frozen dataclass with a readable prefix and typed fields::

    @dataclass(frozen=True, slots=True)
    class Vote(CallbackData, prefix="qv"):
        question: Id
        page: Count

    Vote(12, 0).pack() == "qv:12:0";  Vote.unpack("qv:12:0") == Vote(12, 0)

Fields are ``Id`` (a storage id: 1 .. 2**63-1), ``Count`` (a page or minutes: 0 .. 2**63-1),
a ``StrEnum`` (one of a fixed set) or a ``Token`` (a short word without ``:``). ``unpack``
refuses anything else (another prefix, a wrong field count, a non-number, a 20-digit id) with
``BadCallbackData``, so a malformed or replayed press never reaches business code. Packed
data must fit Telegram's 64 bytes. Plain Python: services may use the codecs, handlers glue
them to python-telegram-bot.
"""

from __future__ import annotations

import dataclasses
import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Self, get_args, get_origin, get_type_hints

MAX_BYTES = 64  # Telegram's limit for callback_data
SEPARATOR = ":"
STORAGE_INT_MAX = 2**63 - 1  # BIGINT; larger numbers make the database driver overflow


class BadCallbackData(ValueError):
    """Callback data that no codec of this kind accepts (malformed, forged or from old code)."""


@dataclasses.dataclass(frozen=True, slots=True)
class IntRange:
    minimum: int
    maximum: int = STORAGE_INT_MAX


@dataclasses.dataclass(frozen=True, slots=True)
class TokenShape:
    pattern: str


Id = Annotated[int, IntRange(1)]
Count = Annotated[int, IntRange(0)]
Token = Annotated[str, TokenShape(r"[A-Za-z0-9_+\-/.]{1,48}")]

_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(text: str, minimum: int = 1, maximum: int = STORAGE_INT_MAX) -> int | None:
    """``text`` as a whole number within [minimum, maximum], else None (also for 10**20)."""
    text = text.strip()
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not _DIGITS.fullmatch(digits):
        return None
    value = -int(digits) if negative else int(digits)
    return value if minimum <= value <= maximum else None


def parse_id(text: str) -> int | None:
    """A storage id typed by a person or carried by a button: 1 .. 2**63-1."""
    return parse_int(text, 1)


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    kind: type
    shape: IntRange | TokenShape | None


class CallbackData:
    """Base of every codec; subclasses are frozen dataclasses declared with ``prefix=``."""

    prefix: ClassVar[str]
    __slots__ = ()

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if prefix:
            if not re.fullmatch(r"[a-z]+(:[a-z]+)*", prefix):
                raise ValueError(f"callback prefix {prefix!r}: lowercase words and ':' only")
            cls.prefix = prefix

    @classmethod
    def _fields(cls) -> list[_Field]:
        cached: list[_Field] | None = cls.__dict__.get("_codec_fields")
        if cached is not None:
            return cached
        hints = get_type_hints(cls, include_extras=True)
        found = []
        for field in dataclasses.fields(cls):  # type: ignore[arg-type]
            hint = hints[field.name]
            shape = None
            if get_origin(hint) is Annotated:
                hint, *extras = get_args(hint)
                shape = next(
                    (extra for extra in extras if isinstance(extra, IntRange | TokenShape)), None
                )
            if hint is int and shape is None:
                shape = IntRange(1)
            if not (hint is int or hint is str or issubclass(hint, StrEnum)):
                raise TypeError(f"{cls.__name__}.{field.name}: int, str or StrEnum only")
            found.append(_Field(field.name, hint, shape))
        setattr(cls, "_codec_fields", found)  # noqa: B010 (a class attribute beside slots)
        return found

    @classmethod
    def pattern(cls) -> str:
        """A regular expression matching this codec's prefix and field count (for routing)."""
        fields = "".join(f"{SEPARATOR}[^{SEPARATOR}]*" for _ in cls._fields())
        return f"^{re.escape(cls.prefix)}{fields}$"

    def pack(self) -> str:
        parts = [self.prefix]
        for field in self._fields():
            value = getattr(self, field.name)
            _check(field, value)
            parts.append(str(value))
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self:
        """The codec's value, or ``BadCallbackData`` for anything it did not pack."""
        if data is None or len(data.encode()) > MAX_BYTES:
            raise BadCallbackData(data)
        if data != cls.prefix and not data.startswith(cls.prefix + SEPARATOR):
            raise BadCallbackData(data)
        rest = data[len(cls.prefix) + 1 :]
        fields = cls._fields()
        parts = rest.split(SEPARATOR) if fields else ([] if data == cls.prefix else [rest])
        if len(parts) != len(fields):
            raise BadCallbackData(data)
        values = [_parse(field, part, data) for field, part in zip(fields, parts, strict=True)]
        return cls(*values)

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """``unpack`` that answers None instead of raising."""
        try:
            return cls.unpack(data)
        except BadCallbackData:
            return None


def _check(field: _Field, value: object) -> None:
    text = str(value)
    if SEPARATOR in text or _parse(field, text, text) != value:
        raise ValueError(f"{field.name}={value!r} cannot be packed")


def _parse(field: _Field, text: str, data: str) -> Any:
    if field.kind is int:
        assert isinstance(field.shape, IntRange)
        number = parse_int(text, field.shape.minimum, field.shape.maximum)
        if number is None or str(number) != text:  # "007", " 7", "+7" are not ours
            raise BadCallbackData(data)
        return number
    if field.kind is str:
        if isinstance(field.shape, TokenShape) and not re.fullmatch(field.shape.pattern, text):
            raise BadCallbackData(data)
        if not text:
            raise BadCallbackData(data)
        return text
    try:
        return field.kind(text)
    except ValueError:
        raise BadCallbackData(data) from None
