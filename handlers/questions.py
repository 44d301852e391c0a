"""Asking: /ask (with or without text), the session buttons (ours and the session card's
``ask:s:<id>``), the ``ask_<id>`` deep link, the text that follows, edits and withdrawals."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.callbacks import parse_id
from bot.context import RemoteHubApplication, RemoteHubContext
from bot.links import ASK_PAYLOAD
from bot.programme.callbacks import AskFromCard
from bot.questions.asking import (
    Acknowledge,
    Asker,
    AskOutcome,
    AwaitingText,
    ChooseSession,
    SimilarFound,
    Submitted,
)
from bot.questions.callbacks import AskAction, AskChosen, AskStep, OwnAction, OwnQuestion
from bot.questions.moderation import ANSWER, REASON
from bot.questions.views import QuestionView, SessionView
from bot.textlists import join_items
from handlers import moderation, relay_views
from handlers.commands import CommandSpec
from handlers.common import Keyboard, edit_text, inline_keyboard
from handlers.presses import on_press
from handlers.relay_out import answer, button, force_reply, queue_answer

COMMANDS = [CommandSpec("ask", "cmd.ask")]

_NOT_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.AUDIO
    | filters.Document.ALL
    | filters.ANIMATION
    | filters.LOCATION
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)


def asker_of(update: Update, context: RemoteHubContext) -> Asker | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot or chat.type == ChatType.CHANNEL:
        return None
    return Asker(user.id, chat.id, context.language, in_group=chat.type != ChatType.PRIVATE)


def acknowledgement(update: Update, context: RemoteHubContext) -> Acknowledge:
    """Queues "received" in the transaction that stores the question."""

    async def acknowledge(db: AsyncSession, question: QuestionView, session: SessionView) -> None:
        text = relay_views.received_text(context, question, session)
        keyboard = relay_views.own_keyboard(context, question)
        await queue_answer(db, update, context, text, keyboard, quote=question.hub is not None)

    return acknowledge


async def show(
    update: Update,
    context: RemoteHubContext,
    asker: Asker,
    outcome: AskOutcome,
    *,
    edit: bool = True,
) -> None:
    """Say what the step led to (a stored question was acknowledged already).

    ``edit``: replace the message whose button was pressed (our own lists); a session card
    pressed elsewhere stays as it is and gets a new message below.
    """
    if isinstance(outcome, Submitted):
        return
    edit = edit and update.callback_query is not None
    if isinstance(outcome, ChooseSession):
        message_id = (
            "questions.choose_session_draft" if outcome.has_draft else "questions.choose_session"
        )
        rows = relay_views.session_button_rows(context, outcome.sessions, AskChosen)
        rows.append([(context.t("questions.button.cancel"), AskStep(AskAction.CANCEL).pack())])
        await _say(update, context, context.t(message_id), inline_keyboard(rows), edit=edit)
    elif isinstance(outcome, AwaitingText):
        hub = await context.services.questions.hubs.label(asker.chat_id) if asker.in_group else None
        text = relay_views.prompt_text(context, outcome.session, outcome.anonymous, hub)
        if hub is not None:
            await answer(update, context, text, force_reply(outcome.session.title), quote=True)
        else:
            keyboard = relay_views.prompt_keyboard(context, outcome.anonymous)
            await _say(update, context, text, keyboard, edit=edit)
    elif isinstance(outcome, SimilarFound):
        text = relay_views.similar_text(context, outcome.similar)
        keyboard = relay_views.similar_keyboard(context, outcome.similar)
        await _say(update, context, text, keyboard, edit=edit)


async def _say(
    update: Update, context: RemoteHubContext, text: str, keyboard: Keyboard | None, *, edit: bool
) -> None:
    if edit:
        await edit_text(update, context, text, keyboard)
    else:
        await answer(update, context, text, keyboard, quote=True)


# -- entry points ------------------------------------------------------------------------------


async def ask_command(update: Update, context: RemoteHubContext) -> None:
    asker, message = asker_of(update, context), update.effective_message
    if asker is None or message is None:
        return
    text = command_text(message.text or "")
    service = context.services.questions.asking
    if text:
        ack = acknowledgement(update, context)
        outcome = await service.ask_with_text(asker, text, message.message_id, ack)
    else:
        outcome = await service.begin(asker)
    await show(update, context, asker, outcome)


async def ask_deep_link(update: Update, context: RemoteHubContext, payload: str) -> None:
    """``/start ask_12`` (the QR code on the room's screen)."""
    asker = asker_of(update, context)
    if asker is None:
        return
    session_id = parse_id(payload)
    if session_id is None:
        await answer(update, context, context.t("questions.session_unknown"))
        return
    ack = acknowledgement(update, context)
    outcome = await context.services.questions.asking.choose(asker, session_id, ack)
    await show(update, context, asker, outcome)


async def session_chosen(
    update: Update, context: RemoteHubContext, data: AskFromCard | AskChosen
) -> None:
    """The programme's session card (``AskFromCard``) or our own list (``AskChosen``)."""
    query, asker = update.callback_query, asker_of(update, context)
    if query is None or asker is None:
        return
    ack = acknowledgement(update, context)
    outcome = await context.services.questions.asking.choose(asker, data.session, ack)
    await query.answer()
    await show(update, context, asker, outcome, edit=isinstance(data, AskChosen))


async def flow_button(update: Update, context: RemoteHubContext, data: AskStep) -> None:
    """Anonymous / cancel / vote instead / send anyway: the buttons of the asking flow."""
    query, asker = update.callback_query, asker_of(update, context)
    if query is None or asker is None:
        return
    service = context.services.questions.asking
    action = data.action
    if action == AskAction.ANONYMOUS:
        prompt = await service.toggle_anonymous(asker)
        await query.answer()
        if prompt is not None:
            await show(update, context, asker, prompt)
    elif action == AskAction.CANCEL:
        await service.cancel(asker)
        await query.answer()
        await edit_text(update, context, context.t("questions.cancelled"))
    elif action == AskAction.VOTE_INSTEAD:
        question = await service.vote_instead(asker)
        await query.answer()
        text = context.t("questions.voted_instead", number=question.number)
        await edit_text(update, context, text)
    elif action == AskAction.SEND_ANYWAY:
        outcome = await service.send_anyway(asker, acknowledgement(update, context))
        await query.answer()
        if isinstance(outcome, Submitted):
            number = outcome.question.number
            await edit_text(update, context, context.t("questions.sent_anyway", number=number))
        else:
            await show(update, context, asker, outcome)


async def awaited_text(update: Update, context: RemoteHubContext) -> None:
    """The message after /ask (or a moderator's reason or answer)."""
    asker, message = asker_of(update, context), update.effective_message
    if asker is None or message is None or message.text is None:
        return
    service = context.services.questions.asking
    step = await service.step_of(asker)  # the database says whether we wait for this
    if step is None:
        if not asker.in_group:
            await outside_flow_hint(update, context)
        return
    if step in (REASON, ANSWER):
        await moderation.moderator_text(update, context)
        return
    outcome = await service.receive_text(
        asker, message.text, message.message_id, acknowledgement(update, context)
    )
    if outcome is not None:
        await show(update, context, asker, outcome)


async def outside_flow_hint(update: Update, context: RemoteHubContext) -> None:
    """A private message outside any flow: what the bot does, where to ask now, /help."""
    sessions = await context.services.questions.asking.open_sessions()
    if sessions:
        titles = join_items((session.title for session in sessions), context.language)
        now_line = context.t("questions.hint.open_now", sessions=titles)
    else:
        now_line = context.t("questions.hint.none_open")
    await answer(update, context, context.t("questions.hint.about") + "\n\n" + now_line)


async def awaited_not_text(update: Update, context: RemoteHubContext) -> None:
    asker = asker_of(update, context)
    if asker is None or await context.services.questions.asking.step_of(asker) is None:
        return
    await answer(update, context, context.t("questions.not_text"), quote=True)


async def edited(update: Update, context: RemoteHubContext) -> None:
    """The asker edited the message that asked a question: the question follows."""
    message, user = update.edited_message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    text = message.text
    if message.text.startswith("/"):
        text = command_text(text)
    view = await context.services.questions.own.edit_by_message(
        message.chat.id, message.message_id, user.id, text, context.language
    )
    if view is not None:
        await answer(update, context, context.t("questions.edited", number=view.number), quote=True)


async def own_question_button(update: Update, context: RemoteHubContext, data: OwnQuestion) -> None:
    """Withdraw one's own question, or hide or show the name on it."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    own = context.services.questions.own
    if data.action == OwnAction.WITHDRAW:
        view = await own.withdraw(data.question, user.id)
        await query.answer(context.t("questions.withdrawn", number=view.number))
        await edit_text(update, context, context.t("questions.withdrawn", number=view.number))
        return
    view, session = await own.toggle_anonymous(data.question, user.id)
    note = "questions.now_anonymous" if view.anonymous else "questions.now_named"
    await query.answer(context.t(note, number=view.number))
    text = relay_views.received_text(context, view, session)
    await edit_text(update, context, text, relay_views.own_keyboard(context, view))


def command_text(text: str) -> str:
    """``/ask@bot  text`` -> ``text`` (line breaks inside the question are kept)."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


# -- wiring ------------------------------------------------------------------------------------

START_PAYLOADS = {ASK_PAYLOAD: ask_deep_link}


def register(application: RemoteHubApplication) -> None:
    new_messages = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("ask", ask_command, filters=new_messages))
    application.add_handler(on_press(AskFromCard, button(session_chosen)))
    application.add_handler(on_press(AskChosen, button(session_chosen)))
    application.add_handler(on_press(AskStep, button(flow_button)))
    application.add_handler(on_press(OwnQuestion, button(own_question_button)))
    application.add_handler(
        MessageHandler(new_messages & filters.TEXT & ~filters.COMMAND, awaited_text)
    )
    application.add_handler(MessageHandler(new_messages & _NOT_TEXT, awaited_not_text))
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, edited)
    )
