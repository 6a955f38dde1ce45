"""Helpers for the browser tests: problems, axe, crawling, keyboard, screenshots."""

import os
import re
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit


ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"

#: A laptop and a phone: the two sizes of every screenshot.
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}

#: WCAG 2.1 A and AA, the level Norwegian public websites must meet.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Paths the crawler of public pages never follows.
NOT_PUBLIC = ("/admin/", "/static/", "/media/", "/documents/", "/favicon.ico")


class BrowserProblems:
    """CSP violations and uncaught script errors seen in one browser context.

    Chromium reports a blocked script, style, image, frame or form target
    as a console error naming the Content Security Policy.
    """

    def __init__(self, context):
        self.items = []
        context.on("console", self._console)
        context.on("weberror", self._web_error)

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            where = (message.location or {}).get("url", "")
            self.items.append(f"CSP violation on {where}: {message.text}")

    def _web_error(self, web_error):
        where = web_error.page.url if web_error.page else "?"
        self.items.append(f"uncaught script error on {where}: {web_error.error}")

    def assert_none(self, page=None):
        """Fail with every problem seen so far (events are delivered first)."""
        if page is not None:
            page.evaluate("0")  # a round trip: pending console events arrive
        assert not self.items, "The browser reported problems:\n" + "\n".join(
            f"- {item}" for item in self.items
        )


def run_axe(page):
    """The axe-core violations (WCAG 2.1 A/AA) of the page as it is now.

    axe-playwright-python injects its bundled axe-core into the page, which
    a strict Content-Security-Policy blocks: use a ``bypass_csp`` context.
    """
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
    }
    return Axe().run(page, options=options).response["violations"]


def describe_violations(url, violations):
    """One readable block per page: rule, impact, help and target selectors."""
    lines = [f"{url}:"]
    for violation in violations:
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"      {target}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"        {summary[:240]}")
    return "\n".join(lines)


class AxeReport:
    """Violations per URL, asserted at once so one run shows all of them."""

    def __init__(self):
        self.pages = {}

    def check(self, page, label=None):
        self.pages[label or page.url] = run_axe(page)

    def assert_clean(self):
        failing = {url: found for url, found in self.pages.items() if found}
        assert not failing, (
            f"axe found WCAG 2.1 A/AA violations on {len(failing)} of "
            f"{len(self.pages)} pages:\n"
            + "\n".join(
                describe_violations(url, found) for url, found in failing.items()
            )
        )


_OVERFLOW_SCRIPT = """(ignore) => {
    const width = document.documentElement.clientWidth;
    const culprits = [];
    for (const element of document.querySelectorAll("body *")) {
        if (ignore && element.closest(ignore)) continue;
        const box = element.getBoundingClientRect();
        const sticksOut = box.width > 0 && box.right > width + 1;
        // Text wider than its box (a long word) spills out unless clipped;
        // a box holding an ignored part (a data table) is that part's business.
        const spills = element.clientWidth > 0
            && box.left + element.scrollWidth > width + 1
            && getComputedStyle(element).overflowX === "visible"
            && !(ignore && element.querySelector(ignore));
        if (sticksOut || spills) culprits.push(element);
    }
    // The innermost culprits: an element whose child sticks out is not one.
    return culprits
        .filter((element) => !culprits.some((other) => other !== element && element.contains(other)))
        .map((element) => {
            const name = element.tagName.toLowerCase()
                + (element.id ? "#" + element.id : "")
                + [...element.classList].map((c) => "." + c).join("");
            const text = (element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 50);
            const box = element.getBoundingClientRect();
            return `${name} "${text}" (right edge ${Math.round(box.right)}px, `
                + `content ${element.scrollWidth}px in ${element.clientWidth}px)`;
        });
}"""


def overflowing(page, ignore=None):
    """Elements that make the page scroll sideways (WCAG 1.4.10 Reflow).

    ``ignore`` is a CSS selector of parts left out (data tables, which may
    scroll; Wagtail's own chrome in the admin).
    """
    return page.evaluate(_OVERFLOW_SCRIPT, ignore)


class ReflowReport:
    """Pages whose content does not fit 320 CSS pixels, asserted at once."""

    def __init__(self, ignore=None):
        self.ignore = ignore
        self.pages = {}

    def check(self, page, label=None):
        self.pages[label or page.url] = overflowing(page, self.ignore)

    def assert_clean(self):
        failing = {label: found for label, found in self.pages.items() if found}
        assert not failing, (
            f"{len(failing)} of {len(self.pages)} pages scroll sideways at "
            f"320 CSS px (WCAG 1.4.10 Reflow):\n"
            + "\n".join(
                f"{label}:\n" + "\n".join(f"  {item}" for item in found)
                for label, found in failing.items()
            )
        )


