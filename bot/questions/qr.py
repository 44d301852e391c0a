"""The deep link that opens asking for one session, and its QR code for the room's screen."""

from __future__ import annotations

import io

import segno

ASK_PAYLOAD = "ask_"


def ask_link(bot_username: str, session_id: int) -> str:
    """``https://t.me/<bot>?start=ask_<session>``: /start with the payload the bot routes."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={ASK_PAYLOAD}{session_id}"


def qr_png(link: str, *, scale: int = 10) -> bytes:
    """A PNG big enough to scan from the back of a room (error correction level Q)."""
    code = segno.make(link, error="q", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
