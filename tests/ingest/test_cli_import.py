"""``remotehub import`` and ``remotehub sessions`` as a user runs them: in a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage.db import Database
from tests.feedserver import FeedServer

from .helpers import FIXTURES_DIR, PROGRAMME_DIR, PROJECT_ROOT
from .rig import news_items, rss

FOSDEM = FIXTURES_DIR / "fosdem_2021.xml"
JSON_FIELDS = [
    "key",
    "title",
    "start",
    "end",
    "timezone",
    "room",
    "track",
    "url",
    "webcast_url",
    "persons",
    "description",
    "cancelled",
]


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def cli_env(database_url: str | None = None, zone: str | None = "UTC") -> dict[str, str]:
    """The environment of a ``remotehub`` child: none of ours; no zone at all with None."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMOTEHUB_")}
    env.update(PYTHONPATH=str(PROJECT_ROOT))
    if zone is not None:
        env["REMOTEHUB_TIMEZONE"] = zone
    if database_url:
        env["REMOTEHUB_DATABASE_URL"] = database_url
    return env


async def remotehub(*args: str, database_url: str | None = None, zone: str | None = "UTC") -> Run:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=cli_env(database_url, zone),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Run(process.returncode, out.decode(), err.decode())


async def test_dry_run_json_prints_one_object_per_session() -> None:
    run = await remotehub("import", str(FOSDEM), "--dry-run", "--json", zone="Europe/Brussels")
    assert run.code == 0, run.err
    rows = [json.loads(line) for line in run.lines]
    assert len(rows) == 773
    assert all(list(row) == JSON_FIELDS for row in rows)
    welcome = next(row for row in rows if row["key"] == "11795")
    assert welcome["title"] == "Welcome to FOSDEM 2021"
    assert (welcome["start"], welcome["end"]) == (
        "2021-02-06T08:00:00+00:00",
        "2021-02-06T08:25:00+00:00",
    )
    assert (welcome["timezone"], welcome["room"]) == ("Europe/Brussels", "K.fosdem")


@pytest.mark.parametrize(
    "name", ["programme.xcal", "programme.rfc6321.xml", "programme.xlsx", "programme.ics"]
)
async def test_dry_run_json_reads_xcal_and_xlsx_like_ical(name: str) -> None:
    run = await remotehub(
        "import", str(PROGRAMME_DIR / name), "--dry-run", "--json", zone="Europe/Moscow"
    )
    assert run.code == 0, run.err
    rows = [json.loads(line) for line in run.lines]
    assert [row["key"] for row in rows] == [f"tf24-{n}" for n in range(1, 6)]
    assert all(list(row) == JSON_FIELDS for row in rows)
    assert rows[2]["end"] == "2024-06-18T21:45:00+00:00"  # 00:45 the next day, Moscow


async def test_timezone_option_and_format_option() -> None:
    run = await remotehub(
        "import", str(FOSDEM), "--dry-run", "--json", "--format", "frab_xml", "--timezone", "UTC"
    )
    welcome = next(json.loads(line) for line in run.lines if '"11795"' in line)
    assert welcome["start"] == "2021-02-06T09:00:00+00:00"


async def test_dry_run_reads_a_url_and_a_feed(feed_server: FeedServer) -> None:
    feed_server.serve("/news", rss(*news_items(3)), content_type="application/rss+xml")
    run = await remotehub("import", feed_server.url("/news"), "--dry-run", "--json")
    assert run.code == 0, run.err
    keys = [json.loads(line)["key"] for line in run.lines]
    assert keys == ["urn:n1", "urn:n2", "urn:n3"]
    plain = await remotehub("import", feed_server.url("/news"), "--dry-run")
    assert plain.lines[-1] == "3 entries (news); nothing stored (--dry-run)"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (bytes(range(256)) * 40, "unknown format"),
        (b"", "empty input"),
        (FOSDEM.read_bytes()[:50_000], "frab"),
        ((PROGRAMME_DIR / "programme.xlsx").read_bytes()[:2000], "XLSX: not a readable zip"),
        (b'<?xml version="1.0"?><schedule><day date="2021-02-06"><room name="x">'
         b'<event id="1"><title>T</title><start>nonsense</start></event>', "frab"),
    ],
    ids=["garbage", "empty", "truncated", "truncated xlsx", "bad time"],
)  # fmt: skip
async def test_unparseable_input_exits_2_with_one_line(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    run = await remotehub("import", str(path), "--dry-run", "--json")
    assert run.code == 2
    assert run.out == ""
    (line,) = run.err.splitlines()
    assert line.startswith(f"remotehub: cannot import {path}: ")
    assert says in line
    assert "Traceback" not in run.err


async def test_unfetchable_input_exits_2(tmp_path: Path, feed_server: FeedServer) -> None:
    missing = await remotehub("import", str(tmp_path / "nope.ics"))
    assert missing.code == 2 and "no such file" in missing.err
    feed_server.fail("/gone", 404)
    gone = await remotehub("import", feed_server.url("/gone"), "--dry-run")
    assert gone.code == 2 and "HTTP 404" in gone.err
    assert len(gone.err.splitlines()) == 1


async def test_import_stores_and_sessions_lists(database: Database) -> None:
    url = database.url
    first = await remotehub("import", str(FOSDEM), database_url=url, zone="Europe/Brussels")
    assert first.code == 0, first.err
    assert first.lines == [
        f"imported 773 sessions (frab_xml) from {FOSDEM.resolve().as_uri()} as source 1: "
        "773 added, 0 cancelled, 0 updated, 0 unchanged"
    ]
    again = await remotehub(
        "import", str(FOSDEM), "--json", database_url=url, zone="Europe/Brussels"
    )
    summary = json.loads(again.out)
    assert (summary["added"], summary["updated"], summary["cancelled"]) == (0, 0, 0)

    listed = await remotehub("sessions", "--json", database_url=url)
    rows = [json.loads(line) for line in listed.lines]
    assert len(rows) == 773
    welcome = next(row for row in rows if row["key"] == "11795")
    assert welcome["start"] == "2021-02-06T09:00:00+01:00"  # the venue's own clock
    assert rows == sorted(rows, key=lambda row: row["start"])

    text = await remotehub("sessions", "--source", "1", database_url=url)
    line = next(line for line in text.lines if "Welcome to FOSDEM 2021" in line)
    assert "2021-02-06 09:00–09:25 Europe/Brussels  K.fosdem" in line
    assert (await remotehub("sessions", "--source", "2", database_url=url)).out == ""
