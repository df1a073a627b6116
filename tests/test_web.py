"""The web channel over HTTP: chat, exactly-once turns, sessions, CSRF, limits, headers and the admin pages."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.routing import Route

from adapters.web import invitations
from adapters.web._security import CSP, REPORT_CSP
from adapters.web.app import WebConfig, create_app, server_config
from bot import Engine
from content import Content
from storage import Store

with warnings.catch_warnings():  # Starlette 1.10 prefers its httpx2 fork; httpx (already a dependency) still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ADMIN = "ann@ealing.gov.uk"
NOW = "2026-11-24T10:00:00+00:00"


@pytest.fixture
def web_store(db_path: Path) -> Iterator[Store]:
    store = Store.open(db_path)
    yield store
    store.close()


@pytest.fixture
def make_site(engine: Engine, web_store: Store, content: Content) -> Callable[..., TestClient]:
    def make(**config: object) -> TestClient:
        settings = {"admins": frozenset({f"web:{ADMIN}"}), "base_url": "https://elp.example.org", **config}
        app = create_app(engine, web_store, content, WebConfig(**settings))
        return TestClient(app, base_url="http://testserver", follow_redirects=False)

    return make


@pytest.fixture
def site(make_site: Callable[..., TestClient]) -> TestClient:
    return make_site()


def new_link(store: Store, role: str = "respondent", email: str | None = None) -> str:
    return invitations.invite(store, role=role, now=NOW, name="Jo Head", email=email).token


def form_fields(html: str) -> dict[str, str]:
    """The send form's hidden fields (csrf, client_id)."""
    return dict(re.findall(r'name="(csrf|client_id)" value="([^"]*)"', html)[:2])


def open_chat(client: TestClient, token: str) -> dict[str, str]:
    page = client.get(f"/c/{token}")
    assert page.status_code == 200, page.text
    return form_fields(page.text)


def send(client: TestClient, token: str, fields: dict[str, str], client_id: str, **data: str) -> httpx.Response:
    return client.post(f"/c/{token}", data={**fields, "client_id": client_id, **data})


def test_healthz_and_security_headers(site: TestClient, web_store: Store) -> None:
    assert site.get("/healthz").text == "ok"
    token = new_link(web_store)
    for path in ("/", "/healthz", f"/c/{token}", "/c/not-a-token", "/static/style.css", "/admin"):
        response = site.get(path)
        assert response.headers["content-security-policy"] == CSP, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
    page = site.get(f"/c/{token}").text
    # Nothing from another origin, nothing inline: every src/href is local (or mailto) and no style attribute.
    assert re.findall(r'(?:src|href)="(?!/|#|mailto:)[^"]*"', page) == []
    assert "<script>" not in page and "style=" not in page and "<style" not in page


