"""Typed callback data: every codec packs what it unpacks, fits 64 bytes, and refuses junk;
outside the codecs no code builds or splits callback data by hand."""

from __future__ import annotations

import dataclasses
import re
from enum import StrEnum
from pathlib import Path

import pytest

from bot import core_callbacks
from bot.callbacks import MAX_BYTES, STORAGE_INT_MAX, BadCallbackData, CallbackData, parse_id
from bot.programme import callbacks as programme_callbacks
from bot.questions import callbacks as question_callbacks
from bot.reminders import callbacks as reminder_callbacks

MODULES = [core_callbacks, programme_callbacks, question_callbacks, reminder_callbacks]
CODECS = [
    value
    for module in MODULES
    for value in vars(module).values()
    if isinstance(value, type) and issubclass(value, CallbackData) and value is not CallbackData
]
ROOT = Path(__file__).resolve().parents[2]
BAD_NUMBERS = ["0", "-1", str(2**63), str(10**20), "x", "", "007", "1.5"]


def _largest(codec: type[CallbackData]) -> CallbackData:
    """The codec's value with the longest fields storage accepts."""
    values: list[object] = []
    for field in codec._fields():
        if field.kind is int:
            values.append(STORAGE_INT_MAX)
        elif field.kind is str:
            values.append({"code": "ffffffff", "language": "ru"}.get(field.name, "A" * 48))
        else:
            assert issubclass(field.kind, StrEnum)
            values.append(max(field.kind, key=len))
    return codec(*values)


def test_there_are_codecs() -> None:
    assert len(CODECS) >= 25


@pytest.mark.parametrize("codec", CODECS, ids=lambda codec: codec.__name__)
def test_round_trip_at_the_largest_values_fits_64_bytes(codec: type[CallbackData]) -> None:
    value = _largest(codec)
    packed = value.pack()
    assert len(packed.encode()) <= MAX_BYTES
    assert codec.unpack(packed) == value
    assert re.match(codec.pattern(), packed)


@pytest.mark.parametrize("codec", CODECS, ids=lambda codec: codec.__name__)
def test_refuses_other_prefixes_and_field_counts(codec: type[CallbackData]) -> None:
    packed = _largest(codec).pack()
    for junk in ["zz:" + packed, packed + ":1", packed.rpartition(":")[0], packed + "x", ""]:
        if junk == codec.prefix and not codec._fields():
            continue
        with pytest.raises(BadCallbackData):
            codec.unpack(junk)
    assert codec.parse(None) is None


@pytest.mark.parametrize("codec", CODECS, ids=lambda codec: codec.__name__)
@pytest.mark.parametrize("bad", BAD_NUMBERS)
def test_refuses_numbers_storage_cannot_take(codec: type[CallbackData], bad: str) -> None:
    fields = codec._fields()
    for index, field in enumerate(fields):
        if field.kind is not int:
            continue
        assert field.shape is not None
        if bad == "0" and field.shape.minimum == 0:  # page numbers start at 0
            continue
        parts = _largest(codec).pack().split(":")
        offset = len(codec.prefix.split(":"))
        parts[offset + index] = bad
        assert codec.parse(":".join(parts)) is None, (codec.__name__, field.name, bad)


def test_enum_fields_take_only_their_set() -> None:
    card = question_callbacks.CardPress
    assert card.unpack("mq:rej:5") == card(question_callbacks.CardAction.REJECT, 5)
    assert card.parse("mq:drop:5") is None
    assert core_callbacks.LanguageChosen.parse("lang:pt") is None
    assert core_callbacks.LanguageChosen.parse("lang:ar") == core_callbacks.LanguageChosen("ar")


def test_pack_refuses_values_it_could_not_read_back() -> None:
    with pytest.raises(ValueError):
        question_callbacks.Vote(0, 0).pack()
    with pytest.raises(ValueError):
        question_callbacks.Vote(2**63, 0).pack()
    with pytest.raises(ValueError):
        reminder_callbacks.ZoneChosen("Europe:Berlin").pack()


def test_codec_patterns_do_not_overlap() -> None:
    """Each packed value is routed to exactly one codec."""
    for codec in CODECS:
        packed = _largest(codec).pack()
        matching = [other for other in CODECS if re.match(other.pattern(), packed)]
        accepting = [other for other in matching if other.parse(packed) is not None]
        assert accepting == [codec], (packed, accepting)


def test_parse_id() -> None:
    assert parse_id("12") == 12
    assert parse_id(str(STORAGE_INT_MAX)) == STORAGE_INT_MAX
    for bad in BAD_NUMBERS:
        if bad != "007":
            assert parse_id(bad) is None, bad


def test_frozen() -> None:
    value = question_callbacks.Vote(1, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.page = 2  # type: ignore[misc]


HAND_SPLIT = re.compile(
    r"query\.data\.(split|partition|removeprefix|startswith)"
    r"|callback_data\"?\s*[:=]\s*f\""
    r"|\"(ask|q|qp|qv|mq|mn|mod|sub|set|card|sessions|ics|lang):[a-z{]"
)


def test_no_code_outside_the_codecs_builds_or_splits_callback_data() -> None:
    offenders = []
    for folder in ("handlers", "bot"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "callbacks.py" or path.name == "core_callbacks.py":
                continue
            if "demo" in path.parts:  # the scripted people read buttons, like a user would
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if HAND_SPLIT.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
