"""/questions: a session's open questions with a 👍 each; counts update in place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.callbacks import parse_id
from bot.context import RemoteHubApplication, RemoteHubContext
from bot.questions.callbacks import QuestionsPage, Vote
from handlers import relay_views
from handlers.commands import CommandSpec
from handlers.common import command_args, edit_text, inline_keyboard
from handlers.presses import on_press
from handlers.relay_out import answer, button

COMMANDS = [CommandSpec("questions", "cmd.questions")]


async def questions_command(update: Update, context: RemoteHubContext) -> None:
    """``/questions [session id]``: the list of the one open session, or a choice."""
    user = update.effective_user
    if user is None:
        return
    args = command_args(context)
    relay = context.services.questions
    if args:
        session_id = parse_id(args[0])
        if session_id is None:
            await answer(update, context, context.t("errors.bad_number", value=args[0][:24]))
            return
        await _show_page(update, context, session_id, 0, edit=False)
        return
    sessions = await relay.asking.open_sessions()
    if not sessions:
        await answer(update, context, context.t("questions.no_session"))
    elif len(sessions) == 1:
        await _show_page(update, context, sessions[0].id, 0, edit=False)
    else:
        rows = relay_views.session_button_rows(
            context, sessions, lambda session: QuestionsPage(session, 0)
        )
        await answer(update, context, context.t("questions.choose_list"), inline_keyboard(rows))


async def _show_page(
    update: Update, context: RemoteHubContext, session_id: int, page: int, *, edit: bool
) -> None:
    user = update.effective_user
    assert user is not None
    view = await context.services.questions.voting.page(session_id, user.id, page)
    text = relay_views.voting_text(context, view)
    keyboard = relay_views.voting_keyboard(context, view)
    if edit:
        await edit_text(update, context, text, keyboard)
    else:
        await answer(update, context, text, keyboard)


async def page_button(update: Update, context: RemoteHubContext, data: QuestionsPage) -> None:
    """Another page, or the same one refreshed."""
    query = update.callback_query
    if query is None:
        return
    await _show_page(update, context, data.session, data.page, edit=True)
    await query.answer()


async def vote_button(update: Update, context: RemoteHubContext, data: Vote) -> None:
    """Vote or take the vote back, then redraw the page."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    result = await context.services.questions.voting.toggle(data.question, user.id)
    note = "questions.vote_added" if result.voted else "questions.vote_removed"
    await query.answer(context.t(note, number=result.question.number))
    await _show_page(update, context, result.question.session_id, data.page, edit=True)


def register(application: RemoteHubApplication) -> None:
    application.add_handler(
        CommandHandler("questions", questions_command, filters=filters.UpdateType.MESSAGE)
    )
    application.add_handler(on_press(QuestionsPage, button(page_button)))
    application.add_handler(on_press(Vote, button(vote_button)))