def test_chat_opens_with_a_session_cookie_and_the_greeting(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    response = site.get(f"/c/{token}")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert "Welcome to the Ealing Learning Partnership" in response.text
    assert '<button class="button button--secondary" type="submit" name="action" value="nav:start:0">' in response.text
    assert response.headers["cache-control"] == "no-store"
    # Opening the link again shows the same greeting once (history), not a second one.
    again = site.get(f"/c/{token}").text
    assert again.count("Welcome to the Ealing Learning Partnership") == 1


def test_cookie_is_secure_over_https(make_site: Callable[..., TestClient], web_store: Store) -> None:
    client = make_site()
    client.base_url = httpx.URL("https://testserver")
    response = client.get(f"/c/{new_link(web_store)}")
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_and_revoked_links_get_the_same_plain_404(site: TestClient, web_store: Store) -> None:
    issued = invitations.invite(web_store, role="respondent", now=NOW)
    fields = open_chat(site, issued.token)
    wrong = site.get("/c/" + "x" * 43)
    assert wrong.status_code == 404
    assert "This link is not valid" in wrong.text and "elp@ealing.gov.uk" in wrong.text
    assert invitations.revoke(web_store, issued.invitation_id, NOW)
    revoked = site.get(f"/c/{issued.token}")
    assert revoked.status_code == 404 and revoked.text == wrong.text
    # The browser's old session no longer sends anything either.
    assert send(site, issued.token, fields, "after-revoke-1", text="hello").status_code == 404


def test_typed_answer_without_javascript_redirects_and_history_shows_it(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    pressed = send(site, token, fields, "client-0001", action="nav:start:0")
    assert pressed.status_code == 303 and pressed.headers["location"] == f"/c/{token}#latest"
    page = site.get(f"/c/{token}").text
    assert '<p class="msg__who">You</p>\n  <div class="msg__text"><p>Start the consultation</p>' in page
    assert "Which school are you responding for? Type its name." in page


def test_no_session_and_forged_csrf_are_refused_and_nothing_is_recorded(
    site: TestClient, web_store: Store, content: Content
) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    before = len(web_store.web_history("web", web_store.invitation_by_hash(_hash(token))["user_key"]))
    forged = send(site, token, {**fields, "csrf": "forged" + fields["csrf"][6:]}, "client-0002", text="yes")
    assert forged.status_code == 403 and "This form had expired" in forged.text
    as_json = site.post(
        f"/c/{token}",
        data={**fields, "csrf": "forged", "client_id": "client-0006", "text": "yes"},
        headers={"accept": "application/json"},
    )
    assert as_json.status_code == 403
    assert as_json.json() == {
        "error": "This form had expired, so nothing was sent. Go back, reload the page and send it again."
    }
    missing = send(site, token, {"client_id": "x"}, "client-0003", text="yes")
    assert missing.status_code == 403
    stranger = TestClient(site.app, base_url="http://testserver")  # no cookie at all
    no_session = send(stranger, token, fields, "client-0004", text="yes")
    assert no_session.status_code == 403 and "Your session has ended" in no_session.text
    other_token = new_link(web_store)
    open_chat(stranger, other_token)  # a session, but for someone else's link
    assert send(stranger, token, fields, "client-0005", text="yes").status_code == 403
    after = len(web_store.web_history("web", web_store.invitation_by_hash(_hash(token))["user_key"]))
    assert after == before


def _hash(token: str) -> str:
    from adapters.web._security import token_hash

    return token_hash(token)


def test_duplicate_client_message_id_runs_one_turn_and_returns_the_same_replies(
    site: TestClient, web_store: Store
) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    user_key = web_store.invitation_by_hash(_hash(token))["user_key"]
    headers = {"accept": "application/json"}
    first = site.post(f"/c/{token}", data={**fields, "client_id": "same-id-01", "action": "go:ask"}, headers=headers)
    rows = len(web_store.web_history("web", user_key))
    again = site.post(f"/c/{token}", data={**fields, "client_id": "same-id-01", "action": "go:ask"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["html"] == again.json()["html"] and "msg--bot" in first.json()["html"]
    assert len(web_store.web_history("web", user_key)) == rows
    # A resubmitted no-JavaScript form (same hidden id) is not recorded twice either.
    posted = send(site, token, fields, "form-id-02", text="what is EGFL?")
    reposted = send(site, token, fields, "form-id-02", text="what is EGFL?")
    assert posted.status_code == reposted.status_code == 303
    history = web_store.web_history("web", user_key)
    assert [m["text"] for m in history if m["direction"] == "in"].count("what is EGFL?") == 1


def test_a_button_never_offered_is_refused(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    forged = send(site, token, fields, "client-0010", action="ans:q1:yes:1")
    assert forged.status_code == 400 and "no longer available" in forged.text
    assert send(site, token, fields, "client-0011", action="x" * 500).status_code == 400
    assert send(site, token, fields, "bad id!", text="hi").status_code == 400
    empty = send(site, token, fields, "client-0012", text="   ")
    assert empty.status_code == 400 and "Type a message, or choose one of the buttons." in empty.text


def test_oversized_body_is_refused(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    response = send(site, token, fields, "client-0020", text="x" * 40_000)
    assert response.status_code == 413 and "too long to send" in response.text
    long_but_allowed = send(site, token, fields, "client-0021", text="x" * 6_000)
    assert long_but_allowed.status_code == 400 and "That message is too long" in long_but_allowed.text


def test_burst_of_messages_is_rate_limited_per_link(make_site: Callable[..., TestClient], web_store: Store) -> None:
    site = make_site(burst=4, per_second=0.2)
    token, other = new_link(web_store), new_link(web_store)
    fields = open_chat(site, token)
    codes = [send(site, token, fields, f"burst-{i:04d}", text="what is EGFL?").status_code for i in range(10)]
    assert codes[:4] == [303] * 4 and codes.count(429) >= 5
    refused = send(site, token, fields, "burst-0099", text="my considered comment")
    assert refused.status_code == 429 and "sending messages very quickly" in refused.text
    assert ">my considered comment</textarea>" in refused.text  # no JavaScript: nothing has to be retyped
    user_key = web_store.invitation_by_hash(_hash(token))["user_key"]
    asked = [m for m in web_store.web_history("web", user_key) if m["direction"] == "in"]
    assert len(asked) == codes.count(303)
    other_client = TestClient(site.app, base_url="http://testserver", follow_redirects=False)
    other_fields = open_chat(other_client, other)
    assert send(other_client, other, other_fields, "other-0001", text="hi").status_code == 303  # its own bucket


def _admin_paths(app) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /admin, path parameters filled in."""
    found = []
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/admin"):
            path = route.path.replace("{fmt}", "csv").replace("{id}", "1").replace("{what}", "revoke")
            for method in sorted(route.methods - {"HEAD"}):
                found.append((method, path))
    return found


def test_every_admin_route_needs_an_admin_session(site: TestClient, web_store: Store) -> None:
    paths = _admin_paths(site.app)
    assert len(paths) >= 8 and ("POST", "/admin/invitations/1/revoke") in paths
    respondent = new_link(web_store)
    not_listed = new_link(web_store, role="admin", email="someone@ealing.gov.uk")  # not in ELP_ADMINS
    clients = {"no session": TestClient(site.app, base_url="http://testserver")}
    for name, token in (("respondent", respondent), ("unlisted admin", not_listed)):
        clients[name] = TestClient(site.app, base_url="http://testserver")
        clients[name].get(f"/c/{token}")
    for name, client in clients.items():
        for method, path in paths:
            response = client.request(method, path, data={"csrf": "x"} if method == "POST" else None)
            assert response.status_code == 403, (name, method, path)
            assert "Sorry, you cannot see this page" in response.text
            assert "Respondents" not in response.text and "responses" not in response.headers.get("content-type", "")
    assert web_store.invitation(1)["revoked_at"] is None


def admin_client(site: TestClient, store: Store) -> TestClient:
    token = new_link(store, role="admin", email=ADMIN)
    response = site.get(f"/c/{token}")
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    return site


def test_admin_pages_report_and_downloads(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    send(site, token, fields, "client-0030", text="tell me about the weather on mars")
    admin = admin_client(TestClient(site.app, base_url="http://testserver", follow_redirects=False), web_store)
    overview = admin.get("/admin")
    assert overview.status_code == 200 and "Responses so far" in overview.text
    assert admin.get("/admin/stats.json").json()["respondents"] >= 0
    report = admin.get("/admin/report")
    assert report.status_code == 200 and report.headers["content-security-policy"] == REPORT_CSP
    assert "<svg" in report.text or "Who responded" in report.text
    csv = admin.get("/admin/download/csv")
    assert csv.headers["content-disposition"] == 'attachment; filename="responses.csv"'
    assert csv.content.startswith("\ufeffChat user id,Channel".encode())
    assert admin.get("/admin/download/csv-codes").content.startswith("\ufeffuser_id,channel".encode())
    assert admin.get("/admin/download/xlsx").content[:2] == b"PK"
    assert admin.get("/admin/download/json").json() is not None
    assert admin.get("/admin/download/exe").status_code == 404
    assert "weather on mars" in admin.get("/admin/unanswered").text
    assert "Every invitation link" in admin.get("/admin/responses").text


def test_admin_reissues_and_revokes_a_link_with_csrf(site: TestClient, web_store: Store) -> None:
    issued = invitations.invite(web_store, role="respondent", now=NOW, name="Jo Head")
    person = TestClient(site.app, base_url="http://testserver", follow_redirects=False)
    fields = open_chat(person, issued.token)
    send(person, issued.token, fields, "client-0040", action="go:ask")
    admin = admin_client(TestClient(site.app, base_url="http://testserver", follow_redirects=False), web_store)
    csrf = re.search(r'name="csrf" value="([^"]+)"', admin.get("/admin/responses").text).group(1)
    url = f"/admin/invitations/{issued.invitation_id}/reissue"
    assert admin.post(url, data={"csrf": "forged"}).status_code == 403
    page = admin.post(url, data={"csrf": csrf})
    new_token = re.search(r'value="https://elp\.example\.org/c/([^"]+)"', page.text).group(1)
    assert person.get(f"/c/{issued.token}").status_code == 404
    resumed = person.get(f"/c/{new_token}")
    assert resumed.status_code == 200 and "Ask a question" in resumed.text  # same respondent, history kept
    assert admin.post(f"/admin/invitations/{issued.invitation_id}/revoke", data={"csrf": csrf}).status_code == 200
    assert person.get(f"/c/{new_token}").status_code == 404


def test_admin_link_without_elp_admins_entry_opens_nothing(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store, role="admin", email="eve@example.org")
    assert site.get(f"/c/{token}").status_code == 303
    assert site.get("/admin").status_code == 403


# ---------------------------------------------------------------- a real uvicorn on 127.0.0.1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(engine: Engine, web_store: Store, content: Content) -> Iterator[Callable[..., str]]:
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(behind_proxy: bool) -> str:
        app = create_app(engine, web_store, content, WebConfig())
        port = _free_port()
        server = uvicorn.Server(server_config(app, host="127.0.0.1", port=port, behind_proxy=behind_proxy))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def test_forwarded_headers_count_only_behind_a_proxy(serve: Callable[..., str], web_store: Store) -> None:
    token = new_link(web_store)
    forwarded = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"}
    direct = httpx.get(f"{serve(False)}/c/{token}", headers=forwarded)
    assert "Secure" not in direct.headers["set-cookie"]
    proxied = httpx.get(f"{serve(True)}/c/{token}", headers=forwarded)
    assert "Secure" in proxied.headers["set-cookie"]


def test_chunked_oversized_body_is_cut_off_by_the_real_server(serve: Callable[..., str], web_store: Store) -> None:
    base = serve(False)
    token = new_link(web_store)

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"text=" + b"x" * 1024

    response = httpx.post(
        f"{base}/c/{token}", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 413
    assert httpx.get(f"{base}/healthz").text == "ok"


def test_delete_my_data_erases_the_web_history_too(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    user_key = web_store.invitation_by_hash(_hash(token))["user_key"]
    send(site, token, fields, "erase-0001", text="The fees are too high for us")
    send(site, token, fields, "erase-0002", text="delete my data")
    page = site.get(f"/c/{token}").text
    erase = re.search(r'value="([^"]+)">Yes, delete everything</button>', page).group(1)
    send(site, token, fields, "erase-0003", action=erase)
    texts = [m["text"] for m in web_store.web_history("web", user_key)]
    assert texts[0] == "Yes, delete everything" and texts[1].startswith("Done: everything we held about you")
    assert not any("fees are too high" in text for text in texts)


def test_elp_bot_web_command_serves_until_stopped(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    port = _free_port()
    env = {**os.environ, "ELP_ADMINS": f"web:{ADMIN}", "ELP_DB": str(tmp_path / "cli.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web", "--port", str(port), "--base-url", "https://elp.example.org"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.ConnectError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert response.text == "ok" and "server" not in response.headers
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=20)[0]
    assert "serving https://elp.example.org" in output and "1 web admin(s)" in output
    assert "Traceback" not in output


def test_a_crash_before_the_history_is_written_loses_no_reply(
    site: TestClient, web_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    user_key = web_store.invitation_by_hash(_hash(token))["user_key"]
    real = web_store.add_web_turn

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(web_store, "add_web_turn", crash)
    failing = TestClient(site.app, base_url="http://testserver", raise_server_exceptions=False, cookies=site.cookies)
    assert send(failing, token, fields, "crash-0001", action="nav:start:0").status_code == 500
    monkeypatch.setattr(web_store, "add_web_turn", real)
    # The engine committed the turn and kept its replies in the outbox: the retry gets them, once.
    retried = site.post(
        f"/c/{token}",
        data={**fields, "client_id": "crash-0001", "action": "nav:start:0"},
        headers={"accept": "application/json"},
    )
    assert retried.status_code == 200 and "Which school are you responding for?" in retried.json()["html"]
    texts = [m["text"] for m in web_store.web_history("web", user_key)]
    assert texts.count("Start the consultation") == 1 and sum("Which school" in t for t in texts) == 1


def test_replies_a_crash_left_unsent_are_written_into_the_history_at_start(
    engine: Engine, web_store: Store, content: Content
) -> None:
    from adapters.web._channel import WebChat
    from bot import Inbound

    delivery = engine.deliver(Inbound("web", "w-crashed", text="hello", message_id="web:w-crashed:lost-0001"))
    assert delivery.replies and engine.unsent("web")
    assert WebChat(engine, web_store).recover() == 1
    history = web_store.web_history("web", "w-crashed")
    assert [m["text"] for m in history] == [r.text for r in delivery.replies]
    assert engine.unsent("web") == []


def test_a_body_that_is_not_a_form_is_refused_as_bad_form_not_as_expired(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    body = f"csrf={fields['csrf']}&client_id=client-0090&text=".encode() + b"\xff\xfe caf\xe9"
    latin1 = site.post(f"/c/{token}", content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert latin1.status_code == 400 and "Part of that form was missing" in latin1.text
    many = "&".join(f"f{i}=1" for i in range(50))
    too_many = site.post(f"/c/{token}", content=many, headers={"accept": "application/json"})
    assert too_many.status_code == 400 and "Part of that form was missing" in too_many.json()["error"]
    user_key = web_store.invitation_by_hash(_hash(token))["user_key"]
    assert [m for m in web_store.web_history("web", user_key) if m["direction"] == "in"] == []


def test_a_browser_that_goes_away_mid_body_gets_no_traceback(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    incoming = [{"type": "http.request", "body": b"text=hel", "more_body": True}, {"type": "http.disconnect"}]
    sent: list[dict] = []

    async def receive() -> dict:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send_message(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"/c/{token}",
        "raw_path": f"/c/{token}".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    asyncio.run(site.app(scope, receive, send_message))  # raised ClientDisconnect (a traceback in the log) before
    assert sent[0]["status"] == 400


def test_a_message_refused_as_too_long_is_kept_for_editing(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    typed = "<b>my long comment</b> " + "x" * 6_000
    page = send(site, token, fields, "client-0091", text=typed)
    assert page.status_code == 400 and "&lt;b&gt;my long comment&lt;/b&gt; xxx" in page.text  # in the box, escaped
    json_accept = {"accept": "application/json"}
    data = {**fields, "client_id": "client-0092", "text": typed}
    by_script = site.post(f"/c/{token}", data=data, headers=json_accept)
    assert by_script.status_code == 400 and "That message is too long" in by_script.json()["error"]


def test_control_characters_and_bidi_overrides_in_typed_text_are_not_stored(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    fields = open_chat(site, token)
    typed = "  what\x00 is\x1b[31m \u202eEGFL?\r\nthanks\x85\t "
    assert send(site, token, fields, "client-0093", text=typed).status_code == 303
    user_key = web_store.invitation_by_hash(_hash(token))["user_key"]
    mine = [m["text"] for m in web_store.web_history("web", user_key) if m["direction"] == "in"]
    assert mine == ["what is[31m EGFL?\nthanks"]
    assert "\x00" not in site.get(f"/c/{token}").text


def test_a_head_request_on_a_link_stores_nothing(site: TestClient, web_store: Store) -> None:
    token = new_link(web_store)
    checked = site.head(f"/c/{token}")
    assert checked.status_code == 200 and "set-cookie" not in checked.headers
    assert site.head("/c/not-a-link").status_code == 404
    user_key = web_store.invitation_by_hash(_hash(token))["user_key"]
    assert web_store.web_history("web", user_key) == []
    assert web_store.conn.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == 0
