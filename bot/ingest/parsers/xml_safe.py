"""XML for the parsers, read with defusedxml: entity bombs and external entities are refused
with a ParseError, and a syntax error names its line and column."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as SafeET

from bot.ingest.errors import ParseError


def load_xml(data: bytes, label: str) -> Element:
    """The root element; ParseError for empty, unsafe or malformed input."""
    data = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not data:
        raise ParseError("empty document", fmt=label)
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(f"unsafe XML refused ({type(exc).__name__})", fmt=label) from exc
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        reason = str(exc).split(":", 1)[0]
        raise ParseError(reason, f"line {line}, column {column}", fmt=label) from exc
    return root


def local_name(tag: str) -> str:
    """A tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]
