"""The moderator console: the session's live queue and every moderation action.

Each request checks the role for the session it touches (``RoleService``, as the chat
commands do); each action is one POST with the CSRF token and a nonce (``WebAccess.once``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from markupsafe import Markup

from bot.errors import UserFacingError
from bot.questions.console import ConsoleView
from bot.questions.export import render_csv, render_markdown
from bot.roles import Role
from bot.translation.service import (
    FAILED,
    NO_ANSWER_YET,
    PENDING,
    MissingTranslation,
    language_name,
)
from bot.webaccess import Browser
from web.pages import Texts, message_page, page, plain, render
from web.routing import browser_of, deps, texts_for
from web.sse import session_stream

ROUTES = web.RouteTableDef()

ROLE_RECHECK = 10.0  # seconds: a stream re-asks RoleService at least this often
SHORTCUTS = [
    ("n", "web.key.next"),
    ("a", "web.key.answered"),
    ("s", "web.key.skip"),
    ("b", "web.key.back"),
    ("w", "web.key.write"),
    ("r", "web.key.reject"),
    ("p", "web.key.screen"),
    ("?", "web.key.help"),
]
DONE = {
    "answered": "moderation.done_answered",
    "skip": "moderation.done_skipped",
    "back": "moderation.done_back",
    "approve": "moderation.done_approved",
    "reject": "moderation.done_rejected",
    "answer": "moderation.answer_sent",
    "screen": "web.done.screen",
    "screen_translated": "web.done.screen",
}
TEXT_MAX = 5000
QUEUE_SHOWN = 50  # the top of the queue; the rest is counted (a page of 1,000 helps nobody)


class Refused(Exception):
    def __init__(self, response: web.StreamResponse) -> None:
        self.response = response


async def _moderator(request: web.Request, session_id: int | None = None) -> tuple[Browser, Texts]:
    """The signed-in moderator (of ``session_id`` when given), or a refusal page."""
    browser = await browser_of(request)
    if browser is None:
        raise Refused(message_page(texts_for(request), "web.sign_in_first", status=401))
    texts = texts_for(request, browser.language)
    if not await deps(request).roles.has(browser.user_id, Role.MODERATOR, session_id):
        raise Refused(message_page(texts, "errors.not_allowed", status=403))
    return browser, texts


def _session_id(request: web.Request) -> int:
    text = request.match_info["session"]
    if not text.isdigit() or len(text) > 18:
        raise web.HTTPNotFound()
    return int(text)


def refusing(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except Refused as refused:
            return refused.response
        except UserFacingError as error:
            texts = texts_for(request)
            return message_page(texts, error.message_id, status=404, **error.params)

    return wrapped


@ROUTES.get("/console")
@refusing
async def console_home(request: web.Request) -> web.StreamResponse:
    browser, texts = await _moderator(request)
    sessions = await deps(request).relay.console.sessions_of(browser.user_id, deps(request).roles)
    if sessions:
        raise web.HTTPSeeOther(f"/console/{sessions[0].session.id}?lang={texts.language}")
    return page("console_empty.html", texts, csrf=browser.csrf_token)


@ROUTES.get("/console/{session}")
@refusing
async def console_page(request: web.Request) -> web.StreamResponse:
    session_id = _session_id(request)
    browser, texts = await _moderator(request, session_id)
    services = deps(request)
    sessions = await services.relay.console.sessions_of(browser.user_id, services.roles)
    view = await services.relay.console.view(session_id, browser.user_id)
    lines = await _translation_lines(request, texts, view)
    wall = f"{services.public_url}/wall/{await services.relay.walls.token(session_id)}"
    return page(
        "console.html",
        texts,
        view=view,
        sessions=sessions,
        csrf=browser.csrf_token,
        wall_url=wall,
        shortcuts=SHORTCUTS,
        live_html=Markup(_live_html(texts, view, lines)),  # rendered (and escaped) by Jinja
    )


def _live_html(
    texts: Texts, view: ConsoleView, translations: dict[int, TranslationLine] | None = None
) -> str:
    return render(
        "console_live.html",
        texts,
        view=view,
        queue_shown=QUEUE_SHOWN,
        translations=translations or {},
    )


@dataclass(frozen=True, slots=True)
class TranslationLine:
    """Under a question's original: the machine translation and its mark, or why none."""

    label: str
    text: str | None = None


