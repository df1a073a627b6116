"""The web channel in headless Chromium (Playwright): a whole consultation, JavaScript off, keyboard only, axe-core.

Needs Debian's `chromium` and axe-core in .cache/axe (both installed by .ci/run); skipped, with the reason,
when either is missing.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from adapters.web import invitations
from adapters.web.app import WebConfig, create_app, server_config
from bot import Engine
from content import Content
from storage import Store
from tests.conftest import OPEN_DAY

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).resolve().parent.parent / ".cache" / "axe" / "axe.min.js"
ADMIN = "ann@ealing.gov.uk"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NOW = "2026-12-01T10:00:00+00:00"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if CHROMIUM is None:
        return "no Chromium: apt-get install chromium (.ci/run does this)"
    if not AXE.exists():
        return "no axe-core at .cache/axe/axe.min.js: .ci/run fetches it with npm pack axe-core@4"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


pytestmark = pytest.mark.skipif(missing() is not None, reason=f"browser tests skipped: {missing()}")


class Site:
    """A real uvicorn on 127.0.0.1 serving the web app on a fresh database."""

    def __init__(self, db: Path, content: Content):
        self.engine = Engine.open(db, content=content, clock=lambda: OPEN_DAY)
        self.store = Store.open(db)
        self.cli_store = Store.open(db)  # what `elp-bot invite` would use: its own connection
        app = create_app(self.engine, self.store, content, WebConfig(admins=frozenset({f"web:{ADMIN}"}), burst=500))
        self.server = uvicorn.Server(server_config(app, host="127.0.0.1", port=0, behind_proxy=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"

    def link(self, role: str = "respondent", **fields: str) -> str:
        """A new invitation link."""
        issued = invitations.invite(self.cli_store, role=role, now=NOW, **fields)
        return f"{self.base}/c/{issued.token}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.store.close()
        self.cli_store.close()
        self.engine.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Iterator[Site]:
    running = Site(tmp_path_factory.mktemp("web") / "elp.db", content)
    yield running
    running.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, accept_downloads=True)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.problems = problems
    yield opened
    context.close()


def check_axe(page) -> None:
    """axe-core finds no WCAG 2.2 A/AA violations on the current page."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # DevTools evaluation: the page's CSP still applies to it
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
        WCAG,
    )
    assert violations == [], f"{page.url}: {violations}"


def messages(page) -> int:
    return page.locator("#log > li").count()


def wait_for_more(page, before: int) -> None:
    page.wait_for_function("(n) => document.querySelectorAll('#log > li').length > n", arg=before, timeout=10_000)


def press(page, label: str) -> None:
    before = messages(page)
    page.locator("#log .choices").last.get_by_role("button", name=label, exact=True).first.click()
    wait_for_more(page, before)


def say(page, text: str) -> None:
    before = messages(page)
    page.get_by_label("Your answer, comment or question").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    wait_for_more(page, before)


def last_reply(page) -> str:
    return page.locator("#log > li.msg--bot").last.inner_text()


def test_whole_consultation_from_invitation_to_reference_then_admin_downloads_csv(site: Site, page, browser) -> None:
    page.goto(site.link(name="Jo Head"))
    assert "Welcome to the Ealing Learning Partnership" in page.locator("#log").inner_text()
    check_axe(page)
    press(page, "Start the consultation")
    # The new message arrived without a reload, inside the aria-live log.
    assert page.locator("[aria-live=polite] #log > li").count() == messages(page)
    say(page, "St Mark's Primary")
    press(page, "Primary")
    press(page, "Headteacher")
    press(page, "I'm Jo Head")
    press(page, "Yes, anonymously")
    assert "Question 1 of 15 (Q1)" in last_reply(page)
    say(page, "Partly")
    assert "Would you like to say why (Q1)?" in last_reply(page)
    say(page, "The fees are too high for small schools")
    assert "Question 2 of 15 (Q2)" in last_reply(page)
    say(page, "what is EGFL?")  # a question typed instead of an answer: answered, then Q2 again
    log = page.locator("#log").inner_text()
    assert "Ealing Grid for Learning" in log and "Question 2 of 15 (Q2)" in last_reply(page)
    press(page, "Yes")
    page.reload()  # resumes: history shown, the pending question's buttons work
    log = page.locator("#log").inner_text()
    assert "The fees are too high for small schools" in log and "Question 3 of 15 (Q3)" in log
    for _ in range(20):
        if page.locator("#log .choices").last.get_by_role("button", name="Submit my response").count():
            break
        if "(Q5.11)" in last_reply(page):
            say(page, "A network for new business managers")
        else:
            press(page, "Yes")
    assert "Q1 Aims: Partly – “The fees are too high for small schools”" in last_reply(page)
    check_axe(page)  # the review
    press(page, "Submit my response")
    assert re.search(r"Your reference is ELP-2026-\d{4}\.", last_reply(page))
    assert page.problems == []  # no CSP violation, no script error

    admin = browser.new_context(accept_downloads=True).new_page()
    admin.goto(site.link(role="admin", email=ADMIN))
    assert admin.url.endswith("/admin") and "Responses so far" in admin.inner_text("main")
    with admin.expect_download() as download:
        admin.goto(f"{site.base}/admin/downloads")
        admin.get_by_role("link", name="Responses as CSV", exact=True).click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "The fees are too high for small schools" in csv and "ELP-2026-" in csv
    admin.context.close()


