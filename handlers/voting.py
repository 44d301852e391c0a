"""/questions: a session's open questions with a 👍 each; counts update in place."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import RemoteHubContext
from bot.questions import relay_of
from handlers import relay_views
from handlers.commands import CommandSpec
from handlers.common import command_args, edit_text, inline_keyboard
from handlers.relay_out import answer, button

COMMANDS = [CommandSpec("questions", "cmd.questions")]


async def questions_command(update: Update, context: RemoteHubContext) -> None:
    """``/questions [session id]``: the list of the one open session, or a choice."""
    user = update.effective_user
    if user is None:
        return
    args = command_args(context)
    relay = relay_of(context.services)
    if args and args[0].isdigit():
        await _show_page(update, context, int(args[0]), 0, edit=False)
        return
    sessions = await relay.asking.open_sessions()
    if not sessions:
        await answer(update, context, context.t("questions.no_session"))
    elif len(sessions) == 1:
        await _show_page(update, context, sessions[0].id, 0, edit=False)
    else:
        rows = relay_views.session_button_rows(context, sessions, "qp:{id}:0")
        await answer(update, context, context.t("questions.choose_list"), inline_keyboard(rows))


async def _show_page(
    update: Update, context: RemoteHubContext, session_id: int, page: int, *, edit: bool
) -> None:
    user = update.effective_user
    assert user is not None
    view = await relay_of(context.services).voting.page(session_id, user.id, page)
    text = relay_views.voting_text(context, view)
    keyboard = relay_views.voting_keyboard(context, view)
    if edit:
        await edit_text(update, context, text, keyboard)
    else:
        await answer(update, context, text, keyboard)


async def page_button(update: Update, context: RemoteHubContext) -> None:
    """``qp:<session>:<page>``: another page, or the same one refreshed."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        await query.answer(context.t("errors.expired_button"))
        return
    await _show_page(update, context, int(parts[1]), int(parts[2]), edit=True)
    await query.answer()


async def vote_button(update: Update, context: RemoteHubContext) -> None:
    """``qv:<question>:<page>``: vote or take the vote back, then redraw the page."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or query.data is None:
        return
    parts = query.data.split(":")
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        await query.answer(context.t("errors.expired_button"))
        return
    result = await relay_of(context.services).voting.toggle(int(parts[1]), user.id)
    note = "questions.vote_added" if result.voted else "questions.vote_removed"
    await query.answer(context.t(note, number=result.question.number))
    await _show_page(update, context, result.question.session_id, int(parts[2]), edit=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(
        CommandHandler("questions", questions_command, filters=filters.UpdateType.MESSAGE)
    )
    application.add_handler(CallbackQueryHandler(button(page_button), pattern=r"^qp:"))
    application.add_handler(CallbackQueryHandler(button(vote_button), pattern=r"^qv:"))
