"""The question relay: remote participants and hubs ask, vote; moderators pull and answer.

``assemble`` wires the parts on one shared ``RelayContext``; the composition root
(``bot.services``) builds it once, and handlers reach it as ``services.questions``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.questions.asking import AskingService
from bot.questions.base import RelayContext
from bot.questions.console import ConsoleService
from bot.questions.export import ExportService
from bot.questions.mine import OwnQuestions
from bot.questions.moderation import ModerationService
from bot.questions.people import HubDirectory, ModeratorDirectory
from bot.questions.voting import VotingService
from bot.questions.wall import WallService


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
    walls: WallService
    console: ConsoleService


def assemble(context: RelayContext) -> QuestionRelay:
    """Every part of the relay on one shared context (tests and the CLI use this too)."""
    moderation = ModerationService(context)
    exports = ExportService(context)
    walls = WallService(context)
    return QuestionRelay(
        context=context,
        asking=AskingService(context),
        own=OwnQuestions(context),
        voting=VotingService(context),
        moderation=moderation,
        hubs=HubDirectory(context),
        moderators=ModeratorDirectory(context),
        exports=exports,
        walls=walls,
        console=ConsoleService(context, moderation, exports, walls),
    )
