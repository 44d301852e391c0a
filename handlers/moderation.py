"""Moderators: /moderate, /queue, /next and the question card, /answer, /premod.

Every command and every button checks the role at the moment of use, for the session the
question belongs to; a participant who sends the command or forges the callback data is
refused and nothing changes.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.callbacks import parse_id
from bot.context import RemoteHubApplication, RemoteHubContext
from bot.questions.callbacks import CardAction, CardPress, FocusSession, NextQuestion
from bot.questions.moderation import ANSWER, REASON, QueueView
from bot.questions.text import shorten
from bot.questions.views import QuestionView, SessionView
from bot.roles import Role
from bot.textlists import join_items
from bot.timefmt import local_label
from handlers import relay_views
from handlers.commands import CommandSpec
from handlers.common import Keyboard, command_args, edit_text, inline_keyboard
from handlers.guards import require_role
from handlers.presses import on_press
from handlers.relay_out import answer, button
from storage.models import QuestionStatus

log = logging.getLogger(__name__)

COMMANDS = [
    CommandSpec("moderate", "cmd.moderate", Role.MODERATOR),
    CommandSpec("queue", "cmd.queue", Role.MODERATOR),
    CommandSpec("next", "cmd.next", Role.MODERATOR),
    CommandSpec("answer", "cmd.answer", Role.MODERATOR),
    CommandSpec("premod", "cmd.premod", Role.MODERATOR),
]

QUEUE_SHOWN = 10
PENDING_SHOWN = 5
QUEUE_TEXT = 200


def _user_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def focused_session(update: Update, context: RemoteHubContext) -> SessionView | None:
    """The session this moderator works on, after checking they may moderate it (now)."""
    if not await require_role(update, context, Role.MODERATOR):
        return None
    session = await context.services.questions.moderation.focus(_user_id(update))
    if session is None:
        await answer(update, context, context.t("moderation.no_focus"))
        return None
    if not await require_role(update, context, Role.MODERATOR, session.id):
        return None
    return session


# -- which session ---------------------------------------------------------------------------


async def moderate_command(update: Update, context: RemoteHubContext) -> None:
    """``/moderate`` offers today's sessions; ``/moderate <id>`` picks one directly."""
    if not await require_role(update, context, Role.MODERATOR):
        return
    args = command_args(context)
    if args:
        session_id = parse_id(args[0])
        if session_id is None:
            await answer(update, context, context.t("errors.bad_number", value=args[0][:24]))
            return
        await _focus(update, context, session_id)
        return
    sessions = await context.services.questions.moderation.sessions_to_pick()
    if not sessions:
        await answer(update, context, context.t("moderation.no_sessions"))
        return
    rows = relay_views.session_button_rows(context, sessions, FocusSession)
    await answer(update, context, context.t("moderation.pick"), inline_keyboard(rows))


async def focus_button(update: Update, context: RemoteHubContext, data: FocusSession) -> None:
    query = update.callback_query
    if query is None:
        return
    if not await require_role(update, context, Role.MODERATOR, data.session):
        return
    await _focus(update, context, data.session)
    await query.answer()


async def _focus(update: Update, context: RemoteHubContext, session_id: int) -> None:
    if not await require_role(update, context, Role.MODERATOR, session_id):
        return
    session = await context.services.questions.moderation.set_focus(_user_id(update), session_id)
    when = local_label(session.start_at, context.services.settings.zone, context.language)
    text = context.t("moderation.focused", session=session.title, when=when)
    if update.callback_query is not None:
        await edit_text(update, context, text)
    else:
        await answer(update, context, text)


# -- the queue ---------------------------------------------------------------------------------


async def queue_command(update: Update, context: RemoteHubContext) -> None:
    session = await focused_session(update, context)
    if session is None:
        return
    view = await context.services.questions.moderation.queue(session.id)
    await answer(update, context, queue_text(context, view), _pending_keyboard(context, view))


def queue_text(context: RemoteHubContext, view: QueueView) -> str:
    lines = [
        context.t("moderation.queue_header", session=view.session.title, count=len(view.queued))
    ]
    if view.premoderation:
        lines.append(context.t("moderation.premod_note"))
    if not view.queued:
        lines.append(context.t("moderation.queue_empty"))
    lines += [_queue_line(context, question) for question in view.queued[:QUEUE_SHOWN]]
    if len(view.queued) > QUEUE_SHOWN:
        lines.append(context.t("moderation.more", count=len(view.queued) - QUEUE_SHOWN))
    if view.pending:
        lines.append(context.t("moderation.pending_header", count=len(view.pending)))
        lines += [_queue_line(context, question) for question in view.pending[:PENDING_SHOWN]]
    if view.claimed:
        numbers = join_items((f"#{q.number}" for q in view.claimed), context.language)
        lines.append(context.t("moderation.claimed_line", numbers=numbers))
    return "\n\n".join(lines)


