"""The web pages' fixtures: the relay's bot (tests/questions/conftest.py) with its web server."""

from __future__ import annotations

from tests.questions.conftest import api, bot, start_translating_bot

__all__ = ["api", "bot", "start_translating_bot"]
