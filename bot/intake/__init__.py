"""The intake: updates stored in the inbox before Telegram hears they arrived, then handled
concurrently across chats and strictly in order within one (see ``bot.intake.service``)."""

from bot.intake.service import Intake, IntakeClosed

__all__ = ["Intake", "IntakeClosed"]
