"""Ingestion: detect a programme or feed's format and parse it into normalised records."""

from bot.ingest.detect import detect_format
from bot.ingest.errors import ParseError
from bot.ingest.records import NewsEntry, ParseResult, SessionRecord
from bot.ingest.registry import PARSERS, parse_programme

__all__ = [
    "PARSERS",
    "NewsEntry",
    "ParseError",
    "ParseResult",
    "SessionRecord",
    "detect_format",
    "parse_programme",
]
