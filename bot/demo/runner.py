"""``remotehub demo``: a forum day rehearsed against the real bot, offline, in about a minute.

The runner starts the project's local Bot API server, the real bot against it (the same
application ``remotehub run`` builds, with a throw-away SQLite database and a fast clock),
and the scripted people; it prints the conversation as the server records it, then the
moderator's export report and a summary counted from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import ScaledClock
from bot.demo.cast import make_cast, populate
from bot.demo.hold import OutboxHold
from bot.demo.interactive import KeyboardParticipant
from bot.demo.options import DAY_ENDS, DAY_STARTS, DRAIN_SECONDS, DemoOptions
from bot.demo.programme import write_programme
from bot.demo.script import WORKSHOP, play
from bot.demo.setup import BOT_USERNAME, TOKEN, RunningBot, demo_settings
from bot.demo.stage import Stage
from bot.demo.summary import (
    Summary,
    collect_summary,
    exports_sent,
    markdown_report,
    reply_delays,
)
from bot.demo.transcript import Transcript
from bot.demo.watch import BotWatcher
from bot.i18n import default_translator
from localapi import LocalBotApiServer, StoredFile
from storage.db import Database
from storage.migrate import upgrade_to_head

PROGRAMME_SECONDS = 20.0  # real seconds for the bot's first poll of the sample programme


class DemoError(Exception):
    """The rehearsal cannot go on; ``message_id`` says why in one line."""

    def __init__(self, message_id: str, **params: Any) -> None:
        super().__init__(f"{message_id} {params}")
        self.message_id = message_id
        self.params = params


@dataclass(slots=True)
class DemoResult:
    summary: Summary
    report: str | None  # the moderator's Markdown export, as the bot sent it
    gave_up: list[str] = field(default_factory=list)
    server_stats: dict[str, Any] = field(default_factory=dict)
    reply_seconds: list[float] = field(default_factory=list)  # for the benchmark

    @property
    def exit_code(self) -> int:
        return 0 if not self.gave_up and self.report is not None else 1


async def prepare_database(url: str) -> None:
    """Migrate the fresh database before the clock starts (as ``remotehub db upgrade``)."""
    database = Database(url)
    try:
        await upgrade_to_head(database)
    finally:
        await database.dispose()


def _fresh_database(directory: Path) -> Path:
    path = directory / "remotehub.db"
    for leftover in (path, path.with_name("remotehub.db-wal"), path.with_name("remotehub.db-shm")):
        leftover.unlink(missing_ok=True)
    return path


async def run_demo(options: DemoOptions) -> DemoResult:
    """The whole rehearsal; raises nothing the caller must clean up after (Ctrl-C included)."""
    started = time.monotonic()
    if options.keep is not None:
        options.keep.mkdir(parents=True, exist_ok=True)
        return await _rehearse(options, options.keep, started)
    with tempfile.TemporaryDirectory(prefix="remotehub-demo-") as temp:
        return await _rehearse(options, Path(temp), started)


async def _rehearse(options: DemoOptions, workdir: Path, started: float) -> DemoResult:
    translator = default_translator()
    language = options.language
    zone = ZoneInfo(options.zone)
    day = datetime.now(zone).date()
    programme = write_programme(workdir, day, zone, stamp=datetime.now(UTC))
    database_url = f"sqlite+aiosqlite:///{_fresh_database(workdir)}"
    await prepare_database(database_url)
    cast = make_cast(language, interactive=options.interactive)
    clock = ScaledClock(datetime.combine(day, DAY_STARTS, zone), options.speed)
    transcript = Transcript(options.out, clock.now, zone, color=options.color)
    transcript.heading(
        translator.t(language, "demo.title", zone=zone.key, speed=f"{options.speed:g}")
    )
    server = LocalBotApiServer(
        TOKEN, bot_username=BOT_USERNAME, wall_clock=lambda: clock.now().timestamp()
    )
    async with server:
        populate(server, cast)
        transcript.note(translator.t(language, "demo.note.setup", url=server.root, path=workdir))
        settings = demo_settings(
            api_url=server.root,
            database_url=database_url,
            programme=programme,
            zone=zone.key,
            cast=cast,
            language=language,
        )
        stage = Stage(server, clock, day, zone, cast, transcript, translator, language)
        watcher = BotWatcher(
            server,
            cast,
            transcript,
            query_owner=stage.query_owner,
            toast_label=stage.t("demo.transcript.toast"),
        )
        stage.catch_up = watcher.catch_up
        bot = await RunningBot.start(settings, clock)
        outbox_hold = OutboxHold(bot.services.database, clock)
        outbox_hold.attach()
        try:
            transcript.note(stage.t("demo.note.bot_up", username=bot.services.bot_username))
            watcher.start()
            sessions = await _programme_loaded(bot)
            transcript.note(stage.t("demo.note.programme", day=day.isoformat(), sessions=sessions))
            links = await _web_links(bot, cast.person(cast.moderator).user_id, language)
            if links is not None:
                transcript.note(stage.t("demo.note.web_console", link=links[0]))
                transcript.note(stage.t("demo.note.web_wall", link=links[1]))
            await _play_the_day(stage, watcher, options)
            transcript.note(stage.t("demo.note.day_over"))
            await _drain(bot)
        finally:
            try:
                await watcher.stop()
                await outbox_hold.stop()
            finally:
                await bot.stop()  # before the work directory goes, whatever happened
        moderator = cast.person(cast.moderator).user_id
        exports = exports_sent(server, moderator)
        summary = await collect_summary(database_url, server, time.monotonic() - started)
        stats = server.stats()
        private = [person.user_id for person in cast.people]
        delays = reply_delays(server, [*private, cast.hub.chat_id])
    report = markdown_report(exports)
    _show_report(stage, report)
    if options.keep is not None:
        transcript.note(stage.t("demo.kept", path=workdir))
    if stage.gave_up:
        transcript.summary(stage.t("demo.failed"))
    transcript.summary(summary.line(translator, language))
    if options.keep is not None:
        _keep(workdir, exports, summary, transcript)
    text = report.data.decode("utf-8") if report is not None and report.data else None
    return DemoResult(summary, text, list(stage.gave_up), stats, delays)


async def _play_the_day(stage: Stage, watcher: BotWatcher, options: DemoOptions) -> None:
    """The scripted people (and the keyboard) act until the end of the day's programme."""
    tasks = [
        asyncio.create_task(play(stage), name="demo:people"),
        asyncio.create_task(stage.at(DAY_ENDS.hour, DAY_ENDS.minute), name="demo:day"),
    ]
    keyboard: asyncio.Task[None] | None = None
    if options.interactive:
        participant = KeyboardParticipant(stage, watcher, options.keyboard or sys.stdin)
        keyboard = asyncio.create_task(participant.run(), name="demo:keyboard")
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in [*tasks, *([keyboard] if keyboard is not None else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _web_links(bot: RunningBot, moderator_id: int, language: str) -> tuple[str, str] | None:
    """The moderator's one-time console link and the workshop's wall, while the demo runs."""
    services = bot.services
    if services.web_url is None:
        return None
    sign_in = await services.web_access.issue_link(moderator_id, language)
    sessions = await services.questions.moderation.sessions_to_pick()
    words = [word.casefold() for word in WORKSHOP]
    chosen = [s for s in sessions if any(word in s.title.casefold() for word in words)]
    if not (chosen or sessions):
        return None
    wall = await services.questions.walls.token((chosen or sessions)[0].id)
    return f"{services.web_url}/signin/{sign_in}", f"{services.web_url}/wall/{wall}?lang={language}"


async def _programme_loaded(bot: RunningBot) -> int:
    """Wait for the bot's first poll of the sample programme; how many sessions it read.

    People act only once the bot knows the day: on a slow machine the start may take a
    while of bot time, and "/sessions" before the first poll would find nothing.
    """
    ingestion = bot.services.ingestion
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PROGRAMME_SECONDS
    while True:
        sources = await ingestion.source_health()
        if any(source.last_success_at is not None for source in sources):
            return sum(int(source.items) for source in sources)
        failed = [source.last_error for source in sources if source.last_error]
        if failed:
            raise DemoError("demo.error.programme", reason=failed[0])
        if loop.time() > deadline:
            raise DemoError("demo.error.no_poll", seconds=round(PROGRAMME_SECONDS))
        await asyncio.sleep(0.05)


async def _drain(bot: RunningBot) -> None:
    """Let the outbox send what the day queued (the sender keeps Telegram's real pace)."""
    sender = bot.services.sender
    run_until_idle = getattr(sender, "run_until_idle", None)
    if run_until_idle is None:
        return
    with contextlib.suppress(TimeoutError):  # the summary counts what was really sent
        await run_until_idle(DRAIN_SECONDS)


def _show_report(stage: Stage, report: StoredFile | None) -> None:
    transcript = stage.transcript
    if report is None or report.data is None:
        transcript.summary(stage.t("demo.no_export"))
        return
    transcript.heading(stage.t("demo.heading.export", filename=report.filename or "report.md"))
    transcript.document(report.data.decode("utf-8", errors="replace"))


def _keep(
    workdir: Path, exports: list[StoredFile], summary: Summary, transcript: Transcript
) -> None:
    """Write the export files as the bot sent them, the summary and the transcript."""
    for stored in exports:
        if stored.data is not None and stored.filename:
            (workdir / Path(stored.filename).name).write_bytes(stored.data)
    (workdir / "summary.json").write_text(json.dumps(summary.to_json(), indent=2) + "\n")
    (workdir / "transcript.txt").write_text("\n".join(transcript.lines) + "\n", encoding="utf-8")