def same_origin_links(page, origin):
    """Absolute same-origin http(s) links of the page, fragments dropped."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    links = []
    for href in hrefs:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"}:
            continue
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        if parts.path.startswith(NOT_PUBLIC):
            continue
        links.append(url)
    return links


def crawl(page, origin, visit, *, start="/", limit=60):
    """Visit the public pages reachable from ``start``, breadth first.

    Each path is visited once, plus at most one variation of its query
    string (a directory filter, a second listing page). ``visit(page,
    response)`` runs on every page; the visited URLs are returned.
    """
    queue = deque([origin + start])
    seen_urls = set(queue)
    query_variants = {}
    visited = []
    while queue:
        url = queue.popleft()
        response = page.goto(url)
        assert response is not None and response.ok, (
            f"{url} answered {response.status if response else 'nothing'}"
        )
        visited.append(url)
        visit(page, response)
        assert len(visited) < limit, f"more than {limit} public pages: {visited}"
        for link in same_origin_links(page, origin):
            if link in seen_urls:
                continue
            parts = urlsplit(link)
            if parts.query:
                if query_variants.get(parts.path, 0) >= 1:
                    continue
                query_variants[parts.path] = query_variants.get(parts.path, 0) + 1
            seen_urls.add(link)
            queue.append(link)
    return visited


def fill_registration(page, *, name="", email="", skip=()):
    """Answer the required questions by mouse and typing (not keyboard-only).

    Empty ``name`` or ``email`` leave those fields as they are; ``skip``
    names questions to leave alone (``places``, ``time_slots``, ``consent``).
    """
    for field, value in {"name": name, "email": email, "birth_year": "1980"}.items():
        if value and field not in skip:
            page.locator(f"#id_{field}").fill(value)
    for field, option in {
        "places": "id_places_0",
        "time_slots": "id_time_slots_1",
    }.items():
        if field not in skip:
            page.locator(f"#{option}").check()
    if "consent" not in skip:
        page.locator("#id_consent").check()


def submit_registration(page):
    """Send the registration form and wait for the answer."""
    with page.expect_navigation():
        page.locator("form.selvhjelp-form button[type=submit]").click()


def self_service_link(email):
    """The self-service link in the receipt e-mail sent to ``email``."""
    from django.core import mail

    (receipt,) = [message for message in mail.outbox if message.to == [email]]
    (link,) = re.findall(r"https?://\S+", receipt.body)
    return link


def log_in(page, username, password):
    """Sign in through the admin's own sign-in form (django-axes needs it)."""
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    assert "/admin/login/" not in page.url, "signing in failed"


def prefer_english(username):
    """Show ``username`` the admin in English, the source language of its texts.

    The flows find buttons and menu items by their visible names; English
    names stay put while the nb and nn catalogues change.
    """
    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    user = get_user_model().objects.get(username=username)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


def active_element(page):
    """The id (or tag) of the focused element."""
    return page.evaluate(
        "() => document.activeElement && "
        "(document.activeElement.id || document.activeElement.tagName)"
    )


def tab_to(page, element_id, *, max_presses=80):
    """Press Tab until the element with ``element_id`` has the focus.

    Proves the element can be reached with the keyboard; returns how many
    presses it took, or fails with the path the focus took.
    """
    path = []
    for _press in range(max_presses):
        if active_element(page) == element_id:
            return len(path)
        page.keyboard.press("Tab")
        path.append(active_element(page))
    raise AssertionError(
        f"#{element_id} not reached after {max_presses} presses of Tab: {path}"
    )


def screenshot(page, name):
    """Save ``docs/screenshots/<name>-{375,1280}.png`` if SELVHJELP_SCREENSHOTS=1.

    Off by default, so test runs never rewrite the committed images. The
    visible part of the page only (the viewport), to keep the files small.
    """
    if os.environ.get("SELVHJELP_SCREENSHOTS", "") != "1":
        return
    viewport = page.viewport_size
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.screenshot(
            path=SCREENSHOT_DIR / f"{name}-{size['width']}.png",
            animations="disabled",
            caret="hide",
        )
    page.set_viewport_size(viewport)
