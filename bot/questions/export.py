"""The remote moderator's report: a session's questions as CSV, Markdown or JSON.

CSV and JSON are data (stable English column names, UTC ISO times); the Markdown report is
for people, in their language, with times in the session's zone. User text is escaped for
CommonMark (``markdown_text``) so a question can never turn into markup, and in CSV a cell
that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.i18n import Translator
from bot.questions.base import RelayContext
from bot.questions.markdown_text import escape_cell, escape_heading, escape_text
from bot.questions.text import clean
from bot.questions.views import STATUS_MESSAGES, QuestionView, SessionView, hub_label
from bot.timefmt import local_label
from storage.repos import question_sessions, walls
from storage.repos import questions as repo

FORMATS = ("csv", "md", "json")
ANONYMOUS = "anonymous"
NO_HUB = ""

CSV_COLUMNS = [
    "number",
    "status",
    "text",
    "asker",
    "hub",
    "language",
    "votes",
    "asked_at",
    "edited_at",
    "approved_at",
    "forwarded_at",
    "skipped_at",
    "answered_at",
    "rejected_at",
    "withdrawn_at",
    "answer",
    "reject_reason",
]
_TIMES = [column for column in CSV_COLUMNS if column.endswith("_at")]


@dataclass(frozen=True, slots=True)
class HubCount:
    asked: int = 0
    answered: int = 0


@dataclass(frozen=True, slots=True)
class ReportCounts:
    asked: int
    forwarded: int
    answered: int
    rejected: int
    withdrawn: int
    open: int
    waiting: int  # in the queue (skipped ones included)
    pending: int  # waiting for approval
    with_moderator: int  # claimed now
    per_hub: dict[str, HubCount] = field(default_factory=dict)
    per_language: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HubPresence:
    label: str
    people: int | None  # as the hub said with /hub people N; None if it did not


@dataclass(frozen=True, slots=True)
class RemoteFigures:
    """The IGF remote moderator's report: who took part remotely, and how it went."""

    participants: int  # people who asked, voted or subscribed to the session
    hubs: list[HubPresence] = field(default_factory=list)
    summary: str = ""

    @property
    def hub_people(self) -> int:
        return sum(hub.people or 0 for hub in self.hubs)


@dataclass(frozen=True, slots=True)
class Report:
    session: SessionView
    questions: list[QuestionView]
    generated_at: datetime
    remote: RemoteFigures = field(default_factory=lambda: RemoteFigures(0))

    def counts(self) -> ReportCounts:
        hubs: dict[str, HubCount] = {}
        for question in self.questions:
            if question.hub is None:
                continue
            seen = hubs.get(question.hub, HubCount())
            hubs[question.hub] = HubCount(
                seen.asked + 1, seen.answered + (question.status == repo.ANSWERED)
            )
        statuses = Counter(question.status for question in self.questions)
        return ReportCounts(
            asked=len(self.questions),
            forwarded=sum(question.forwarded_at is not None for question in self.questions),
            answered=statuses[repo.ANSWERED],
            rejected=statuses[repo.REJECTED],
            withdrawn=statuses[repo.WITHDRAWN],
            open=sum(statuses[status] for status in repo.OPEN),
            waiting=sum(statuses[status] for status in repo.QUEUED),
            pending=statuses[repo.PENDING_APPROVAL],
            with_moderator=statuses[repo.CLAIMED],
            per_hub=dict(sorted(hubs.items())),
            per_language=dict(sorted(Counter(q.language for q in self.questions).items())),
        )


