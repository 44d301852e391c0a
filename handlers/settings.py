"""/settings: the chat's time zone, language and reminder lead times.

Buttons: ``bot.reminders.callbacks`` (home, zone choices, a zone, type a zone name, lead
times, a lead time toggled, language). ``/settings tz <name>``
sets a zone directly. In groups everyone may look, only admins may change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import RemoteHubApplication, RemoteHubContext
from bot.errors import UserFacingError
from bot.i18n import LANGUAGE_NAMES
from bot.reminders.callbacks import (
    LeadChoices,
    LeadToggle,
    SettingsHome,
    SettingsLanguage,
    ZoneChoices,
    ZoneChosen,
    ZonePrompt,
)
from bot.reminders.subscriptions import LEAD_CHOICES, ChatSettings
from bot.reminders.texts import zone_named
from bot.reminders.zones import guess_zone
from bot.timefmt import format_clock
from handlers import core
from handlers.commands import CommandSpec
from handlers.common import Keyboard, edit_text, inline_keyboard, reply, reply_text
from handlers.guards import is_group_admin
from handlers.presses import PressHandler, on_press
from handlers.prompts import PromptReply, ask

COMMANDS = [CommandSpec("settings", "cmd.settings")]
ZONE_WORDS = ("tz", "zone", "timezone")


def _chat_id(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def _now(context: RemoteHubContext) -> datetime:
    return context.services.clock.now()


def _clock_in(context: RemoteHubContext, zone: str) -> str:
    fallback = context.services.settings.zone
    return format_clock(_now(context), zone_named(zone, fallback), context.language)


async def _show(update: Update, context: RemoteHubContext, text: str, keyboard: Keyboard) -> None:
    """Edit the settings message in place when a button was pressed, else send it."""
    if update.callback_query is not None:
        await edit_text(update, context, text, keyboard)
    else:
        await reply_text(update, context, text, keyboard)


# ---- the overview --------------------------------------------------------------------


async def settings_command(update: Update, context: RemoteHubContext) -> None:
    args = list(context.args or [])
    if args and args[0].casefold() in ZONE_WORDS:
        if len(args) == 1:
            await _show_zones(update, context)
        elif await _may_change(update, context):
            await _apply_zone(update, context, " ".join(args[1:]))
        return
    await _show_overview(update, context)


async def _show_overview(update: Update, context: RemoteHubContext) -> None:
    reminders = context.services.reminders
    settings = await reminders.subscriptions.chat_settings(_chat_id(update))
    zone_line = "settings.zone_chosen" if settings.timezone else "settings.zone_venue"
    language = LANGUAGE_NAMES.get(settings.language or context.language, context.language)
    leads = reminders.texts.leads(context.language, settings.leads)
    text = "\n".join(
        [
            context.t("settings.header"),
            context.t(zone_line, zone=settings.zone, time=_clock_in(context, settings.zone)),
            context.t("settings.language", name=language),
            context.t("settings.leads", leads=leads),
        ]
    )
    keyboard = inline_keyboard(
        [
            [(context.t("settings.button_zone"), ZoneChoices().pack())],
            [(context.t("settings.button_leads"), LeadChoices().pack())],
            [(context.t("settings.button_language"), SettingsLanguage().pack())],
        ]
    )
    await _show(update, context, text, keyboard)


# ---- time zone -----------------------------------------------------------------------


async def _show_zones(update: Update, context: RemoteHubContext) -> None:
    """Offer the zone guessed from the Telegram language, the venue's and UTC."""
    user = update.effective_user
    settings = await context.services.reminders.subscriptions.chat_settings(_chat_id(update))
    guess = guess_zone(user.language_code if user else None)
    choices = list(dict.fromkeys([guess, context.services.settings.timezone, "UTC"]))
    rows = [[(_zone_label(context, zone), ZoneChosen(zone).pack())] for zone in choices]
    rows.append([(context.t("settings.button_type_zone"), ZonePrompt().pack())])
    rows.append([(context.t("settings.button_back"), SettingsHome().pack())])
    text = context.t("settings.zone_choose", zone=settings.zone, guess=guess)
    await _show(update, context, text, inline_keyboard(rows))


def _zone_label(context: RemoteHubContext, zone: str) -> str:
    return f"{zone} · {_clock_in(context, zone)}"


