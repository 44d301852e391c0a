"""Request parameters as the Bot API reads them.

A method's parameters arrive as a JSON object (native values), as form fields or as multipart
parts (every value a string; objects JSON-encoded). ``Params`` hides the difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import bad_request


@dataclass(slots=True, frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """Typed, Telegram-lenient access to one request's parameters."""

    __slots__ = ("files", "raw")

    def __init__(self, raw: dict[str, Any], files: dict[str, UploadedFile] | None = None) -> None:
        self.raw = raw
        self.files = files or {}

    def has(self, name: str) -> bool:
        """True if the parameter was sent with a non-empty value."""
        value = self.raw.get(name)
        return (value is not None and value != "") or name in self.files

    def get_str(self, name: str) -> str | None:
        """The parameter as text; numbers are accepted and converted like Telegram does."""
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value, ensure_ascii=False)

    def get_int(self, name: str, *, required: str | None = None) -> int | None:
        """The parameter as an integer; ``required`` is the error detail when it is missing."""
        value = self.raw.get(name)
        if value is None or value == "":
            if required is not None:
                raise bad_request(required)
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f"invalid {name} specified")

    def get_float(self, name: str) -> float | None:
        """The parameter as a number."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """The parameter as a boolean (``true``/``1`` are true, like Telegram)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def get_json(self, name: str, error: str) -> Any:
        """A JSON-serialized object or array; ``error`` is the detail if it does not parse."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def chat_id(self) -> int | str:
        """``chat_id`` as an integer or an ``@username``."""
        value = self.raw.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        if isinstance(value, int):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            if text.startswith("@"):
                return text
            raise bad_request("chat not found") from None

    def loggable(self) -> dict[str, Any]:
        """The parameters for the request log, files summarised instead of their bytes."""
        if not self.files:
            return dict(self.raw)
        logged = dict(self.raw)
        for name, upload in self.files.items():
            logged[name] = f"<file {upload.filename!r}, {len(upload.data)} bytes>"
        return logged