class ExportService:
    def __init__(self, relay: RelayContext) -> None:
        self._relay = relay

    async def report(self, session_id: int) -> Report:
        async with self._relay.database.transaction() as db:
            row = await question_sessions.get_session(db, session_id)
            if row is None:
                raise UserFacingError("questions.session_unknown")
            rows = await repo.all_questions(db, session_id)
            authors = await repo.authors(db, [question.author_id for question in rows])
            hubs = await repo.hubs(db, [question.hub_chat_id for question in rows])
            remote = await _remote_figures(db, session_id)
        questions = [
            QuestionView.of(q, authors.get(q.author_id), hubs.get(q.hub_chat_id or 0)) for q in rows
        ]
        return Report(SessionView.of(row), questions, self._relay.clock.now(), remote)

    async def save_summary(self, session_id: int, text: str, moderator_id: int) -> str:
        """The moderator's free-text summary for the report (cleaned, at most 5000 characters)."""
        text = clean(text)[:SUMMARY_MAX] if text.strip() else ""
        async with self._relay.database.transaction() as db:
            if await question_sessions.get_session(db, session_id) is None:
                raise UserFacingError("questions.session_unknown")
            await walls.save_summary(db, session_id, text, moderator_id, self._relay.clock.now())
            self._relay.changed(db, session_id)
        return text

    async def set_headcount(self, session_id: int, hub_chat_id: int, people: int, by: int) -> None:
        """How many people are in the hub's room for the session (``/hub people 25``)."""
        if not 0 <= people <= HEADCOUNT_MAX:
            raise UserFacingError("hubs.people_usage")
        async with self._relay.database.transaction() as db:
            await walls.save_headcount(
                db, session_id, hub_chat_id, people, by, self._relay.clock.now()
            )
            self._relay.changed(db, session_id)

    async def find_session(self, key: str) -> SessionView:
        """A session by numeric id or by its programme key (the CLI's ``--session``)."""
        async with self._relay.database.transaction() as db:
            rows = await question_sessions.sessions_with_key(db, key)
            if not rows and key.isdigit():
                by_id = await question_sessions.get_session(db, int(key))
                rows = [by_id] if by_id is not None else []
        if not rows:
            raise LookupError(f"no session with id or key {key!r}")
        if len(rows) > 1:
            ids = ", ".join(str(row.id) for row in rows)
            raise LookupError(f"key {key!r} names several sessions (ids {ids}); use the id")
        return SessionView.of(rows[0])


SUMMARY_MAX = 5000
HEADCOUNT_MAX = 100_000


async def _remote_figures(db: AsyncSession, session_id: int) -> RemoteFigures:
    counted = {hub.chat_id: (hub, people) for hub, people in await walls.headcounts(db, session_id)}
    asked = await repo.hubs(db, await walls.hubs_that_asked(db, session_id))
    presences = [HubPresence(hub_label(hub), people) for hub, people in counted.values()]
    presences += [
        HubPresence(hub_label(hub), None)
        for chat_id, hub in asked.items()
        if chat_id not in counted
    ]
    return RemoteFigures(
        participants=await walls.remote_participants(db, session_id),
        hubs=sorted(presences, key=lambda hub: hub.label.casefold()),
        summary=await walls.summary(db, session_id),
    )


def asker_label(question: QuestionView) -> str:
    if question.hub is not None:
        return question.hub
    return question.asker or ANONYMOUS


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else ""