def _queue_line(context: RemoteHubContext, question: QuestionView) -> str:
    return context.t(
        "moderation.queue_item",
        number=question.number,
        votes=question.votes,
        asker=relay_views.who_asked(context, question, public=False),
        waited=relay_views.waited(context, question.created_at),
        text=shorten(question.text, QUEUE_TEXT),
        skipped=context.t("moderation.skipped_mark")
        if question.status == QuestionStatus.SKIPPED
        else "",
    )


def _pending_keyboard(context: RemoteHubContext, view: QueueView) -> dict[str, object] | None:
    rows = [
        [
            (
                context.t("moderation.button.approve_number", number=q.number),
                CardPress(CardAction.APPROVE, q.id).pack(),
            ),
            (
                context.t("moderation.button.reject_number", number=q.number),
                CardPress(CardAction.REJECT, q.id).pack(),
            ),
        ]
        for q in view.pending[:PENDING_SHOWN]
    ]
    rows.append([(context.t("moderation.button.next"), NextQuestion(view.session.id).pack())])
    return inline_keyboard(rows)


# -- the next question and its card -------------------------------------------------------------


async def next_command(update: Update, context: RemoteHubContext) -> None:
    session = await focused_session(update, context)
    if session is not None:
        await _claim_and_show(update, context, session)


async def next_button(update: Update, context: RemoteHubContext, data: NextQuestion) -> None:
    """The Next button under a finished card or the queue."""
    query = update.callback_query
    if query is None:
        return
    if not await require_role(update, context, Role.MODERATOR, data.session):
        return
    session = await context.services.questions.moderation.session(data.session)
    await _claim_and_show(update, context, session)
    await query.answer()


async def _claim_and_show(update: Update, context: RemoteHubContext, session: SessionView) -> None:
    question = await context.services.questions.moderation.claim_next(session.id, _user_id(update))
    if question is None:
        keyboard = relay_views.next_keyboard(context, session.id)
        await answer(update, context, context.t("moderation.nothing_waiting"), keyboard)
        return
    translation = await context.services.translations.for_card(question.id, context.language)
    text = relay_views.card_text(context, question, session, translation)
    await answer(update, context, text, relay_views.card_keyboard(context, question))


async def card_button(update: Update, context: RemoteHubContext, data: CardPress) -> None:
    """What the moderator does with a question."""
    query = update.callback_query
    if query is None:
        return
    action, question_id = data.action, data.question
    moderation = context.services.questions.moderation
    session_id = await moderation.session_of_question(question_id)
    if session_id is None:
        await query.answer(context.t("errors.expired_button"))
        return
    if not await require_role(update, context, Role.MODERATOR, session_id):
        return
    text, keyboard = await _card_action(update, context, action, question_id, session_id)
    await query.answer()
    await edit_text(update, context, text, keyboard)


async def _card_action(
    update: Update,
    context: RemoteHubContext,
    action: CardAction,
    question_id: int,
    session_id: int,
) -> tuple[str, Keyboard | None]:
    """Do what the card's button says; return what the card shows next."""
    moderation = context.services.questions.moderation
    moderator, chat = _user_id(update), update.effective_chat
    assert chat is not None
    keep = (context.t("moderation.button.keep"), CardPress(CardAction.CARD, question_id).pack())
    if action == CardAction.REJECT:
        question = await moderation.expect_text(moderator, chat.id, REASON, question_id)
        reject_now = (
            context.t("moderation.button.reject_now"),
            CardPress(CardAction.REJECT_NOW, question_id).pack(),
        )
        prompt = context.t("moderation.reject_prompt", number=question.number)
        return prompt, inline_keyboard([[reject_now], [keep]])
    if action == CardAction.WRITE:
        question = await moderation.expect_text(moderator, chat.id, ANSWER, question_id)
        prompt = context.t("moderation.answer_prompt", number=question.number)
        return prompt, inline_keyboard([[keep]])
    if action == CardAction.CARD:
        await moderation.pending_text_target(moderator, chat.id)  # drop a pending reason/answer
        question = await moderation.card(question_id)
        session = await moderation.session(session_id)
        translations = context.services.translations
        translation = await translations.for_card(question.id, context.language)
        text = relay_views.card_text(context, question, session, translation)
        return text, relay_views.card_keyboard(context, question)
    if action == CardAction.REJECT_NOW:
        await moderation.pending_text_target(moderator, chat.id)
    act, done = {
        CardAction.ANSWERED: (moderation.mark_answered, "moderation.done_answered"),
        CardAction.SKIP: (moderation.skip, "moderation.done_skipped"),
        CardAction.BACK: (moderation.put_back, "moderation.done_back"),
        CardAction.REJECT_NOW: (moderation.reject, "moderation.done_rejected"),
        CardAction.APPROVE: (moderation.approve, "moderation.done_approved"),
    }[action]
    question = await act(question_id, moderator)
    return context.t(done, number=question.number), relay_views.next_keyboard(context, session_id)


