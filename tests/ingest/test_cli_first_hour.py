"""What a newcomer meets first on the command line: a zone that was only a default, a file
with nothing in it, figures that add up, an empty database, and ``| head -1``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from storage.db import Database

from .helpers import FIXTURES_DIR, PROGRAMME_DIR, PROJECT_ROOT
from .test_cli_import import cli_env, remotehub

CSV_SAMPLE = PROGRAMME_DIR / "programme.csv"


def zone_warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "--timezone" in line]


async def test_times_without_zone_in_the_default_zone_warn_once() -> None:
    run = await remotehub("import", str(CSV_SAMPLE), "--dry-run", zone=None)
    assert run.code == 0, run.err
    (line,) = zone_warnings(run.err)
    assert line.startswith("remotehub: warning: ")
    assert "read in UTC" in line and " timezone " in line and "--timezone" in line
    assert "4 time(s)" in line  # the fifth row carries its own offset


@pytest.mark.parametrize(
    ("extra", "zone", "sample"),
    [
        (("--timezone", "Europe/Moscow"), None, "programme.csv"),
        ((), "UTC", "programme.csv"),  # chosen, not defaulted
        ((), "Europe/Moscow", "programme.csv"),
        ((), None, "programme.ics"),  # every time carries its zone
    ],
    ids=["option", "config-utc", "config-moscow", "zoned-ical"],
)
async def test_no_zone_warning_when_a_zone_was_chosen_or_not_needed(
    extra: tuple[str, ...], zone: str | None, sample: str
) -> None:
    run = await remotehub("import", str(PROGRAMME_DIR / sample), "--dry-run", *extra, zone=zone)
    assert run.code == 0, run.err
    assert zone_warnings(run.err) == []


async def test_stored_import_warns_about_the_default_zone_too(database: Database) -> None:
    run = await remotehub("import", str(CSV_SAMPLE), database_url=database.url, zone=None)
    assert run.code == 0, run.err
    assert len(zone_warnings(run.err)) == 1


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "store"])
async def test_json_with_nothing_recognisable_exits_2(
    tmp_path: Path, database: Database, dry_run: bool
) -> None:
    path = tmp_path / "programme.json"
    path.write_text('{"schedule": 5}')
    options = ("--dry-run",) if dry_run else ()
    run = await remotehub("import", str(path), *options, database_url=database.url)
    assert run.code == 2, run.out
    assert run.out == ""
    (line,) = run.err.splitlines()
    assert line.startswith(f"remotehub: cannot import {path}: frab JSON: ")
    assert '"schedule"' in line and "number" in line
    listed = await remotehub("sessions", database_url=database.url)
    assert listed.out == ""  # no source, no session was created


def figures(out: str) -> dict[str, int]:
    summary: dict[str, int] = json.loads(out)
    return summary


async def test_import_figures_add_up(tmp_path: Path, database: Database) -> None:
    url = database.url
    first = await remotehub("import", str(PROGRAMME_DIR / "programme.ics"), database_url=url)
    assert first.code == 0, first.err
    assert first.out.rstrip().endswith(": 4 added, 1 cancelled, 0 updated, 0 unchanged")

    again = figures(
        (
            await remotehub(
                "import", str(PROGRAMME_DIR / "programme.ics"), "--json", database_url=url
            )
        ).out
    )
    assert (again["sessions"], again["unchanged"], again["added"]) == (5, 5, 0)

    # A file losing a row and cancelling another: the file's four add up, the lost one apart.
    rows = CSV_SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "programme.csv"
    path.write_text("\n".join(rows) + "\n")
    await remotehub("import", str(path), "--timezone", "Europe/Moscow", database_url=url)
    rows[1] += "cancelled"
    path.write_text("\n".join(rows[:-1]) + "\n")
    last = figures(
        (
            await remotehub(
                "import", str(path), "--json", "--timezone", "Europe/Moscow", database_url=url
            )
        ).out
    )
    parts = ("added", "cancelled", "updated", "unchanged")
    assert sum(last[name] for name in parts) == last["sessions"] == 4
    assert (last["cancelled"], last["withdrawn"], last["unchanged"]) == (1, 1, 3)


async def test_sessions_on_an_empty_database_says_how_to_import(database: Database) -> None:
    for args in (("sessions",), ("sessions", "--json")):
        run = await remotehub(*args, database_url=database.url)
        assert run.code == 0
        assert run.out == ""  # stdout stays clean for --json readers
        (line,) = run.err.splitlines()
        assert "no sessions stored" in line and "remotehub import" in line


async def closed_pipe_run(*args: str, database_url: str | None = None) -> tuple[int, str]:
    """Run ``remotehub`` with stdout a pipe whose reader has already gone."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *args,
            env=cli_env(database_url),
            cwd=PROJECT_ROOT,
            stdout=writer,
            stderr=asyncio.subprocess.PIPE,
        )
    finally:
        os.close(writer)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def test_a_closed_pipe_ends_quietly(database: Database) -> None:
    fosdem = str(FIXTURES_DIR / "fosdem_2021.xml")
    assert (await remotehub("import", fosdem, database_url=database.url)).code == 0
    for args in (
        ("sessions", "--json"),
        ("sessions",),
        ("import", str(CSV_SAMPLE), "--dry-run", "--json", "--timezone", "UTC"),
    ):
        code, err = await closed_pipe_run(*args, database_url=database.url)
        assert err == "", args
        assert code == 141, args