_WHY = {
    PENDING: "translate.why.pending",
    NO_ANSWER_YET: "translate.why.no_answer",
    FAILED: "translate.why.failed",
}


async def _translation_lines(
    request: web.Request, texts: Texts, view: ConsoleView
) -> dict[int, TranslationLine]:
    """The cached translations into the viewer's language of the questions on the page."""
    shown = [*view.mine, *view.pending, *view.queued[:QUEUE_SHOWN]]
    found = await deps(request).services.translations.for_questions(shown, texts.language)
    lines: dict[int, TranslationLine] = {}
    for question_id, translation in found.items():
        if isinstance(translation, MissingTranslation):
            why = _WHY.get(translation.why, "translate.why.failed")
            lines[question_id] = TranslationLine(plain(texts(why)).removeprefix("🌐").strip())
        elif translation.source is None:
            lines[question_id] = TranslationLine(texts("web.machine_translation"), translation.text)
        else:
            source = language_name(translation.source, texts.language)
            label = texts("web.machine_translation_from", source=source)
            lines[question_id] = TranslationLine(label, translation.text)
    return lines


@ROUTES.get("/console/{session}/stream")
@refusing
async def console_stream(request: web.Request) -> web.StreamResponse:
    session_id = _session_id(request)
    browser, texts = await _moderator(request, session_id)
    services = deps(request)
    loop = asyncio.get_running_loop()
    checked = loop.time()

    async def render_live(version: int) -> str | None:
        nonlocal checked
        if loop.time() - checked > ROLE_RECHECK:
            if not await services.roles.has(browser.user_id, Role.MODERATOR, session_id):
                return None
            checked = loop.time()
        seen, shared = await _snapshot(request, session_id, version)
        snapshot = shared.seen_by(browser.user_id)
        # Consoles whose moderators hold the same questions see the same page: render it once.
        key = (session_id, texts.language, tuple(question.id for question in snapshot.mine))
        renders = request.app[SNAPSHOTS].renders
        cached = renders.get(key)
        if cached is not None and cached[0] == seen:
            return cached[1]
        html = _live_html(texts, snapshot, await _translation_lines(request, texts, snapshot))
        renders[key] = (seen, html)
        return html

    return await session_stream(request, services.live, session_id, render_live)


@dataclass
class ConsoleSnapshots:
    """The latest console snapshot per session: one read of the database per change, shared
    by every console watching (each renders its own ``mine``)."""

    done: dict[int, tuple[int, ConsoleView]] = field(default_factory=dict)
    locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    # (session, language, the viewer's own questions) -> (snapshot version, live HTML)
    renders: dict[tuple[int, str, tuple[int, ...]], tuple[int, str]] = field(default_factory=dict)


SNAPSHOTS = web.AppKey("console_snapshots", ConsoleSnapshots)


async def _snapshot(request: web.Request, session_id: int, version: int) -> tuple[int, ConsoleView]:
    """The session's snapshot at ``version`` or later, with the version it was read at."""
    snapshots = request.app[SNAPSHOTS]
    async with snapshots.locks.setdefault(session_id, asyncio.Lock()):
        cached = snapshots.done.get(session_id)
        if cached is not None and cached[0] >= version:
            return cached
        current = deps(request).live.version(session_id)  # read before the data
        snapshot = await deps(request).relay.console.snapshot(session_id)
        snapshots.done[session_id] = (current, snapshot)
        if len(snapshots.renders) > 1000:  # many moderators' claims over a long day
            snapshots.renders.clear()
        return current, snapshot


def _question_id(value: Any) -> int | None:
    if isinstance(value, str) and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