def _record(question: QuestionView) -> dict[str, Any]:
    return {
        "number": question.number,
        "status": question.status,
        "text": question.text,
        "asker": asker_label(question),
        "hub": question.hub or NO_HUB,
        "language": question.language,
        "votes": question.votes,
        "asked_at": question.created_at,
        "edited_at": question.edited_at,
        "approved_at": question.approved_at,
        "forwarded_at": question.forwarded_at,
        "skipped_at": question.skipped_at,
        "answered_at": question.answered_at,
        "rejected_at": question.rejected_at,
        "withdrawn_at": question.withdrawn_at,
        "answer": question.answer_text or "",
        "reject_reason": question.reject_reason or "",
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would evaluate (``=HYPERLINK(...)``) is kept as text instead."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for question in report.questions:
        record = {key: spreadsheet_safe(value) for key, value in _record(question).items()}
        for column in _TIMES:
            record[column] = _iso(record[column])
        writer.writerow(record)
    return buffer.getvalue()


def render_json(report: Report) -> str:
    counts = report.counts()
    document = {
        "session": {
            "id": report.session.id,
            "key": report.session.key,
            "title": report.session.title,
            "start_at": _iso(report.session.start_at),
            "end_at": _iso(report.session.end_at),
        },
        "generated_at": _iso(report.generated_at),
        "counts": {
            "asked": counts.asked,
            "forwarded": counts.forwarded,
            "answered": counts.answered,
            "rejected": counts.rejected,
            "withdrawn": counts.withdrawn,
            "open": counts.open,
            "per_hub": {
                hub: {"asked": c.asked, "answered": c.answered} for hub, c in counts.per_hub.items()
            },
            "per_language": counts.per_language,
        },
        "remote": {
            "participants": report.remote.participants,
            "hubs": [{"hub": hub.label, "people": hub.people} for hub in report.remote.hubs],
            "hub_people": report.remote.hub_people,
            "other": counts.asked - counts.answered,
            "summary": report.remote.summary,
        },
        "questions": [
            {key: _iso(value) if key in _TIMES else value for key, value in _record(q).items()}
            for q in report.questions
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def render_markdown(report: Report, translator: Translator, language: str) -> str:
    def t(message_id: str, **params: Any) -> str:
        # Plain text, not HTML: parameters go in unescaped and are escaped for Markdown after.
        return translator.t(language, message_id, safe={k: str(v) for k, v in params.items()})

    def when(moment: datetime | None) -> str:
        return local_label(moment, session.zone, language) if moment is not None else "—"

    session, counts = report.session, report.counts()
    lines = [
        f"# {escape_heading(t('export.title', title=session.title))}",
        "",
        escape_text(t("export.session_line", start=when(session.start_at), zone=session.timezone)),
        "",
        f"## {t('export.counts')}",
        "",
        f"| {t('export.count')} | # |",
        "|---|---:|",
    ]
    for message_id, value in (
        ("export.asked", counts.asked),
        ("export.forwarded", counts.forwarded),
        ("export.answered", counts.answered),
        ("export.rejected", counts.rejected),
        ("export.withdrawn", counts.withdrawn),
        ("export.open", counts.open),
    ):
        lines.append(f"| {t(message_id)} | {value} |")
    lines += _remote_lines(report, counts, t)
    if counts.per_hub:
        lines += ["", f"## {t('export.per_hub')}", ""]
        lines += [f"| {t('export.hub')} | {t('export.asked')} | {t('export.answered')} |"]
        lines += ["|---|---:|---:|"]
        for hub, count in counts.per_hub.items():
            lines.append(f"| {escape_cell(hub)} | {count.asked} | {count.answered} |")
    lines += ["", f"## {t('export.per_language')}", ""]
    lines += [f"| {t('export.language')} | {t('export.asked')} |", "|---|---:|"]
    lines += [f"| {lang} | {count} |" for lang, count in counts.per_language.items()]
    lines += ["", f"## {t('export.questions')}", ""]
    if not report.questions:
        lines.append(t("export.none"))
    for question in report.questions:
        label = question.hub or question.asker or t("questions.anonymous")
        lines += [
            f"### #{question.number} · {t(STATUS_MESSAGES[question.status])} · 👍 {question.votes}",
            "",
            *[f"> {part}" if part else ">" for part in escape_text(question.text).split("\n")],
            "",
            escape_text(f"{label} · {question.language}"),
            "",
            escape_text(
                t(
                    "export.timeline",
                    asked=when(question.created_at),
                    forwarded=when(question.forwarded_at),
                    settled=when(_settled_at(question)),
                )
            ),
        ]
        if question.answer_text:
            lines += [
                "",
                f"{t('export.answer')}: {escape_text(question.answer_text, at_line_start=False)}",
            ]
        if question.reject_reason:
            lines += [
                "",
                f"{t('export.reason')}: {escape_text(question.reject_reason, at_line_start=False)}",
            ]
        lines.append("")
    lines.append(escape_text(t("export.generated", moment=when(report.generated_at))))
    return "\n".join(lines) + "\n"


def _remote_lines(report: Report, counts: ReportCounts, t: Any) -> list[str]:
    """The IGF remote moderator's report: participants, hubs and headcount, the summary."""
    remote = report.remote
    lines = ["", f"## {t('export.remote')}", "", f"| {t('export.count')} | # |", "|---|---:|"]
    for message_id, value in (
        ("export.remote_participants", remote.participants),
        ("export.remote_hubs", len(remote.hubs)),
        ("export.remote_hub_people", remote.hub_people),
        ("export.asked", counts.asked),
        ("export.forwarded", counts.forwarded),
        ("export.answered", counts.answered),
        ("export.other", counts.asked - counts.answered),
    ):
        lines.append(f"| {t(message_id)} | {value} |")
    if remote.hubs:
        lines += ["", f"| {t('export.hub')} | {t('export.people')} |", "|---|---:|"]
        for hub in remote.hubs:
            people = "—" if hub.people is None else str(hub.people)
            lines.append(f"| {escape_cell(hub.label)} | {people} |")
    lines += ["", f"### {t('export.summary')}", ""]
    if remote.summary:
        lines += escape_text(remote.summary).split("\n")
    else:
        lines.append(t("export.no_summary"))
    return lines


def _settled_at(question: QuestionView) -> datetime | None:
    return question.answered_at or question.rejected_at or question.withdrawn_at


def render(report: Report, fmt: str, translator: Translator, language: str) -> str:
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "md":
        return render_markdown(report, translator, language)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
