"""Questions the bot asks in chat ("which keyword?", "which time zone?") and their answers.

The question goes out with ForceReply; the answer is recognised as a reply to it, which
Telegram delivers even in groups with privacy mode on and needs no state in memory, so a
restart between question and answer loses nothing.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import filters

from bot.context import RemoteHubContext
from bot.i18n import LANGUAGES, default_translator
from handlers.common import reply


class PromptReply(filters.MessageFilter):
    """Messages replying to the bot's question ``message_id`` (in any language)."""

    def __init__(self, message_id: str) -> None:
        translator = default_translator()
        self._questions = {translator.t(language, message_id) for language in LANGUAGES}
        super().__init__(name=f"PromptReply({message_id})")

    def filter(self, message: Message) -> bool:
        question = message.reply_to_message
        if question is None or question.from_user is None or not question.from_user.is_bot:
            return False
        return (question.text or "") in self._questions


async def ask(update: Update, context: RemoteHubContext, message_id: str) -> None:
    """Ask ``message_id`` (plain text, no markup: it is recognised by its text)."""
    await reply(update, context, message_id, {"force_reply": True})
