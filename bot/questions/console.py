"""What the moderator console shows for one session: the queue in ``/queue`` order, the
questions waiting for approval, what this moderator holds, the counters and the report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.questions.base import RelayContext
from bot.questions.export import ExportService, RemoteFigures, ReportCounts
from bot.questions.moderation import ModerationService
from bot.questions.views import QuestionView, SessionView
from bot.questions.wall import WallService
from bot.roles import Role, RoleService


@dataclass(frozen=True, slots=True)
class ConsoleView:
    session: SessionView
    queued: list[QuestionView]
    pending: list[QuestionView]
    claimed: list[QuestionView]
    mine: list[QuestionView]  # claimed by the moderator looking
    premoderation: bool
    counts: ReportCounts
    remote: RemoteFigures
    on_screen_id: int | None

    def seen_by(self, moderator_id: int) -> ConsoleView:
        """The same snapshot with ``mine`` for this moderator (one snapshot serves them all)."""
        mine = [question for question in self.claimed if question.claimed_by == moderator_id]
        return replace(self, mine=mine)


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    session: SessionView
    live: bool


class ConsoleService:
    def __init__(
        self,
        relay: RelayContext,
        moderation: ModerationService,
        exports: ExportService,
        walls: WallService,
    ) -> None:
        self._relay = relay
        self._moderation = moderation
        self._exports = exports
        self._walls = walls

    async def sessions_of(self, moderator_id: int, roles: RoleService) -> list[ConsoleSession]:
        """The sessions this person may moderate, the live ones first."""
        now = self._relay.clock.now()
        picked = []
        for session in await self._moderation.sessions_to_pick():
            if await roles.has(moderator_id, Role.MODERATOR, session.id):
                picked.append(ConsoleSession(session, _live(session, now)))
        return sorted(picked, key=lambda item: (not item.live, item.session.start_at))

    async def view(self, session_id: int, moderator_id: int) -> ConsoleView:
        return (await self.snapshot(session_id)).seen_by(moderator_id)

    async def snapshot(self, session_id: int) -> ConsoleView:
        """Everything the console shows of a session, nobody's claims marked as ``mine``."""
        queue = await self._moderation.queue(session_id)
        report = await self._exports.report(session_id)
        return ConsoleView(
            session=queue.session,
            queued=queue.queued,
            pending=queue.pending,
            claimed=queue.claimed,
            mine=[],
            premoderation=queue.premoderation,
            counts=report.counts(),
            remote=report.remote,
            on_screen_id=await self._walls.on_screen_id(session_id),
        )


def _live(session: SessionView, now: datetime) -> bool:
    return session.start_at <= now < session.end_at
