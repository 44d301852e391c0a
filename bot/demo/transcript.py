"""The terminal side of the rehearsal: one line per message, who to whom, as it happens.

On a terminal the lines are coloured with ``rich`` and cut to the window's width; otherwise
(a pipe, a file, a test) they are plain text cut at a fixed length, so logs stay greppable.
A Markdown document (the moderator's report) is laid out by ``rich`` either way: styled on a
terminal, plain text otherwise, never its source with its escapes.
Every bot line shows what the local Bot API server received from the bot: the visible text
(markup already parsed away, as a Telegram client shows it), never text from the script.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markdown import Markdown
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

PLAIN_WIDTH = 160
INDENT = " " * len("09:35  ")  # under the text, past the time


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace collapsed), cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: max(0, limit - 1)].rstrip() + "…"


def rendered_plain(markdown: str, width: int) -> list[str]:
    """The lines ``rich`` lays a Markdown document out in, without colours or styles."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=False, color_system=None, highlight=False
    )
    console.print(Markdown(markdown))
    return [line.rstrip() for line in buffer.getvalue().rstrip().splitlines()]


@dataclass(frozen=True, slots=True)
class Speaker:
    """A name on the transcript and its colour."""

    label: str
    style: str = ""


BOT = Speaker("bot", "bold white")


class Transcript:
    """Prints what happens; ``now`` gives the bot's time, shown in the venue's zone."""

    def __init__(
        self,
        out: TextIO | None,
        now: Callable[[], datetime],
        zone: ZoneInfo,
        *,
        color: bool | None = None,
    ) -> None:
        self._out = out or sys.stdout
        self._now = now
        self._zone = zone
        rich = self._out.isatty() if color is None else color
        self._console = (
            Console(file=self._out, highlight=False, force_terminal=color) if rich else None
        )
        self.lines: list[str] = []  # every line as plain text (kept with --keep)

    @property
    def rich(self) -> bool:
        return self._console is not None

    def _stamp(self) -> str:
        return self._now().astimezone(self._zone).strftime("%H:%M")

    def _emit(self, parts: list[tuple[str, str]], *, dim: bool = False) -> None:
        """Write one line made of (text, style) parts."""
        plain = "".join(text for text, _ in parts)
        self.lines.append(plain)
        if self._console is None:
            shown = plain if len(plain) <= PLAIN_WIDTH else plain[: PLAIN_WIDTH - 1] + "…"
            print(shown, file=self._out, flush=True)
            return
        line = Text(no_wrap=True, overflow="ellipsis", style="dim" if dim else "")
        for text, style in parts:
            line.append(" ".join(text.split("\n")), style=style)
        self._console.print(line, no_wrap=True, overflow="ellipsis", crop=True)

    # -- people ----------------------------------------------------------------------------

    def said(self, who: Speaker, where: Speaker | None, text: str) -> None:
        """``09:35  Anna (Paris) → bot: /ask ...``; in a group, ``Ivan @ Hub → bot``."""
        parts = [(f"{self._stamp()}  ", "dim"), (who.label, who.style)]
        if where is not None:
            parts += [(" @ ", "dim"), (where.label, where.style)]
        parts += [(" → ", "dim"), (BOT.label, BOT.style), (": ", "dim"), (one_line(text, 400), "")]
        self._emit(parts)

    def pressed(self, who: Speaker, where: Speaker | None, label: str, verb: str) -> None:
        """``09:36  Anna (Paris) presses [🔔 Remind me]``."""
        parts = [(f"{self._stamp()}  ", "dim"), (who.label, who.style)]
        if where is not None:
            parts += [(" @ ", "dim"), (where.label, where.style)]
        parts += [(f" {verb} ", "dim"), (f"[{one_line(label, 60)}]", "bold")]
        self._emit(parts)

    # -- the bot ---------------------------------------------------------------------------

    def bot_said(self, to: Speaker, text: str, *, arrow: str = "→") -> None:
        """``09:35  bot → Anna (Paris): ...``; ``arrow`` "✎" for an edit, "⇢" for a toast."""
        parts = [
            (f"{self._stamp()}  ", "dim"),
            (BOT.label, BOT.style),
            (f" {arrow} ", "dim"),
            (to.label, to.style),
            (": ", "dim"),
            (one_line(text, 600), ""),
        ]
        self._emit(parts)

    def in_full(
        self,
        to: Speaker,
        number: int,
        text: str,
        buttons: list[tuple[str, str]],
        *,
        edited: bool = False,
    ) -> None:
        """A bot message to the person at the keyboard, whole and numbered: every line of its
        text, then each button on a line of its own, ``(mark, label)`` like ``("2.1)", "🔔")``.

        Nothing is cut: wrapped under the text on a terminal, long lines kept in plain text.
        """
        head, *rest = text.split("\n")
        rows: list[tuple[str, list[tuple[str, str]]]] = [
            (
                f"{self._stamp()}  ",
                [
                    (BOT.label, BOT.style),
                    (" ✎ " if edited else " → ", "dim"),
                    (to.label, to.style),
                    (f" [{number}]", "bold"),
                    (": ", "dim"),
                    (head, ""),
                ],
            )
        ]
        rows += [(INDENT, [(line, "")]) for line in rest]
        rows += [
            (INDENT, [("↳ ", "dim"), (f"{mark} ", "bold"), (label, "bold")])
            for mark, label in buttons
        ]
        self._emit_whole(rows)

    def _emit_whole(self, rows: list[tuple[str, list[tuple[str, str]]]]) -> None:
        """Write lines of (text, style) parts after a left column, wrapping instead of cutting."""
        plain = [(left + "".join(text for text, _ in parts)).rstrip() for left, parts in rows]
        self.lines.extend(plain)
        if self._console is None:
            print("\n".join(plain), file=self._out, flush=True)
            return
        grid = Table.grid()
        grid.add_column(width=len(INDENT), no_wrap=True)
        grid.add_column(overflow="fold")
        for left, parts in rows:
            grid.add_row(Text(left, style="dim"), Text.assemble(*parts))
        self._console.print(grid)

    # -- the demo itself -------------------------------------------------------------------

    def note(self, text: str, *, whole: bool = False) -> None:
        """A narrator's line (what the demo does, not a message); ``whole`` for one the
        person at the keyboard must read to the end (wrapped, not cut)."""
        if whole:
            self._emit_whole([(f"{self._stamp()}  ", [(f"· {text}", "italic")])])
            return
        self._emit([(f"{self._stamp()}  ", "dim"), (f"· {text}", "italic")], dim=True)

    def heading(self, text: str) -> None:
        self.lines.append(f"== {text} ==")
        if self._console is None:
            print(f"\n== {text} ==", file=self._out, flush=True)
        else:
            self._console.print(Rule(text))

    def document(self, markdown: str) -> None:
        """A Markdown document rendered as a reader sees it: styled on a terminal, plain text
        otherwise (headings, tables and quotes laid out, no markup or escapes left)."""
        plain = rendered_plain(markdown, PLAIN_WIDTH)
        self.lines.extend(plain)
        if self._console is None:
            print("\n".join(plain), file=self._out, flush=True)
        else:
            self._console.print(Markdown(markdown))

    def summary(self, text: str) -> None:
        self.lines.append(text)
        if self._console is None:
            print(text, file=self._out, flush=True)
        else:
            self._console.print(Text(text, style="bold green"))
