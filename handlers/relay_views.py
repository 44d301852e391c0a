"""How the relay's objects look in Telegram: texts and keyboards, in the reader's language.

User text (questions, names, hub names, session titles) always goes through the translator
as a parameter, which escapes it: a question written in HTML or Markdown shows literally.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.callbacks import CallbackData
from bot.context import RemoteHubContext
from bot.i18n import LANGUAGE_NAMES
from bot.questions.callbacks import (
    AskAction,
    AskStep,
    CardAction,
    CardPress,
    NextQuestion,
    OwnAction,
    OwnQuestion,
    QuestionsPage,
    Vote,
)
from bot.questions.text import shorten
from bot.questions.views import STATUS_MESSAGES, QuestionView, SessionView
from bot.questions.voting import VotingPage
from bot.timefmt import local_label
from bot.translation.service import (
    FAILED,
    NO_ANSWER_YET,
    PENDING,
    CardTranslation,
    MissingTranslation,
    language_name,
)
from handlers.common import Keyboard, inline_keyboard
from storage.repos import questions as statuses

BUTTON_TITLE = 48  # session titles on buttons
LIST_TEXT = 300  # question text in lists


def session_button_rows(
    context: RemoteHubContext, sessions: list[SessionView], data: Callable[[int], CallbackData]
) -> list[list[tuple[str, str]]]:
    """One button per session (local start time and title); ``data(session_id)`` its codec."""
    zone = context.services.settings.zone
    rows = []
    for session in sessions:
        when = local_label(session.start_at, zone, context.language)
        rows.append([(shorten(f"{when} · {session.title}", BUTTON_TITLE), data(session.id).pack())])
    return rows


def who_asked(context: RemoteHubContext, question: QuestionView, *, public: bool) -> str:
    """Hub label, the asker's name, or "anonymous" (plain text: escape when formatting)."""
    if question.hub is not None:
        return f"🏛 {question.hub}"
    name = question.asker_public if public else question.asker
    return name or context.t("questions.anonymous")


