"""What the rehearsal produced, counted where it happened: the database and the server.

Nothing here counts the script's own actions: a message is counted because the outbox row
says it was sent, a question because it is stored, a reminder because it went out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.i18n import Translator
from localapi import LocalBotApiServer, StoredFile
from storage.db import Database
from storage.repos import rehearsal


@dataclass(frozen=True, slots=True)
class Summary:
    sessions: int
    ifla_sessions: int
    messages: int  # sent by the bot (new messages; edits are counted apart)
    edits: int
    questions: int
    reminders: int
    reminders_dropped: int  # came too late to be sent: should be none at any speed
    seconds: float
    messages_on_server: int  # what the local server received: equals ``messages`` when sound

    def line(self, translator: Translator, language: str) -> str:
        def part(message_id: str, count: int) -> str:
            return translator.t(language, message_id, count=count)

        return translator.t(
            language,
            "demo.summary.line",
            sessions=part("demo.summary.sessions", self.sessions),
            ifla=self.ifla_sessions,
            messages=part("demo.summary.messages", self.messages),
            questions=part("demo.summary.questions", self.questions),
            reminders=part("demo.summary.reminders", self.reminders),
            seconds=round(self.seconds),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


async def collect_summary(database_url: str, server: LocalBotApiServer, seconds: float) -> Summary:
    """Count from the rehearsal's database (the bot has stopped) and the server's records."""
    database = Database(database_url)
    try:
        async with database.transaction() as db:
            counts = await rehearsal.counts(db)
    finally:
        await database.dispose()
    return Summary(
        sessions=counts.sessions,
        ifla_sessions=counts.ifla_sessions,
        messages=counts.messages,
        edits=counts.edits,
        questions=counts.questions,
        reminders=counts.reminders,
        reminders_dropped=counts.reminders_dropped,
        seconds=seconds,
        messages_on_server=len(server.sent),
    )


def exports_sent(server: LocalBotApiServer, chat_id: int) -> list[StoredFile]:
    """The documents the bot sent to ``chat_id`` (the moderator's /export), oldest first."""
    return [
        message.document
        for message in server.messages_to(chat_id)
        if message.document is not None and message.document.data is not None
    ]


def markdown_report(files: list[StoredFile]) -> StoredFile | None:
    """The latest Markdown report among the exports."""
    reports = [file for file in files if (file.filename or "").endswith(".md")]
    return reports[-1] if reports else None


def reply_delays(server: LocalBotApiServer, chat_ids: list[int]) -> list[float]:
    """Real seconds from each person's message to the bot's next message in that chat."""
    delays: list[float] = []
    world = server.core.world
    for chat_id in chat_ids:
        waiting: float | None = None
        for (chat, _number), message in world.messages.items():
            if chat != chat_id:
                continue
            if not message.from_bot and message.method == "user" and waiting is None:
                waiting = message.time
            elif message.from_bot and waiting is not None:
                delays.append(message.time - waiting)
                waiting = None
    return delays
