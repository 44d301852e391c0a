"""XLSX programmes: a Russian forum laid out for print, typed and text cells, and errors."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot.ingest import ParseError, parse_programme
from bot.ingest.outcomes import PollStatus
from storage.db import Database
from storage.models import Session
from storage.repos import programme
from tests.feedserver import FeedServer

from .helpers import DATA_DIR, utc
from .rig import RigFactory, started
from .test_cli_import import remotehub

FORUM = (DATA_DIR / "library_forum.xlsx").read_bytes()


def _book(*rows: list[Any], title: str = "Лист1", extra: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if extra:
        book.create_sheet(extra).append(["title", "start"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_library_forum() -> None:
    result = parse_programme(FORUM, venue_tz="Europe/Minsk")
    assert (result.format, result.title, result.warnings) == (
        "xlsx", "VII Евразийский библиотечный форум", []
    )  # fmt: skip
    assert len(result.sessions) == 9
    moderators = {s.track: s.organiser for s in result.sessions}
    assert len(moderators) == 4
    assert moderators["Секция 3. Краеведение и культурное наследие"] == "Арам Грантович Петросян"
    first = result.sessions[0]
    assert (first.start, first.end) == (utc("2024-10-15T07:00"), utc("2024-10-15T08:30"))
    assert {s.start.date() for s in result.sessions} == {date(2024, 10, 15), date(2024, 10, 16)}
    digital = [s for s in result.sessions if s.room == "Конференц-зал"]
    assert {s.webcast_url for s in digital} == {"https://live.example.by/zal"}
    assert digital[0].persons == ("Иванов И. И.", "Абдуллаева Н. Р.")


HEADER = ["Название", "Дата", "Начало", "Конец", "Зал"]
CASES: dict[str, tuple[list[Any], tuple[str, str]]] = {
    "date and time cells": (
        ["A", date(2024, 6, 18), time(10), time(11, 30), "R"],
        ("2024-06-18T07:00", "2024-06-18T08:30"),
    ),
    "text date and times": (
        ["A", "18.06.2024", "10:00", "11.30", "R"], ("2024-06-18T07:00", "2024-06-18T08:30")
    ),
    "excel serials": (
        ["A", 45461, 0.4166666666666667, 0.4791666666666667, "R"],
        ("2024-06-18T07:00", "2024-06-18T08:30"),
    ),
    "end past midnight rolls over": (
        ["A", date(2024, 6, 18), time(23), time(0, 30), "R"],
        ("2024-06-18T20:00", "2024-06-18T21:30"),
    ),
    "end carrying the next day's date": (
        ["A", None, datetime(2024, 6, 18, 23), datetime(2024, 6, 19, 0, 30), "R"],
        ("2024-06-18T20:00", "2024-06-18T21:30"),
    ),
    "a time range in one cell": (
        ["A", "18 июня 2024", "10:00–11:30", None, "R"], ("2024-06-18T07:00", "2024-06-18T08:30")
    ),
}  # fmt: skip


@pytest.mark.parametrize(("row", "expected"), CASES.values(), ids=list(CASES))
def test_times(row: list[Any], expected: tuple[str, str]) -> None:
    (session,) = parse_programme(_book(HEADER, row), venue_tz="Europe/Moscow").sessions
    assert (session.start, session.end) == (utc(expected[0]), utc(expected[1]))


def test_header_below_a_title_and_day_headings_between_rows() -> None:
    data = _book(
        ["Форум 2024"],
        [],
        ["Тема", "Начало", "Окончание", "Аудитория", "Секция", "Модератор", "Ссылка"],
        ["1 марта 2024 г."],
        ["A", time(9), time(10), "101", "Т1", "Иванова", "https://e.org/a"],
        [date(2024, 3, 2)],
        ["B", "09:00", "10:00", "102", "Т2", "Петров", None],
        ["Перерыв"],
    )
    result = parse_programme(data, venue_tz="UTC")
    assert result.title == "Форум 2024"
    a, b = result.sessions
    assert (a.start, a.room, a.track, a.organiser, a.url) == (
        utc("2024-03-01T09:00"), "101", "Т1", "Иванова", "https://e.org/a"
    )  # fmt: skip
    assert b.start == utc("2024-03-02T09:00")
    assert result.warnings == ["1 row(s) with only a first cell that is not a date; skipped"]


def test_a_named_sheet() -> None:
    data = _book(["x"], extra="Программа")
    with pytest.raises(ParseError, match="no sheet named 'Нет'; the workbook has 'Лист1', 'Прог"):
        parse_programme(data, sheet="Нет")
    assert parse_programme(data, sheet="Программа").warnings == ["no rows after the header"]


SHEET = "XLSX: sheet 'Лист1'"
ROW = f"{SHEET}, row 2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _book(["a", "b"], ["c", "d"]),
            f"{SHEET}: no header row with a title and a start column in rows 1-2",
        ),
        (_book(), f"{SHEET}: no header row with a title and a start column in an empty sheet"),
        (_book(HEADER, ["A", None, "10:00", None, "R"]), f"{ROW}: time of day '10:00' but no date"),
        (_book(HEADER, ["A", "someday", "10:00", None, "R"]), f"{ROW}: unreadable date 'someday'"),
        (_book(HEADER, ["A", None, None, None, "R"]), f"{ROW}: empty start"),
        (FORUM[:3000], "XLSX: not a readable zip archive"),
    ],
)
def test_errors_say_what_and_where(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_programme(data, format="xlsx", venue_tz="UTC")
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def _forum_with_a_cover() -> bytes:
    """A workbook whose first sheet is a cover page and whose programme is the second."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Обложка"
    cover.append(["Форум библиотек Сибири 2026"])
    programme_sheet = book.create_sheet("Программа")
    programme_sheet.append(["Название", "Дата", "Начало", "Окончание", "Зал"])
    programme_sheet.append(["Открытие форума", "01.03.2026", "10:00", "11:00", "101"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_a_configured_source_reads_its_named_sheet(
    rigs: RigFactory, feed_server: FeedServer, database: Database
) -> None:
    data = _forum_with_a_cover()
    with pytest.raises(ParseError, match="Обложка"):  # the first sheet is not a programme
        parse_programme(data)
    feed_server.serve("/programme.xlsx", data)
    rig = await started(
        rigs({"path": "/programme.xlsx", "sheet": "Программа"}, timezone="Asia/Novosibirsk")
    )
    (outcome,) = await rig.service.poll_due()
    assert (outcome.status, outcome.items) == (PollStatus.UPDATED, 1)
    async with database.transaction() as db:
        (source,) = await programme.list_sources(db)
        (session,) = (await db.scalars(select(Session))).all()
    assert source.sheet == "Программа"
    assert (session.title, session.room) == ("Открытие форума", "101")
    assert session.start_at == utc("2026-03-01T03:00")  # 10:00 in Novosibirsk


async def test_import_dry_run_takes_a_sheet(tmp_path: Path) -> None:
    workbook = tmp_path / "forum.xlsx"
    workbook.write_bytes(_forum_with_a_cover())
    first = await remotehub("import", str(workbook), "--dry-run", "--json")
    assert first.code == 2 and "Обложка" in first.err
    named = await remotehub("import", str(workbook), "--dry-run", "--json", "--sheet", "Программа")
    assert named.code == 0, named.err
    assert [json.loads(line)["title"] for line in named.lines] == ["Открытие форума"]
