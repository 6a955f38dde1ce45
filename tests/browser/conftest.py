"""Fixtures for the browser tests: Playwright drives Debian's Chromium.

The example site runs on pytest-django's ``live_server`` (127.0.0.1, a
thread of this process, so the ``settings`` fixture and ``mail.outbox``
reach it) with the demo content of ``example_site/home/demo.py``. Chromium
is never downloaded: the tests use ``/usr/bin/chromium`` (or
``SELVHJELP_CHROMIUM``) and skip without it, unless
``SELVHJELP_REQUIRE_BROWSER=1`` (CI) turns a missing browser into a failure.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer

from .helpers import DESKTOP, BrowserProblems


CHROMIUM = Path(os.environ.get("SELVHJELP_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("SELVHJELP_REQUIRE_BROWSER", "") == "1"


def browser_unavailable():
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[testing]'"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM}: apt-get install chromium"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests on a machine without Chromium (not in CI)."""
    reason = browser_unavailable()
    if reason is None or REQUIRE_BROWSER:
        return
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


class OneRequestAtATime(WSGIServer):
    """Django's test server without a thread per request.

    The server thread already uses the shared connections it is given.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, on 127.0.0.1 unless told otherwise.

    On an in-memory SQLite database the server's request threads all share
    the test's one connection, and two requests at once (the admin's editor
    pings and fetches while a form is posted) break each other: "cannot
    open savepoint - SQL statements in progress". There the server answers
    one request at a time (Django then closes each connection after its
    answer, so no browser connection holds it); on PostgreSQL each thread
    has its own connection and the server stays threaded.
    """
    from django.db import connections
    from django.test.testcases import LiveServerThread
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "127.0.0.1"
    )
    shares_one_connection = any(
        connection.vendor == "sqlite" and connection.is_in_memory_db()
        for connection in connections.all()
    )
    threaded = LiveServerThread.server_class
    if shares_one_connection:
        # Read by the server thread before LiveServer() returns (it waits
        # until the server is ready), so restoring it after is safe.
        LiveServerThread.server_class = OneRequestAtATime
    try:
        server = LiveServer(address)
    finally:
        LiveServerThread.server_class = threaded
    yield server
    server.stop()


@pytest.fixture
def browser(monkeypatch):
    """Chromium, started for one test and stopped after it.

    Playwright's sync API keeps an asyncio loop running in the test thread
    while it is started. Django then refuses ORM calls in that thread, and
    keeps database connections per asyncio context instead of per thread,
    so the test's ORM calls would open a connection of their own that
    nobody closes (PostgreSQL then cannot drop the test database). So the
    guard is lifted for this test only (the test never shares a connection
    with the loop), and the test's own connections are handed over to the
    loop's context. A browser kept for the whole session would leave the
    loop running under the tests that follow in the same process.
    """
    reason = browser_unavailable()
    if reason is not None:
        pytest.fail(
            f"{reason} (SELVHJELP_REQUIRE_BROWSER=1 makes a missing browser a failure)",
            pytrace=False,
        )
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    own_connections = {alias: connections[alias] for alias in connections}
    args = ["--disable-dev-shm-usage"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
    with sync_playwright() as playwright:
        for alias, connection in own_connections.items():
            connections[alias] = connection
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=args
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_context(browser, live_server):
    """Open browser contexts on the live server; all closed after the test.

    ``open_context(**options)`` takes Playwright's context options
    (``java_script_enabled``, ``bypass_csp``, ``viewport``...) and returns
    ``(context, problems)``: ``problems`` collects Content-Security-Policy
    violations and uncaught script errors of every page in the context.
    """
    contexts = []

    def open_(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "nb-NO")
        context = browser.new_context(**options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context, BrowserProblems(context)

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def no_minimum_fill_time(settings):
    """Browsers fill the form faster than the bot guard allows people to."""
    settings.WAGTAIL_SELVHJELP = {"MINIMUM_FILL_SECONDS": 0}


@dataclass
class Demo:
    """The demo section and its users, as a test needs them."""

    section: object
    registration_page: object
    directory: object
    articles: list
    password: str


@pytest.fixture
def demo(home_page, live_server, monkeypatch, tmp_path):
    """The example site's demo content and users, pointed at the live server.

    ``admin`` (a superuser) and ``koordinator`` (the demo page's coordinator)
    share ``demo.password``. The site's host and port are the live server's,
    so full URLs (the self-service link in e-mails) lead to it.
    """
    from example_site.home.demo import load_demo
    from example_site.home.management.commands import demo_admin
    from wagtail_selvhjelp.models import (
        ContactDirectoryPage,
        GroupRegistrationPage,
        SelfHelpIndexPage,
        SelfHelpInfoPage,
    )

    load_demo(home_page)
    monkeypatch.setattr(demo_admin, "PASSWORD_FILE", tmp_path / "demo-password")
    call_command("demo_admin", url=live_server.url, verbosity=0)
    section = SelfHelpIndexPage.objects.get()
    return Demo(
        section=section,
        registration_page=GroupRegistrationPage.objects.child_of(section).get(),
        directory=ContactDirectoryPage.objects.child_of(section).get(),
        articles=list(SelfHelpInfoPage.objects.child_of(section).order_by("path")),
        password=(tmp_path / "demo-password").read_text().strip(),
    )
