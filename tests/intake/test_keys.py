"""Which chat an update belongs to, from the Bot API JSON."""

from __future__ import annotations

import pytest

from bot.intake.keys import chat_key

CASES = [
    ({"update_id": 1, "message": {"chat": {"id": 42}, "from": {"id": 42}}}, 42),
    ({"update_id": 1, "edited_message": {"chat": {"id": -100}, "from": {"id": 7}}}, -100),
    (
        {
            "update_id": 1,
            "callback_query": {"from": {"id": 7}, "message": {"chat": {"id": -5}}},
        },
        -5,
    ),
    ({"update_id": 1, "callback_query": {"from": {"id": 7}, "inline_message_id": "x"}}, 7),
    ({"update_id": 1, "my_chat_member": {"chat": {"id": -9}, "from": {"id": 3}}}, -9),
    ({"update_id": 1, "inline_query": {"from": {"id": 11}, "query": ""}}, 11),
    ({"update_id": 1, "poll_answer": {"user": {"id": 12}, "poll_id": "p"}}, 12),
    ({"update_id": 1, "poll": {"id": "p", "question": "?"}}, None),
    ({"update_id": 1}, None),
    ({"update_id": 1, "message": {"chat": {"id": True}}}, None),
]


@pytest.mark.parametrize(("update", "expected"), CASES)
def test_chat_key(update: dict[str, object], expected: int | None) -> None:
    assert chat_key(update) == expected
