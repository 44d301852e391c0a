"""The deep link that opens asking for one session, and its QR code for the room's screen."""

from __future__ import annotations

import io

import segno


def qr_png(link: str, *, scale: int = 10) -> bytes:
    """A PNG big enough to scan from the back of a room (error correction level Q)."""
    code = segno.make(link, error="q", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(link: str, *, title: str) -> str:
    """An inline SVG of the link's QR code that scales to its box (for the wall)."""
    code = segno.make(link, error="q", micro=False)
    return str(
        code.svg_inline(
            scale=1,
            border=2,
            dark="#000",
            light="#fff",
            omitsize=True,
            title=title,
            svgclass="qr",
            lineclass=None,
        )
    )