def waited(context: RemoteHubContext, since: datetime) -> str:
    minutes = max(0, int((context.services.clock.now() - since).total_seconds() // 60))
    return context.t("moderation.minutes", count=minutes)


# -- asking ----------------------------------------------------------------------------------


def prompt_text(
    context: RemoteHubContext, session: SessionView, anonymous: bool, hub: str | None
) -> str:
    maximum = context.services.settings.questions.max_length
    if hub is not None:
        return context.t("questions.prompt_hub", session=session.title, hub=hub, maximum=maximum)
    text = context.t("questions.prompt", session=session.title, maximum=maximum)
    note = "questions.prompt.anonymous" if anonymous else "questions.prompt.named"
    return f"{text}\n\n{context.t(note)}"


def prompt_keyboard(context: RemoteHubContext, anonymous: bool) -> Keyboard:
    toggle = "questions.button.show_name" if anonymous else "questions.button.anonymous"
    return inline_keyboard(
        [
            [
                (context.t(toggle), AskStep(AskAction.ANONYMOUS).pack()),
                (context.t("questions.button.cancel"), AskStep(AskAction.CANCEL).pack()),
            ]
        ]
    )


def received_text(context: RemoteHubContext, question: QuestionView, session: SessionView) -> str:
    message_id = (
        "questions.received_premod"
        if question.status == statuses.PENDING_APPROVAL
        else "questions.received"
    )
    text = context.t(message_id, number=question.number, session=session.title)
    if question.anonymous:
        text += "\n" + context.t("questions.prompt.anonymous")
    return text


def own_keyboard(context: RemoteHubContext, question: QuestionView) -> Keyboard | None:
    """Withdraw, and hide or show the name, while the question is still open."""
    if question.status not in statuses.OPEN:
        return None
    row = [
        (
            context.t("questions.button.withdraw"),
            OwnQuestion(OwnAction.WITHDRAW, question.id).pack(),
        )
    ]
    if question.hub is None:
        toggle = (
            "questions.button.show_name" if question.anonymous else "questions.button.anonymous"
        )
        row.append((context.t(toggle), OwnQuestion(OwnAction.TOGGLE_NAME, question.id).pack()))
    return inline_keyboard([row])


def similar_text(context: RemoteHubContext, question: QuestionView) -> str:
    return context.t(
        "questions.similar",
        text=shorten(question.text, LIST_TEXT),
        number=question.number,
        votes=question.votes,
    )


def similar_keyboard(context: RemoteHubContext, question: QuestionView) -> Keyboard:
    return inline_keyboard(
        [
            [
                (
                    context.t("questions.button.vote_instead", number=question.number),
                    AskStep(AskAction.VOTE_INSTEAD).pack(),
                )
            ],
            [(context.t("questions.button.send_anyway"), AskStep(AskAction.SEND_ANYWAY).pack())],
            [(context.t("questions.button.cancel"), AskStep(AskAction.CANCEL).pack())],
        ]
    )


# -- voting ------------------------------------------------------------------------------------


def voting_text(context: RemoteHubContext, page: VotingPage) -> str:
    if not page.items:
        return context.t("questions.list_empty", session=page.session.title)
    lines = [context.t("questions.list_header", session=page.session.title, count=page.total)]
    for item in page.items:
        question = item.question
        lines.append(
            context.t(
                "questions.list_item",
                number=question.number,
                votes=question.votes,
                asker=who_asked(context, question, public=True),
                text=shorten(question.text, LIST_TEXT),
            )
        )
    if page.pages > 1:
        lines.append(context.t("questions.list_page", page=page.page + 1, pages=page.pages))
    return "\n\n".join(lines)


def voting_keyboard(context: RemoteHubContext, page: VotingPage) -> Keyboard | None:
    buttons = []
    for item in page.items:
        question = item.question
        mark = "✅" if item.voted else "👍"
        if item.own:
            mark = "✍️"
        buttons.append(
            (f"{mark} {question.votes} · #{question.number}", Vote(question.id, page.page).pack())
        )
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    navigation = []
    if page.page > 0:
        navigation.append(("◀️", QuestionsPage(page.session.id, page.page - 1).pack()))
    navigation.append(("🔄", QuestionsPage(page.session.id, page.page).pack()))
    if page.page + 1 < page.pages:
        navigation.append(("▶️", QuestionsPage(page.session.id, page.page + 1).pack()))
    rows.append(navigation)
    return inline_keyboard(rows)


# -- moderating --------------------------------------------------------------------------------


def card_text(
    context: RemoteHubContext,
    question: QuestionView,
    session: SessionView,
    translation: CardTranslation | None = None,
) -> str:
    card = context.t(
        "moderation.card",
        number=question.number,
        session=session.title,
        text=question.text,
        asker=who_asked(context, question, public=False),
        votes=question.votes,
        question_language=LANGUAGE_NAMES.get(question.language, question.language),
        waited=waited(context, question.created_at),
        status=context.t(STATUS_MESSAGES[question.status]),
    )
    if translation is None:
        return card
    return f"{card}\n\n{translation_text(context, translation)}"


_WHY = {
    PENDING: "translate.why.pending",
    NO_ANSWER_YET: "translate.why.no_answer",
    FAILED: "translate.why.failed",
}


def translation_text(context: RemoteHubContext, translation: CardTranslation) -> str:
    """The machine translation, marked as one with its source language, or why there is none."""
    if isinstance(translation, MissingTranslation):
        return context.t(_WHY.get(translation.why, "translate.why.failed"))
    if translation.source is None:
        return context.t("translate.card.machine_unknown", text=translation.text)
    source = language_name(translation.source, context.language)
    return context.t("translate.card.machine", source=source, text=translation.text)


def card_keyboard(context: RemoteHubContext, question: QuestionView) -> Keyboard | None:
    qid = question.id
    if question.status == statuses.CLAIMED:
        return inline_keyboard(
            [
                [
                    (context.t("moderation.button.answered"), _card(CardAction.ANSWERED, qid)),
                    (context.t("moderation.button.skip"), _card(CardAction.SKIP, qid)),
                ],
                [
                    (context.t("moderation.button.write"), _card(CardAction.WRITE, qid)),
                    (context.t("moderation.button.reject"), _card(CardAction.REJECT, qid)),
                ],
                [(context.t("moderation.button.back"), _card(CardAction.BACK, qid))],
            ]
        )
    if question.status == statuses.PENDING_APPROVAL:
        return inline_keyboard(
            [
                [
                    (context.t("moderation.button.approve"), _card(CardAction.APPROVE, qid)),
                    (context.t("moderation.button.reject"), _card(CardAction.REJECT, qid)),
                ]
            ]
        )
    return next_keyboard(context, question.session_id)


def _card(action: CardAction, question_id: int) -> str:
    return CardPress(action, question_id).pack()


def next_keyboard(context: RemoteHubContext, session_id: int) -> Keyboard:
    return inline_keyboard(
        [[(context.t("moderation.button.next"), NextQuestion(session_id).pack())]]
    )
