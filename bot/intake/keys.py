"""Which chat an update belongs to, read from the Bot API JSON (no ``telegram`` import)."""

from __future__ import annotations

from typing import Any


def chat_key(update: dict[str, Any]) -> int | None:
    """The chat whose updates must be handled in order; the user when there is no chat.

    A button press belongs to the chat of its message, a poll answer or an inline query to
    its user (whose private chat has the same id). None: nothing to order by.
    """
    for name, body in update.items():
        if name == "update_id" or not isinstance(body, dict):
            continue
        for path in (("chat",), ("message", "chat"), ("from",), ("user",), ("voter_chat",)):
            found = _dig(body, path)
            if found is not None:
                return found
    return None


def _dig(body: dict[str, Any], path: tuple[str, ...]) -> int | None:
    node: Any = body
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    if isinstance(node, dict):
        ident = node.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            return ident
    return None