async def _apply_zone(update: Update, context: RemoteHubContext, text: str) -> None:
    answer = await context.services.reminders.subscriptions.set_timezone(_chat_id(update), text)
    if answer.zone is not None:
        time = _clock_in(context, answer.zone)
        done = context.t("settings.zone_set", zone=answer.zone, time=time)
        keyboard = inline_keyboard([[(context.t("settings.button_back"), SettingsHome().pack())]])
        await _show(update, context, done, keyboard)
        return
    if not answer.suggestions:
        await reply(update, context, "settings.zone_unknown", text=text.strip()[:64])
        return
    rows = [[(_zone_label(context, zone), ZoneChosen(zone).pack())] for zone in answer.suggestions]
    question = context.t("settings.zone_suggest", text=text.strip()[:64])
    await reply_text(update, context, question, inline_keyboard(rows))


async def zone_reply(update: Update, context: RemoteHubContext) -> None:
    """The answer to "which time zone?" (a reply to the bot's question)."""
    message = update.effective_message
    if message is None or not message.text or not await _may_change(update, context):
        return
    await _apply_zone(update, context, message.text)


# ---- lead times ----------------------------------------------------------------------


async def _show_leads(update: Update, context: RemoteHubContext, settings: ChatSettings) -> None:
    texts = context.services.reminders.texts
    choices = sorted(set(LEAD_CHOICES) | set(context.services.reminders.planner.default_leads))
    buttons = [
        (
            ("✅ " if minutes in settings.leads else "▫️ ")
            + texts.duration(context.language, minutes * 60),
            LeadToggle(minutes).pack(),
        )
        for minutes in choices
    ]
    rows = [buttons[index : index + 3] for index in range(0, len(buttons), 3)]
    rows.append([(context.t("settings.button_back"), SettingsHome().pack())])
    text = context.t("settings.leads_choose", leads=texts.leads(context.language, settings.leads))
    await _show(update, context, text, inline_keyboard(rows))


# ---- buttons -------------------------------------------------------------------------


async def _may_change(update: Update, context: RemoteHubContext) -> bool:
    if await is_group_admin(update, context):
        return True
    if update.callback_query is not None:
        await update.callback_query.answer(context.t("settings.admins_only"), show_alert=True)
    else:
        await reply(update, context, "settings.admins_only")
    return False


async def _answer_and(update: Update) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()


async def home_button(update: Update, context: RemoteHubContext, _data: SettingsHome) -> None:
    await _answer_and(update)
    await _show_overview(update, context)


async def zones_button(update: Update, context: RemoteHubContext, _data: ZoneChoices) -> None:
    await _answer_and(update)
    await _show_zones(update, context)


async def leads_button(update: Update, context: RemoteHubContext, _data: LeadChoices) -> None:
    await _answer_and(update)
    service = context.services.reminders.subscriptions
    await _show_leads(update, context, await service.chat_settings(_chat_id(update)))


async def language_button(
    update: Update, context: RemoteHubContext, _data: SettingsLanguage
) -> None:
    await _answer_and(update)
    await core.lang(update, context)


async def zone_chosen(update: Update, context: RemoteHubContext, data: ZoneChosen) -> None:
    if await _may_change(update, context):
        await _answer_and(update)
        await _apply_zone(update, context, data.zone)


async def zone_prompt(update: Update, context: RemoteHubContext, _data: ZonePrompt) -> None:
    if await _may_change(update, context):
        await _answer_and(update)
        await ask(update, context, "settings.zone_prompt")


async def lead_toggle(update: Update, context: RemoteHubContext, data: LeadToggle) -> None:
    query = update.callback_query
    assert query is not None
    if not await _may_change(update, context):
        return
    service = context.services.reminders.subscriptions
    try:
        await service.toggle_lead(_chat_id(update), data.minutes)
    except UserFacingError as error:
        await query.answer(context.t(error.message_id, **error.params), show_alert=True)
        return
    except ValueError:
        await query.answer(context.t("errors.expired_button"))
        return
    await query.answer()
    await _show_leads(update, context, await service.chat_settings(_chat_id(update)))


_BUTTONS: list[tuple[type[Any], PressHandler[Any]]] = [
    (SettingsHome, home_button),
    (ZoneChoices, zones_button),
    (ZoneChosen, zone_chosen),
    (ZonePrompt, zone_prompt),
    (LeadChoices, leads_button),
    (LeadToggle, lead_toggle),
    (SettingsLanguage, language_button),
]


def register(application: RemoteHubApplication) -> None:
    application.add_handler(CommandHandler("settings", settings_command))
    for codec, handler in _BUTTONS:
        application.add_handler(on_press(codec, handler))
    zone_answers = filters.TEXT & ~filters.COMMAND & PromptReply("settings.zone_prompt")
    application.add_handler(MessageHandler(zone_answers, zone_reply))
