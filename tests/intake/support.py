"""Helpers of the intake tests: distinct questions (near-duplicates get a vote offer instead)."""

from __future__ import annotations

import random
import re

from localapi import LocalBotApiServer

RECEIVED = re.compile(r"Received: question #(\d+)")
WORDS = [
    "library",
    "archive",
    "hub",
    "panel",
    "webcast",
    "rural",
    "school",
    "museum",
    "licence",
    "metadata",
    "budget",
    "training",
    "network",
    "policy",
    "access",
    "open",
    "data",
    "privacy",
    "children",
    "youth",
    "heritage",
]


def question_text(user: int) -> str:
    """``/ask`` with a question no other user's resembles."""
    words = " ".join(random.Random(user).sample(WORDS, 5))
    return f"/ask {user}: what about {words}?"


def acknowledged(api: LocalBotApiServer) -> dict[int, list[int]]:
    """chat id -> the question numbers its "received" messages named (twice: told twice)."""
    acks: dict[int, list[int]] = {}
    for message in api.sent:
        found = RECEIVED.search(message.text or "")
        if found:
            acks.setdefault(message.chat_id, []).append(int(found.group(1)))
    return acks
