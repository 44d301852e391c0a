"""The question relay: remote participants and hubs ask, vote; moderators pull and answer.

``build_relay`` wires the parts on one shared ``RelayContext``; handlers reach it as
``services.features["questions"]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.questions.asking import AskingService
from bot.questions.base import PendingInputs, RelayContext
from bot.questions.export import ExportService
from bot.questions.mine import OwnQuestions
from bot.questions.moderation import ModerationService
from bot.questions.people import HubDirectory, ModeratorDirectory
from bot.questions.voting import VotingService
from bot.services import Services
from storage.repos import relay_people

FEATURE = "questions"


@dataclass
class QuestionRelay:
    context: RelayContext
    asking: AskingService
    own: OwnQuestions
    voting: VotingService
    moderation: ModerationService
    hubs: HubDirectory
    moderators: ModeratorDirectory
    exports: ExportService

    @property
    def inputs(self) -> PendingInputs:
        return self.context.inputs

    async def load_pending_inputs(self) -> int:
        """Rebuild the in-memory index of who we wait a message from (after a restart)."""
        async with self.context.database.transaction() as db:
            pairs = await relay_people.waiting_for_text(db)
        self.context.inputs.reset(pairs)
        return len(pairs)


def build_relay(services: Services) -> QuestionRelay:
    """The relay on this process's services; run-time moderators join the role checks."""
    context = RelayContext(
        database=services.database,
        clock=services.clock,
        limits=services.settings.questions,
        translator=services.translator,
        # The sender is attached after start-up, so look it up at each call.
        wake=lambda: services.sender.wake(),
    )
    relay = assemble(context)
    services.roles.use_lookup(relay.moderators)
    return relay


def assemble(context: RelayContext) -> QuestionRelay:
    """Every part of the relay on one shared context (tests and the CLI use this too)."""
    return QuestionRelay(
        context=context,
        asking=AskingService(context),
        own=OwnQuestions(context),
        voting=VotingService(context),
        moderation=ModerationService(context),
        hubs=HubDirectory(context),
        moderators=ModeratorDirectory(context),
        exports=ExportService(context),
    )


def relay_of(services: Services) -> QuestionRelay:
    relay = services.features.get(FEATURE)
    if not isinstance(relay, QuestionRelay):
        raise RuntimeError("the question relay is not set up")
    return relay
