"""Every real export in tests/data/schedules stored by the service: counts, UTC times in the DB."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.ingest.store import ProgrammeRefused
from storage.models import Session
from tests.feedserver import FeedServer

from .helpers import FIXTURES_DIR, utc
from .rig import RigFactory, calendar
from .test_fixtures import FIXTURES, IDS, Fixture


@pytest.mark.parametrize("fixture", FIXTURES, ids=IDS)
async def test_fixture_is_stored_with_the_right_count_and_utc_times(
    rigs: RigFactory, fixture: Fixture
) -> None:
    rig = rigs()
    data = (FIXTURES_DIR / fixture.name).read_bytes()
    url = (FIXTURES_DIR / fixture.name).as_uri()
    summary = await rig.service.import_bytes(
        data, source_url=url, format=None, venue_tz=fixture.venue
    )
    assert (summary.format, summary.sessions, summary.added) == (
        fixture.format,
        fixture.sessions,
        fixture.sessions,
    )
    assert (summary.updated, summary.cancelled) == (0, 0)
    async with rig.database.transaction() as db:
        assert await db.scalar(select(func.count()).select_from(Session)) == fixture.sessions
        for spot in fixture.spots:
            query = select(Session).where(Session.title == spot.title)
            rows = (await db.scalars(query)).all()
            row = next(r for r in rows if r.start_at == utc(spot.start))
            assert row.start_at.utcoffset() is not None
            if spot.end:
                assert row.end_at == utc(spot.end)
            if spot.room:
                assert row.room == spot.room
            if spot.key:
                assert row.key == spot.key
    assert rig.listener.changes == []  # an import of a new source is a baseline

    again = await rig.service.import_bytes(
        data, source_url=url, format=None, venue_tz=fixture.venue
    )
    assert (again.added, again.updated, again.cancelled) == (0, 0, 0)
    assert rig.listener.changes == []


async def test_import_refuses_an_empty_programme_over_a_stored_one(rigs: RigFactory) -> None:
    rig = rigs()
    data = (FIXTURES_DIR / "hub-schedule2.json").read_bytes()
    await rig.service.import_bytes(data, source_url="file:///hub", format=None, venue_tz="UTC")
    with pytest.raises(ProgrammeRefused, match="no sessions"):
        await rig.service.import_bytes(
            calendar(), source_url="file:///hub", format=None, venue_tz="UTC"
        )


async def test_imported_sources_are_not_polled(rigs: RigFactory, feed_server: FeedServer) -> None:
    rig = rigs()
    data = (FIXTURES_DIR / "hub-schedule2.json").read_bytes()
    summary = await rig.service.import_bytes(
        data, source_url=feed_server.url("/x.json"), format="frab_json", venue_tz="UTC"
    )
    await rig.service.sync_configured_sources()
    assert await rig.service.poll_due() == []
    (health,) = await rig.service.source_health()
    assert (health.source_id, health.enabled, health.items) == (summary.source_id, False, 2)
