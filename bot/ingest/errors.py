"""The one error type every parser raises for input it cannot use."""

from __future__ import annotations


class ParseError(Exception):
    """Input that cannot be turned into records; `where` points into the input."""

    def __init__(self, message: str, where: str | None = None, *, fmt: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.fmt = fmt

    def __str__(self) -> str:
        return ": ".join(part for part in (self.fmt, self.where, self.message) if part)

    def __repr__(self) -> str:
        return f"ParseError({self.message!r}, where={self.where!r}, fmt={self.fmt!r})"
