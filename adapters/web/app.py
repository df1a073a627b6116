"""The web channel's routes: the respondent's chat at /c/<token>, the ELP team's pages under /admin, /healthz.

Starlette app; run it with uvicorn (`elp-bot web`). Pages are server-rendered (Jinja2) and work without
JavaScript: every message is a form POST followed by a redirect. static/chat.js, when it runs, sends the
same form with fetch and appends the replies to an aria-live log instead.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import uvicorn
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from adapters.web import _results
from adapters.web._channel import CLIENT_ID, WebChat
from adapters.web._security import REPORT_CSP, RateLimiter, SecurityHeaders, new_token, same_secret, token_hash
from bot import Engine
from content import Content
from storage import Store

HERE = Path(__file__).parent
COOKIE = "elp_session"
COOKIE_MAX_AGE = 120 * 24 * 3600  # the whole consultation period
MAX_BODY = 32 * 1024  # a 2,000-character comment is at most ~18 KB form-encoded
MAX_TEXT = 5_000
LINE_BREAKS = re.compile("\r\n?")
UNSAFE_TYPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # keeps \t and \n
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "responses.csv"),
    "csv-codes": ("text/csv; charset=utf-8", "responses-codes.csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "responses.xlsx"),
    "json": ("application/json", "responses.json"),
}


@dataclass(frozen=True)
class WebConfig:
    """How the web app runs: who the admins are (web:<email>), its public address, limits."""

    admins: frozenset[str] = frozenset()
    base_url: str = "http://localhost:8000"
    burst: float = 20.0  # messages at once per link; a person answering with buttons never gets near it
    per_second: float = 1.0
    max_body: int = MAX_BODY


def paragraphs(text: str) -> Markup:
    """Plain engine text as HTML paragraphs (blank line) and line breaks (single newline), escaped."""
    blocks = [b for b in str(text).split("\n\n") if b.strip()]
    return Markup("").join(
        Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in block.split("\n"))) for block in blocks
    )


def typed_text(value: str | None) -> str:
    """What a person typed, as the engine and their history get it: line breaks as \\n, no control characters
    (NUL, terminal escapes) or bidi overrides that would be stored and shown to the ELP team, trimmed."""
    return UNSAFE_TYPED.sub("", LINE_BREAKS.sub("\n", value or "")).strip()


def _templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["paragraphs"] = paragraphs
    return env


def create_app(engine: Engine, store: Store, content: Content, config: WebConfig | None = None) -> Starlette:
    """The Starlette app. `store` is the web's own connection to the engine's database file."""
    config = config or WebConfig()
    env = _templates()
    chat = WebChat(engine, store)
    chat.recover()  # replies a crash left unsent go into their owners' history before anything new
    limiter = RateLimiter(burst=config.burst, per_second=config.per_second)
    db = chat._db  # one lock for every use of the web's store connection

    def page(template: str, status: int = 200, **values) -> HTMLResponse:
        values.setdefault("title", content.consultation.title)
        return HTMLResponse(
            env.get_template(template).render(**values), status_code=status, headers={"cache-control": "no-store"}
        )

    def not_valid() -> HTMLResponse:
        return page("invalid.html.j2", 404, heading="This link is not valid")

    def stored(fn, *args):
        def locked():
            with db:
                return fn(*args)

        return run_in_threadpool(locked)

    def now() -> str:
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    async def invitation_for(token: str) -> dict | None:
        if not token or len(token) > 100:
            return None
        return await stored(store.invitation_by_hash, token_hash(token))

    async def session_of(request: Request) -> dict | None:
        cookie = request.cookies.get(COOKIE)
        if not cookie or len(cookie) > 100:
            return None
        session = await stored(store.web_session, token_hash(cookie))
        if session is None:
            return None
        age = dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(session["session_created_at"])
        return session if age.total_seconds() < COOKIE_MAX_AGE else None  # the server forgets old cookies too

    async def open_session(request: Request, invitation: dict, response: Response) -> dict:
        """Reuse this browser's session for the invitation, or start one and set its cookie."""
        session = await session_of(request)
        if session is not None and session["id"] == invitation["id"]:
            return session
        sid, csrf = new_token(), new_token()

        def add():
            with store.transaction():
                store.add_web_session(token_hash(sid), invitation["id"], csrf, now())

        await stored(add)
        response.set_cookie(
            COOKIE,
            sid,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
        return {**invitation, "csrf": csrf}

    async def read_form(request: Request) -> dict[str, str] | None:
        """The posted form's fields, or None when the body cannot be one (not UTF-8, too many fields, cut off)."""
        try:
            body = await request.body()  # capped by SecurityHeaders
        except ClientDisconnect:  # the browser went away mid-body: nothing to answer, nothing to log
            return None
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            return None
        return {key: values[0] for key, values in fields.items()}

    # ------------------------------------------------------------------ respondent

    async def chat_page(request: Request) -> Response:
        token = request.path_params["token"]
        invitation = await invitation_for(token)
        if invitation is None:
            return not_valid()
        if request.method == "HEAD":  # link checkers in mail systems: no session, no greeting, nothing stored
            return HTMLResponse("", headers={"cache-control": "no-store"})
        if invitation["role"] == "admin":
            response: Response = RedirectResponse("/admin", status_code=303)
            await open_session(request, invitation, response)
            return response
        response = HTMLResponse("")
        session = await open_session(request, invitation, response)
        history = await run_in_threadpool(chat.history, invitation["user_key"])
        if not history:
            await run_in_threadpool(chat.start, invitation["user_key"], invitation["name"])
            history = await run_in_threadpool(chat.history, invitation["user_key"])
        rendered = _chat_page(token, session, history)
        rendered.raw_headers += [h for h in response.raw_headers if h[0] == b"set-cookie"]
        return rendered

    def _chat_page(
        token: str, session: dict, history, error: str | None = None, status: int = 200, draft: str = ""
    ) -> HTMLResponse:
        last_turn = history[-1].client_id if history else None
        return page(
            "chat.html.j2",
            status,
            token=token,
            csrf=session["csrf"],
            client_id=new_token()[:22],
            messages=history,
            active_turn=last_turn,
            error=error,
            draft=draft,  # what was typed, kept when it is refused (too long) so nothing has to be retyped
            name=session.get("name"),
            school=session.get("school"),
        )

    async def chat_send(request: Request) -> Response:
        token = request.path_params["token"]
        wants_json = "application/json" in request.headers.get("accept", "")
        invitation = await invitation_for(token)
        if invitation is None or invitation["role"] != "respondent":
            return not_valid()
        form = await read_form(request)
        if form is None:
            return _refuse(400, "bad_form", wants_json, token)
        session = await session_of(request)
        if session is None or session["id"] != invitation["id"]:
            return _refuse(403, "session", wants_json, token)
        if not same_secret(form.get("csrf"), session["csrf"]):
            return _refuse(403, "csrf", wants_json, token)
        if not limiter.allow(invitation["user_key"]):
            if wants_json:
                return _refuse(429, "slow_down", wants_json, token)
            history = await run_in_threadpool(chat.history, invitation["user_key"])  # the chat, with what was typed
            draft = typed_text(form.get("text"))
            return _chat_page(token, session, history, error="slow_down", status=429, draft=draft)
        client_id = form.get("client_id", "")
        if not CLIENT_ID.fullmatch(client_id):
            return _refuse(400, "bad_form", wants_json, token)
        user_key, name = invitation["user_key"], invitation["name"]
        action, text = form.get("action"), typed_text(form.get("text"))
        if action:
            label = await run_in_threadpool(chat.offered_label, user_key, action)
            if label is None:
                return _refuse(400, "stale_button", wants_json, token)
            replies = await run_in_threadpool(
                lambda: chat.send(user_key, name, client_id, action=action, shown_as=label)
            )
            mine = label
        elif text:
            if len(text) > MAX_TEXT:
                if wants_json:  # a JSON answer, so chat.js says what is wrong and the typed text stays in the box
                    return _refuse(400, "too_long", wants_json, token)
                history = await run_in_threadpool(chat.history, user_key)
                return _chat_page(token, session, history, error="too_long", status=400, draft=text)
            replies = await run_in_threadpool(lambda: chat.send(user_key, name, client_id, text=text))
            mine = text
        else:
            if wants_json:
                return JSONResponse({"error": "Type a message, or choose one of the buttons."}, status_code=400)
            history = await run_in_threadpool(chat.history, user_key)
            return _chat_page(token, session, history, error="empty", status=400)
        if wants_json:
            html = env.get_template("_turn.html.j2").render(
                mine=mine, replies=replies, token=token, csrf=session["csrf"]
            )
            return JSONResponse({"html": html})
        return RedirectResponse(f"/c/{token}#latest", status_code=303)

    def _refuse(status: int, reason: str, wants_json: bool, token: str) -> Response:
        template = env.get_template("refused.html.j2")
        if wants_json:
            message = template.module.message(reason)  # type: ignore[attr-defined]
            return JSONResponse({"error": str(message).strip()}, status_code=status)
        return page("refused.html.j2", status, reason=reason, token=token)

    # ------------------------------------------------------------------ admin

    async def admin_session(request: Request) -> dict | None:
        session = await session_of(request)
        if session is None or session["role"] != "admin" or f"web:{session['email']}" not in config.admins:
            return None
        return session

    def admin_route(handler):
        async def guarded(request: Request) -> Response:
            session = await admin_session(request)
            if session is None:
                return page("refused.html.j2", 403, reason="admin", token=None)
            return await handler(request, session)

        return guarded

    async def admin_overview(request: Request, session: dict) -> Response:
        numbers = await stored(_results.overview, store, content)
        return page("admin_overview.html.j2", numbers=numbers, session=session, section="overview")

    async def admin_stats(request: Request, session: dict) -> Response:
        return JSONResponse(await stored(_results.overview, store, content))

    async def admin_report(request: Request, session: dict) -> Response:
        html = await stored(_results.report_html, store, content)
        return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP})

    async def admin_downloads(request: Request, session: dict) -> Response:
        return page("admin_downloads.html.j2", session=session, section="downloads")

    async def admin_download(request: Request, session: dict) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in DOWNLOADS:
            return page("refused.html.j2", 404, reason="not_found", token=None)
        data = await stored(_results.download, store, content, fmt)
        media, filename = DOWNLOADS[fmt]
        return Response(data, media_type=media, headers={"content-disposition": f'attachment; filename="{filename}"'})

    async def admin_responses(request: Request, session: dict) -> Response:
        schools = await stored(_results.schools, store)
        invitations = await stored(store.invitations)
        by_urn: dict[str, list[dict]] = {}
        for invitation in invitations:
            if invitation["role"] == "respondent" and invitation["school_urn"]:
                by_urn.setdefault(invitation["school_urn"], []).append(invitation)
        return page(
            "admin_responses.html.j2",
            session=session,
            section="responses",
            schools=schools,
            by_urn=by_urn,
            invitations=[i for i in invitations if i["role"] == "respondent"],
            base_url=config.base_url,
        )

    async def admin_unanswered(request: Request, session: dict) -> Response:
        rows = await stored(_results.unanswered, store)
        return page("admin_unanswered.html.j2", session=session, section="unanswered", rows=rows)

    async def admin_invitation(request: Request, session: dict) -> Response:
        form = await read_form(request)
        if form is None:
            return page("refused.html.j2", 400, reason="bad_form", token=None)
        if not same_secret(form.get("csrf"), session["csrf"]):
            return page("refused.html.j2", 403, reason="csrf", token=None)
        try:
            invitation_id = int(request.path_params["id"])
        except ValueError:
            return page("refused.html.j2", 404, reason="not_found", token=None)
        what = request.path_params["what"]
        target = await stored(store.invitation, invitation_id)
        if target is None or target["role"] != "respondent" or what not in ("revoke", "reissue"):
            return page("refused.html.j2", 404, reason="not_found", token=None)
        token = new_token()

        def change():
            with store.transaction():
                if what == "revoke":
                    store.revoke_invitation(invitation_id, now())
                else:
                    store.reissue_invitation(invitation_id, token_hash(token))

        await stored(change)
        link = f"{config.base_url.rstrip('/')}/c/{token}" if what == "reissue" else None
        return page(
            "admin_changed.html.j2", session=session, section="responses", what=what, invitation=target, link=link
        )

    # ------------------------------------------------------------------ the rest

    async def healthz(request: Request) -> Response:
        await stored(store.conn.execute, "SELECT 1")
        return PlainTextResponse("ok")

    async def home(request: Request) -> Response:
        return page("home.html.j2")

    async def not_found(request: Request, exc: Exception) -> Response:
        return not_valid()

    routes = [
        Route("/", home),
        Route("/healthz", healthz),
        Route("/c/{token}", chat_page, methods=["GET"]),
        Route("/c/{token}", chat_send, methods=["POST"]),
        Route("/admin", admin_route(admin_overview)),
        Route("/admin/stats.json", admin_route(admin_stats)),
        Route("/admin/report", admin_route(admin_report)),
        Route("/admin/downloads", admin_route(admin_downloads)),
        Route("/admin/download/{fmt}", admin_route(admin_download)),
        Route("/admin/responses", admin_route(admin_responses)),
        Route("/admin/unanswered", admin_route(admin_unanswered)),
        Route("/admin/invitations/{id}/{what}", admin_route(admin_invitation), methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    too_large = env.get_template("refused.html.j2").render(reason="too_large", token=None, title="").encode()
    app.add_middleware(SecurityHeaders, max_body=config.max_body, too_large=too_large)
    return app


def server_config(
    app: Starlette,
    *,
    host: str,
    port: int,
    behind_proxy: bool,
    forwarded_allow_ips: str = "127.0.0.1",
    log_level: str = "info",
) -> uvicorn.Config:
    """uvicorn's settings: X-Forwarded-For/-Proto are trusted only behind a proxy, and only from its addresses."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=behind_proxy,
        forwarded_allow_ips=forwarded_allow_ips if behind_proxy else None,
        server_header=False,
        log_level=log_level,
    )