def test_every_admin_page_passes_axe(site: Site, browser) -> None:
    site.link(name="Pat Head", email="pat@example.org")
    admin = browser.new_context().new_page()
    admin.goto(site.link(role="admin", email=ADMIN))
    links = admin.locator("nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == ["/admin", "/admin/report", "/admin/downloads", "/admin/responses", "/admin/unanswered"]
    for href in links:
        admin.goto(site.base + href)
        check_axe(admin)
    admin.goto(f"{site.base}/admin/responses")
    admin.get_by_role("button", name=re.compile("^New link")).first.click()
    assert "New link for" in admin.inner_text("h1")
    check_axe(admin)
    admin.context.close()


def test_admin_overview_updates_itself(site: Site, browser) -> None:
    admin = browser.new_context().new_page()
    admin.clock.install()
    admin.goto(site.link(role="admin", email=ADMIN))
    before = int(admin.locator("[data-stat=respondents]").inner_text())
    newcomer = browser.new_context().new_page()
    newcomer.goto(site.link(name="New Person"))
    press(newcomer, "Start the consultation")  # starting makes a respondent
    admin.clock.fast_forward(16_000)
    admin.wait_for_function(
        "(n) => Number(document.querySelector('[data-stat=respondents]').textContent) > n", arg=before
    )
    assert "Last updated" in admin.inner_text("#updated")
    newcomer.context.close()
    admin.context.close()


def test_without_javascript_every_message_is_a_form_post(site: Site, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.link(name="Sam"))
    page.get_by_role("button", name="Start the consultation").click()
    page.wait_for_load_state()
    assert page.url.endswith("#latest") and "Which school are you responding for?" in last_reply(page)
    page.get_by_label("Your answer, comment or question").fill("Greenford High")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_load_state()
    assert "Greenford High" in page.locator("#log").inner_text()
    page.get_by_role("button", name="Send", exact=True).click()  # empty: a GOV.UK-style error, focusable
    assert "There is a problem" in page.inner_text("main") and page.title().startswith("Error:")
    html = page.content()
    context.close()
    # axe needs timers, which a page without JavaScript does not run: check the same HTML in a normal page.
    checker = browser.new_page()
    checker.goto(f"{site.base}/healthz")
    checker.set_content(html)
    check_axe(checker)
    checker.close()


def test_keyboard_only_reaches_every_control_with_visible_focus(site: Site, browser) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(site.link(name="Kim"))
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate(
                "() => { const e = document.activeElement; const s = getComputedStyle(e);"
                " return [e.tagName, (e.innerText || e.value || '').trim().slice(0, 30),"
                " s.backgroundColor, s.outlineStyle, s.boxShadow]; }"
            )
        )
    names = [name for _, name, *_ in seen]
    for control in ("Skip to main content", "Start the consultation", "Ask a question", "Check our fee", "Send"):
        assert control in names, names
    assert "TEXTAREA" in [tag for tag, *_ in seen]
    for tag, name, background, outline, shadow in seen:
        if tag == "BODY":  # past the last control, the browser's own UI takes focus
            continue
        # Focus is visible: buttons and links turn GOV.UK yellow, the textarea gets a solid outline.
        assert background == "rgb(255, 221, 0)" or outline == "solid" or shadow != "none", (tag, name)
    # Enter on a focused button sends it; focus moves to the new reply; Space presses the next button.
    page.goto(page.url)
    start = page.get_by_role("button", name="Start the consultation")
    start.focus()
    before = messages(page)
    page.keyboard.press("Enter")
    wait_for_more(page, before)
    assert page.evaluate("() => document.activeElement.classList.contains('msg')")
    page.keyboard.type("St Mark's Primary")  # focus is on a message, not a field: typing goes nowhere
    page.get_by_label("Your answer, comment or question").focus()
    page.keyboard.type("St Mark's Primary")
    page.keyboard.press("Tab")
    before = messages(page)
    page.keyboard.press("Enter")
    wait_for_more(page, before)
    page.get_by_role("button", name="Primary", exact=True).focus()
    before = messages(page)
    page.keyboard.press("Space")
    wait_for_more(page, before)
    assert "Headteacher" in page.locator("#log .choices").last.inner_text()
    context.close()


def test_screenshots_of_the_chat_on_a_phone_and_the_admin_overview(site: Site, browser, tmp_path: Path) -> None:
    """Not a check of looks: keeps the pictures a person reviews (written to .cache/screenshots)."""
    out = AXE.parent.parent / "screenshots"
    out.mkdir(exist_ok=True)
    phone = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=1).new_page()
    phone.goto(site.link(name="Lee"))
    press(phone, "Start the consultation")
    say(phone, "Castlebar School")
    phone.screenshot(path=out / "chat-375.png", full_page=True)
    narrow = phone.evaluate("() => document.documentElement.scrollWidth")
    assert narrow <= 375  # no sideways scrolling on a phone
    phone.set_viewport_size({"width": 320, "height": 640})
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 320
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(site.link(role="admin", email=ADMIN))
    admin.screenshot(path=out / "admin-overview.png", full_page=True)
    phone.context.close()
    admin.context.close()


def test_a_message_too_long_to_send_is_explained_and_kept_in_the_box(site: Site, page) -> None:
    page.goto(site.link(name="Lee"))
    box = page.get_by_label("Your answer, comment or question")
    box.fill("z" * 40_000)  # over the body cap: the server answers 413 with an HTML page, not JSON
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator("#status").filter(has_text="too long to send").wait_for(timeout=10_000)
    assert len(box.input_value()) == 40_000
