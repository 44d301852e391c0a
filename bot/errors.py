"""Domain errors: each carries a message id that handlers translate for the user."""

from __future__ import annotations

from typing import Any


class UserFacingError(Exception):
    """Something the user can fix or should know; ``message_id`` names the explanation."""

    def __init__(self, message_id: str, **params: Any) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.params = params
