"""Real programme exports from tests/data/schedules: counts, rooms and the README's spot checks."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, timedelta

import pytest

from bot.ingest import ParseResult, SessionRecord, detect_format, parse_programme

from .helpers import FIXTURES_DIR, utc


@dataclass(frozen=True)
class Spot:
    title: str
    start: str  # UTC, YYYY-MM-DDTHH:MM
    end: str | None = None
    room: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Fixture:
    name: str
    format: str
    venue: str
    sessions: int
    rooms: int | None
    spots: tuple[Spot, ...] = field(default=())


FIXTURES = (
    Fixture(
        "fosdem_2021.xml", "frab_xml", "Europe/Brussels", 773, 106,
        (
            Spot("Welcome to FOSDEM 2021", "2021-02-06T08:00", "2021-02-06T08:25", "K.fosdem",
                 key="11795"),
            Spot("Closing FOSDEM 2021", "2021-02-07T17:00", "2021-02-07T17:10", key="12237"),
        ),
    ),
    Fixture(
        "debconf23.xml", "frab_xml", "Asia/Kolkata", 117, 5,
        (Spot("Opening Ceremony", "2023-09-10T05:00", "2023-09-10T05:20", "Anamudi"),),
    ),
    Fixture(
        "linux_conf_au_2020.ics", "ical", "Australia/Brisbane", 262, None,
        (Spot("Main Conference: plenary", "2020-01-13T21:00", "2020-01-13T23:00", "Room 5"),),
    ),
    Fixture(
        "jres_2022.ics", "ical", "Europe/Paris", 120, None,
        (Spot("Accueil congressistes", "2022-05-17T09:00", "2022-05-17T10:30"),),
    ),
    Fixture(
        "pretalx-democon.json", "frab_json", "Europe/Berlin", 36, 2,
        (Spot("Focused 5thgeneration hardware", "2020-12-14T08:00", "2020-12-14T08:30",
              "Gray Room"),),
    ),
    Fixture(
        "frab-camp2019.json", "frab_json", "Europe/Berlin", 79, 2,
        (
            Spot("Opening Ceremony", "2019-08-21T09:00", room="Curie"),
            Spot("Closing ceremony", "2019-08-25T16:00", room="Curie"),
        ),
    ),
    Fixture(
        "hub-schedule2.json", "frab_json", "Europe/Berlin", 2, None,
        (Spot("38C3: Opening Ceremony", "2024-12-27T09:30", "2024-12-27T10:00", "Saal 1"),),
    ),
)  # fmt: skip
IDS = [f.name for f in FIXTURES]


@functools.cache
def _parse(fixture: Fixture) -> ParseResult:
    return parse_programme((FIXTURES_DIR / fixture.name).read_bytes(), venue_tz=fixture.venue)


def test_every_fixture_file_is_covered() -> None:
    exports = [p.name for p in FIXTURES_DIR.iterdir() if p.is_file() and p.name != "README.md"]
    assert sorted(exports) == sorted(IDS)


def test_every_fixture_file_names_its_source() -> None:
    readme = (FIXTURES_DIR / "README.md").read_text(encoding="utf-8")
    assert "licence" in readme.lower()
    for name in IDS:
        assert name in readme, f"{name} is not described in {FIXTURES_DIR}/README.md"


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_detect_format(fixture: Fixture) -> None:
    assert detect_format((FIXTURES_DIR / fixture.name).read_bytes()) == fixture.format


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
def test_counts_and_invariants(fixture: Fixture) -> None:
    result = _parse(fixture)
    assert result.format == fixture.format
    assert len(result.sessions) == fixture.sessions
    if fixture.rooms is not None:
        assert len({s.room for s in result.sessions}) == fixture.rooms
    assert len({s.key for s in result.sessions}) == len(result.sessions)
    for session in result.sessions:
        assert session.start.utcoffset() == timedelta(0) and session.start.tzinfo is UTC
        assert session.end >= session.start
        assert session.title and session.timezone


@pytest.mark.parametrize(
    ("fixture", "spot"),
    [(f, s) for f in FIXTURES for s in f.spots],
    ids=[f"{f.name}:{s.title}" for f in FIXTURES for s in f.spots],
)
def test_spot_checks(fixture: Fixture, spot: Spot) -> None:
    session = _find(_parse(fixture).sessions, spot)
    assert session.start == utc(spot.start)
    if spot.end:
        assert session.end == utc(spot.end)
    if spot.room:
        assert session.room == spot.room
    if spot.key:
        assert session.key == spot.key


def _find(sessions: list[SessionRecord], spot: Spot) -> SessionRecord:
    matches = [s for s in sessions if s.title == spot.title and s.start == utc(spot.start)]
    if not matches:  # report the nearest candidates, not just "not found"
        found = [(s.start.isoformat(), s.room) for s in sessions if s.title == spot.title]
        pytest.fail(f"{spot.title!r} at {spot.start}Z not found; same title at {found}")
    return matches[0]


def test_fosdem_has_no_zone_so_the_venue_zone_decides() -> None:
    data = (FIXTURES_DIR / "fosdem_2021.xml").read_bytes()
    welcome = next(s for s in parse_programme(data, venue_tz="UTC").sessions if s.key == "11795")
    assert welcome.start == utc("2021-02-06T09:00")
    assert welcome.timezone == "UTC"


def test_debconf_trusts_date_over_the_day_it_sits_under() -> None:
    result = _parse(FIXTURES[1])
    opening = next(s for s in result.sessions if s.title == "Opening Ceremony")
    assert opening.key == "455d075f-48c0-2ec2-24b3-f5add30c383a"  # guid wins over id 35
    assert opening.persons == ("Sruthi Chandran",)
    assert result.warnings == []


def test_pretalx_declares_utc_but_offsets_win() -> None:
    result = parse_programme((FIXTURES_DIR / "pretalx-democon.json").read_bytes(), venue_tz="UTC")
    first = min(result.sessions, key=lambda s: s.start)
    assert first.start == utc("2020-12-14T08:00")
    assert any("differs from <date>" in w for w in result.warnings)


def test_lca_descriptions_are_plain_text() -> None:
    result = _parse(FIXTURES[2])
    plenary = _find(result.sessions, FIXTURES[2].spots[0])
    assert "<" not in plenary.description
    assert plenary.description.startswith("Women of Open Technology Breakfast, Presented by")
    assert plenary.timezone == "Australia/Brisbane"


def test_jres_utf8_split_by_line_folding_is_decoded() -> None:
    result = _parse(FIXTURES[3])
    assert result.warnings == []
    assert any("systèmes d’exploitation" in s.description for s in result.sessions)


def test_hub_v2_track_slug_is_resolved_and_only_speakers_are_persons() -> None:
    opening = _parse(FIXTURES[6]).sessions[0]
    assert opening.track == "CCC"
    assert opening.persons == ("Gabriela Bogk", "Aline Blankertz")


def test_fosdem_links_are_classified() -> None:
    sessions = {s.key: s for s in _parse(FIXTURES[0]).sessions}
    assert sessions["11029"].webcast_url == "https://live.fosdem.org/watch/ddeclarativeminimalistic"
    assert sessions["12248"].participation_url is not None
    assert sessions["12248"].participation_url.startswith("https://teams.microsoft.com/")
    assert sessions["11795"].webcast_url is None  # recordings and feedback are not webcasts
