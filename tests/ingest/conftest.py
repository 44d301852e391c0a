"""Ingestion test fixtures: ``rigs`` builds services over the local feed server and a database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from storage.db import Database
from tests.feedserver import FeedServer

from .rig import Rig, RigFactory, make_rig


@pytest.fixture
async def rigs(database: Database, feed_server: FeedServer) -> AsyncIterator[RigFactory]:
    """``rigs({"path": "/p.ics", ...}, ..., **settings)``: a service over those sources."""
    made: list[Rig] = []

    def factory(*sources: dict[str, Any], **options: Any) -> Rig:
        rig = make_rig(database, feed_server, list(sources), **options)
        made.append(rig)
        return rig

    yield factory
    for rig in made:
        await rig.service.fetcher.aclose()
