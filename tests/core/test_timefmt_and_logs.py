"""Time display across zones, and the token never reaching a log line."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.logs import RedactSecrets
from bot.timefmt import format_span

BAKU, PARIS, NOVOSIBIRSK = (
    ZoneInfo("Asia/Baku"),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("Asia/Novosibirsk"),
)


@pytest.mark.parametrize(
    ("reader", "language", "expected"),
    [
        (PARIS, "en", "Tue 23 Jun 08:00–09:30 (Europe/Paris) · venue 10:00–11:30"),
        (NOVOSIBIRSK, "ru", "вт 23 июн. 13:00–14:30 (Asia/Novosibirsk) · на площадке 10:00–11:30"),
        (BAKU, "en", "Tue 23 Jun 10:00–11:30 (Asia/Baku)"),
    ],
)
def test_baku_session_in_readers_zones(reader: ZoneInfo, language: str, expected: str) -> None:
    start = datetime(2026, 6, 23, 6, 0, tzinfo=UTC)  # 10:00 in Baku
    end = datetime(2026, 6, 23, 7, 30, tzinfo=UTC)
    assert format_span(start, end, reader, BAKU, language) == expected


def test_day_marker_when_dates_differ() -> None:
    start = datetime(2026, 6, 23, 22, 0, tzinfo=UTC)  # 02:00 next day in Baku
    text = format_span(start, start, ZoneInfo("America/New_York"), BAKU, "en")
    assert text == "Tue 23 Jun 18:00 (America/New_York) · venue 02:00 (+1 day)"


def test_token_is_redacted_from_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "123456:SECRET-token"
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactSecrets([token]))
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("POST https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError(f"failed at /bot{token}/sendMessage")
        except RuntimeError:
            logger.exception("boom")
    text = caplog.text + "".join(record.exc_text or "" for record in caplog.records)
    assert token not in text
    assert "/bot<token>/getMe" in text