@ROUTES.post("/console/{session}/act")
@refusing
async def console_action(request: web.Request) -> web.StreamResponse:
    session_id = _session_id(request)
    browser, texts = await _moderator(request, session_id)
    services = deps(request)
    form = await request.post()
    csrf, nonce = form.get("csrf"), form.get("nonce")
    if not services.access.csrf_ok(browser, csrf if isinstance(csrf, str) else None):
        return web.json_response({"ok": False, "message": texts("web.csrf_failed")}, status=403)
    action = str(form.get("action", ""))
    question_id = _question_id(form.get("question"))
    text = str(form.get("text", ""))[:TEXT_MAX]

    async def act() -> dict[str, Any]:
        return await _act(request, browser, session_id, action, question_id, text, texts.language)

    result = await services.access.once(browser, nonce if isinstance(nonce, str) else "", act)
    message = plain(
        services.translator.t(texts.language, result["message_id"], **result.get("params", {}))
    )
    return web.json_response({"ok": result["ok"], "message": message})


async def _act(
    request: web.Request,
    browser: Browser,
    session_id: int,
    action: str,
    question_id: int | None,
    text: str,
    language: str,
) -> dict[str, Any]:
    """One moderation action through the services the chat commands use."""
    relay, moderator = deps(request).relay, browser.user_id
    moderation = relay.moderation
    if action == "claim":
        claimed = await moderation.claim_next(session_id, moderator)
        if claimed is None:
            return {"ok": False, "message_id": "moderation.nothing_waiting", "params": {}}
        return {"ok": True, "message_id": "web.done.claimed", "params": {"number": claimed.number}}
    if action == "screen" and question_id is None:
        await relay.walls.put_on_screen(session_id, None)
        return {"ok": True, "message_id": "web.done.screen_cleared", "params": {}}
    if question_id is None or action not in DONE:
        raise UserFacingError("web.action_expired")
    if await moderation.session_of_question(question_id) != session_id:
        raise UserFacingError("moderation.question_gone")
    acts: dict[str, Callable[[], Awaitable[Any]]] = {
        "answered": lambda: moderation.mark_answered(question_id, moderator),
        "skip": lambda: moderation.skip(question_id, moderator),
        "back": lambda: moderation.put_back(question_id, moderator),
        "approve": lambda: moderation.approve(question_id, moderator),
        "reject": lambda: moderation.reject(question_id, moderator, text or None),
        "answer": lambda: moderation.write_answer(question_id, moderator, text),
        "screen": lambda: relay.walls.put_on_screen(session_id, question_id),
        # The same, with the machine translation into the moderator's language beside it.
        "screen_translated": lambda: relay.walls.put_on_screen(session_id, question_id, language),
    }
    await acts[action]()
    question = await moderation.card(question_id)
    return {"ok": True, "message_id": DONE[action], "params": {"number": question.number}}


@ROUTES.post("/console/{session}/summary")
@refusing
async def console_summary(request: web.Request) -> web.StreamResponse:
    session_id = _session_id(request)
    browser, texts = await _moderator(request, session_id)
    services = deps(request)
    form = await request.post()
    csrf, nonce = form.get("csrf"), form.get("nonce")
    if not services.access.csrf_ok(browser, csrf if isinstance(csrf, str) else None):
        return web.json_response({"ok": False, "message": texts("web.csrf_failed")}, status=403)
    text = str(form.get("text", ""))

    async def save() -> dict[str, Any]:
        await services.relay.exports.save_summary(session_id, text, browser.user_id)
        return {"ok": True, "message_id": "web.done.summary", "params": {}}

    result = await services.access.once(browser, nonce if isinstance(nonce, str) else "", save)
    message = plain(
        services.translator.t(texts.language, result["message_id"], **result.get("params", {}))
    )
    return web.json_response({"ok": result["ok"], "message": message})


@ROUTES.get("/console/{session}/export.{format:csv|md}")
@refusing
async def console_export(request: web.Request) -> web.StreamResponse:
    session_id = _session_id(request)
    _browser, texts = await _moderator(request, session_id)
    services = deps(request)
    report = await services.relay.exports.report(session_id)
    stem = f"questions-session-{session_id}"
    if request.match_info["format"] == "csv":
        body = render_csv(report).encode("utf-8-sig")
        kind, name = "text/csv", f"{stem}.csv"
    else:
        body = render_markdown(report, services.translator, texts.language).encode()
        kind, name = "text/markdown", f"{stem}.md"
    return web.Response(
        body=body,
        content_type=kind,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
