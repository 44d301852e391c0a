"""A stage with the cast (the keyboard's participant included), a plain transcript and a
watcher, on the local Bot API server, for scenes driven by hand."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pytest

from bot.demo.cast import make_cast, populate
from bot.demo.stage import Stage
from bot.demo.transcript import Transcript
from bot.demo.watch import BotWatcher
from bot.i18n import Translator
from localapi import LocalBotApiServer

from .support import VENUE, FixedClock


@dataclass
class Scene:
    stage: Stage
    watcher: BotWatcher


@pytest.fixture
def printed() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def scene(local_api: LocalBotApiServer, printed: io.StringIO) -> Scene:
    cast = make_cast("en", interactive=True)
    populate(local_api, cast)
    clock = FixedClock()
    transcript = Transcript(printed, clock.now, VENUE)
    stage = Stage(
        local_api,
        clock,
        date(2024, 12, 17),
        VENUE,
        cast,
        transcript,
        Translator(),
        "en",
        reply_timeout=0.5,
    )
    watcher = BotWatcher(
        local_api, cast, transcript, query_owner=stage.query_owner, toast_label="pop-up"
    )
    stage.catch_up = watcher.catch_up
    return Scene(stage, watcher)


@pytest.fixture
def stage(scene: Scene) -> Stage:
    return scene.stage