# -- written answers and reject reasons -------------------------------------------------------


async def answer_command(update: Update, context: RemoteHubContext) -> None:
    """``/answer <text>`` for the question held now, ``/answer <number> <text>`` for another,
    ``/answer`` alone asks for the text."""
    session = await focused_session(update, context)
    message, chat = update.effective_message, update.effective_chat
    if session is None or message is None or chat is None:
        return
    moderation = context.services.questions.moderation
    parts = (message.text or "").split(maxsplit=2)[1:]
    target: QuestionView | None
    if parts and parts[0].lstrip("#-").isdigit():
        number = parse_id(parts[0].lstrip("#"))
        if number is None:
            await answer(update, context, context.t("errors.bad_number", value=parts[0][:24]))
            return
        target = await moderation.question_by_number(session.id, number)
        parts = parts[1:]
    else:
        target = await moderation.current_claim(session.id, _user_id(update))
        parts = [" ".join(parts)] if parts else []
    if target is None:
        await answer(update, context, context.t("moderation.answer_usage"))
        return
    text = parts[0].strip() if parts else ""
    if not text:
        await moderation.expect_text(_user_id(update), chat.id, ANSWER, target.id)
        await answer(update, context, context.t("moderation.answer_prompt", number=target.number))
        return
    question = await moderation.write_answer(target.id, _user_id(update), text)
    await answer(
        update,
        context,
        context.t("moderation.answer_sent", number=question.number),
        relay_views.next_keyboard(context, session.id),
    )


async def moderator_text(update: Update, context: RemoteHubContext) -> None:
    """The message after Reject or Write answer (routed here by the relay's text handler)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or message.text is None:
        return
    moderation = context.services.questions.moderation
    target = await moderation.pending_text_target(_user_id(update), chat.id)
    if target is None:
        return
    step, question_id = target
    session_id = await moderation.session_of_question(question_id)
    if session_id is None or not await require_role(update, context, Role.MODERATOR, session_id):
        return
    if step == REASON:
        question = await moderation.reject(question_id, _user_id(update), message.text)
        done = "moderation.done_rejected"
    else:
        question = await moderation.write_answer(question_id, _user_id(update), message.text)
        done = "moderation.answer_sent"
    await answer(
        update,
        context,
        context.t(done, number=question.number),
        relay_views.next_keyboard(context, session_id),
    )


async def premod_command(update: Update, context: RemoteHubContext) -> None:
    """``/premod on|off``: whether questions wait for approval before they are listed."""
    session = await focused_session(update, context)
    if session is None:
        return
    args = [arg.casefold() for arg in command_args(context)]
    moderation = context.services.questions.moderation
    if args and args[0] in ("on", "off"):
        enabled = args[0] == "on"
        await moderation.set_premoderation(session.id, enabled)
        message_id = "moderation.premod_set_on" if enabled else "moderation.premod_set_off"
        await answer(update, context, context.t(message_id, session=session.title))
        return
    view = await moderation.queue(session.id)
    state = context.t(
        "moderation.premod_is_on" if view.premoderation else "moderation.premod_is_off"
    )
    await answer(
        update, context, context.t("moderation.premod_usage", session=session.title, state=state)
    )


# -- wiring ------------------------------------------------------------------------------------


def register(application: RemoteHubApplication) -> None:
    only_new = filters.UpdateType.MESSAGE
    for name, callback in (
        ("moderate", moderate_command),
        ("queue", queue_command),
        ("next", next_command),
        ("answer", answer_command),
        ("premod", premod_command),
    ):
        application.add_handler(CommandHandler(name, callback, filters=only_new))
    application.add_handler(on_press(FocusSession, button(focus_button)))
    application.add_handler(on_press(NextQuestion, button(next_button)))
    application.add_handler(on_press(CardPress, button(card_button)))
