"""The one builder of ``sendMessage`` parameters for the bot's HTML texts.

Every text the bot sends is Telegram HTML without a link preview unless asked; building the
payload in one place keeps parse mode, previews and reply parameters the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def html_message(
    chat_id: int,
    text: str,
    keyboard: Mapping[str, Any] | None = None,
    *,
    preview: bool = False,
    reply_to: int | None = None,
) -> dict[str, Any]:
    """``sendMessage`` parameters: HTML ``text``, an optional inline keyboard and reply."""
    payload: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": "HTML"}
    if keyboard is not None:
        payload["reply_markup"] = keyboard
    if not preview:
        payload["link_preview_options"] = {"is_disabled": True}
    if reply_to is not None:
        # Answers the person's own message, so they see what it is about; still sent if gone.
        payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return payload
