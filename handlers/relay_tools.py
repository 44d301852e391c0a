"""The relay's tools: /export (CSV + Markdown report), /qr (the asking link for the room's
screen), and the admins' /mod to add and remove moderators."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.callbacks import parse_id
from bot.context import RemoteHubApplication, RemoteHubContext
from bot.errors import UserFacingError
from bot.questions.export import render_csv, render_markdown
from bot.questions.people import Scope
from bot.questions.qr import qr_png
from bot.roles import Role
from handlers.commands import CommandSpec, publish_for_user
from handlers.common import command_args
from handlers.guards import require_role
from handlers.moderation import focused_session
from handlers.relay_out import answer, send_file

COMMANDS = [
    CommandSpec("export", "cmd.export", Role.MODERATOR),
    CommandSpec("qr", "cmd.qr", Role.MODERATOR),
    CommandSpec("mod", "cmd.mod", Role.ADMIN),
]


async def export_command(update: Update, context: RemoteHubContext) -> None:
    """The session's questions as a CSV file and a Markdown report."""
    session = await focused_session(update, context)
    if session is None:
        return
    report = await context.services.questions.exports.report(session.id)
    counts = report.counts()
    stem = f"questions-session-{session.id}"
    await send_file(
        update,
        context,
        method="sendDocument",
        data=render_csv(report).encode("utf-8-sig"),  # the BOM makes Excel read UTF-8
        filename=f"{stem}.csv",
        caption=context.t("moderation.export_csv", session=session.title),
    )
    markdown = render_markdown(report, context.services.translator, context.language)
    await send_file(
        update,
        context,
        method="sendDocument",
        data=markdown.encode("utf-8"),
        filename=f"{stem}.md",
        caption=context.t(
            "moderation.export_md",
            session=session.title,
            asked=counts.asked,
            answered=counts.answered,
        ),
    )


async def qr_command(update: Update, context: RemoteHubContext) -> None:
    """A QR code of ``t.me/<bot>?start=ask_<session>`` for the room's screen."""
    session = await focused_session(update, context)
    if session is None:
        return
    link = context.services.links.ask(session.id)
    await send_file(
        update,
        context,
        method="sendPhoto",
        data=qr_png(link),
        filename=f"ask-session-{session.id}.png",
        caption=context.t("moderation.qr_caption", session=session.title, link=link),
    )


async def mod_command(update: Update, context: RemoteHubContext) -> None:
    """``/mod add|remove <user id> [session <id> | event <id>]``, ``/mod list``."""
    if not await require_role(update, context, Role.ADMIN):
        return
    user = update.effective_user
    assert user is not None
    args = command_args(context)
    directory = context.services.questions.moderators
    if args[:1] == ["list"]:
        entries = await directory.entries()
        if not entries:
            await answer(update, context, context.t("moderators.list_empty"))
            return
        lines = [context.t("moderators.list_header")]
        lines += [f"• {entry.user_id} — {_scope_label(context, entry.scope)}" for entry in entries]
        await answer(update, context, "\n".join(lines))
        return
    if len(args) < 2 or args[0] not in ("add", "remove") or not args[1].lstrip("-").isdigit():
        raise UserFacingError("moderators.usage")
    numbers = [args[1], *args[3:4]]
    bad = next((word for word in numbers if parse_id(word) is None), None)
    if bad is not None:
        await answer(update, context, context.t("errors.bad_number", value=bad[:24]))
        return
    target = int(args[1])
    scope = Scope.parse(args[2:])
    label = _scope_label(context, scope.key)
    if args[0] == "add":
        added = await directory.add(target, scope, user.id)
        message_id = "moderators.added" if added else "moderators.already"
    else:
        removed = await directory.remove(target, scope if args[2:] else None)
        message_id = "moderators.removed" if removed else "moderators.not_found"
    await answer(update, context, context.t(message_id, user=target, scope=label))
    await _publish_menu(context, target)


async def _publish_menu(context: RemoteHubContext, user_id: int) -> None:
    """A moderator added (or removed) at run time gets (or loses) the moderators' menu."""
    role = await context.services.roles.role_of(user_id)
    entries = await context.services.questions.moderators.entries()
    if role == Role.PARTICIPANT and any(entry.user_id == user_id for entry in entries):
        role = Role.MODERATOR  # a moderator of some sessions or events
    services = context.services
    await publish_for_user(
        context.bot, context.bot_data.commands, services.translator, user_id, role
    )


def _scope_label(context: RemoteHubContext, scope: str) -> str:
    kind, _, number = scope.partition(":")
    if kind == "session":
        return context.t("moderators.scope_session", id=number)
    if kind == "event":
        return context.t("moderators.scope_event", id=number)
    return context.t("moderators.scope_all")


def register(application: RemoteHubApplication) -> None:
    only_new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("export", export_command, filters=only_new))
    application.add_handler(CommandHandler("qr", qr_command, filters=only_new))
    application.add_handler(CommandHandler("mod", mod_command, filters=only_new))
