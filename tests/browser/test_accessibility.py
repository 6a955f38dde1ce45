"""Zero axe-core violations (WCAG 2.1 A and AA) on every screen people use.

Public pages are crawled from the home page, so a new page type or block in
the demo is checked without a change here. axe is injected into the page,
which the strict public Content-Security-Policy would block, so these
contexts bypass the policy; ``test_csp.py`` enforces it.
"""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Page

from wagtail_selvhjelp.models import MatchingRun, Registration, SelfHelpGroup

from .helpers import (
    AxeReport,
    crawl,
    fill_registration,
    log_in,
    self_service_link,
    submit_registration,
)


pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_minimum_fill_time")]


def register(page, registration_page, *, email):
    page.goto(registration_page.url)
    fill_registration(page, name="Astrid Aksesjon", email=email)
    submit_registration(page)


def test_every_public_page(open_context, demo, live_server):
    context, _problems = open_context(bypass_csp=True)
    page = context.new_page()
    report = AxeReport()
    visited = crawl(page, live_server.url, lambda page, response: report.check(page))

    # Every live page of the demo was reached by following links.
    paths = {url.removeprefix(live_server.url) for url in visited}
    for live_page in Page.objects.live().public().exclude(depth__lte=1):
        assert live_page.url in paths, f"{live_page.url} is linked from nowhere"
    # What links do not reach: a filtered directory and the 404 page.
    page.goto(demo.directory.url + "?municipality=Fjellbygd")
    report.check(page, "directory filtered to one municipality")
    assert page.goto("/finnes-ikke/").status == 404
    report.check(page, "404 page")
    report.assert_clean()


def test_registration_form_empty_with_errors_and_done(open_context, demo):
    context, _problems = open_context(bypass_csp=True)
    page = context.new_page()
    report = AxeReport()
    page.goto(demo.registration_page.url)
    report.check(page, "registration form, empty")
    page.locator("#id_birth_year").fill("12")
    page.locator("#id_phone").fill("12")
    page.locator("#id_single_gender").check()
    page.locator("#id_group_kind_0").check()  # a shared topic, but none chosen
    submit_registration(page)
    assert page.locator("#selvhjelp-error-summary a").count() >= 6
    report.check(page, "registration form, with errors")
    register(page, demo.registration_page, email="astrid@example.test")
    assert urlparse(page.url).path.endswith("/takk/")
    report.check(page, "thank-you page")

    page.goto(demo.registration_page.url)
    fill_registration(page, name="Unge Ulla", email="ulla@example.test")
    page.locator("#id_birth_year").fill(str(timezone.localdate().year - 12))
    submit_registration(page)
    assert not Registration.objects.filter(email="ulla@example.test").exists()
    under_age = strip_tags(demo.registration_page.under_age_text).split(".")[0]
    assert under_age in page.locator("main").inner_text()
    report.check(page, "under-age answer")
    report.assert_clean()


def test_self_service_page_in_every_state(open_context, demo):
    context, _problems = open_context(bypass_csp=True)
    page = context.new_page()
    report = AxeReport()
    register(page, demo.registration_page, email="astrid@example.test")
    link = self_service_link("astrid@example.test")

    page.goto(link)
    report.check(page, "self-service, status")
    with page.expect_navigation():
        page.locator("form:has(#id_confirm) button[type=submit]").click()
    assert page.locator("#selvhjelp-error-summary").is_visible()
    report.check(page, "self-service, withdrawing without the tick")
    page.locator("#id_confirm").check()
    with page.expect_navigation():
        page.locator("form:has(#id_confirm) button[type=submit]").click()
    report.check(page, "self-service, withdrawn")
    page.goto(link)
    report.check(page, "self-service, a link that opens nothing")
    report.assert_clean()


def test_the_packages_admin_views(open_context, demo):
    """Every screen of the Self-help menu, as the demo's superuser sees it."""
    context, _problems = open_context(bypass_csp=True)
    page = context.new_page()
    log_in(page, "admin", demo.password)
    report = AxeReport()
    registration = Registration.objects.filter(page=demo.registration_page).first()
    group = SelfHelpGroup.objects.get(page=demo.registration_page, status="forming")
    screens = {
        "matching index": reverse("wagtail_selvhjelp_matching:index"),
        "matching page": reverse(
            "wagtail_selvhjelp_matching:page", args=[demo.registration_page.pk]
        ),
        "registrations": reverse("wagtail_selvhjelp_registration:index"),
        "registration inspect": reverse(
            "wagtail_selvhjelp_registration:inspect", args=[registration.pk]
        ),
        "registration edit": reverse(
            "wagtail_selvhjelp_registration:edit", args=[registration.pk]
        ),
        "groups": reverse("wagtail_selvhjelp_group:index"),
        "group edit": reverse("wagtail_selvhjelp_group:edit", args=[group.pk]),
        "group members": reverse("wagtail_selvhjelp_group:members", args=[group.pk]),
        "statistics": reverse("wagtail_selvhjelp_statistics:index"),
        "privacy overview": reverse("wagtail_selvhjelp_privacy:index"),
        "contact points": reverse(
            "wagtailsnippets_wagtail_selvhjelp_contactpoint:list"
        ),
    }
    for label, url in screens.items():
        assert page.goto(url).status == 200, label
        report.check(page, f"{label} ({url})")

    page.goto(screens["matching page"])
    with page.expect_navigation():
        page.locator(f"form[action$='{screens['matching page']}'] button").click()
    run = MatchingRun.objects.get()
    assert page.url.endswith(reverse("wagtail_selvhjelp_matching:run", args=[run.pk]))
    report.check(page, "matching run (the proposal)")
    report.assert_clean()


def test_the_check_is_not_blind(open_context, home_page):
    """A missing alt text and an unlabelled field fail with a readable message."""
    context, _problems = open_context(bypass_csp=True)
    page = context.new_page()
    page.goto(home_page.url)
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<img src="/static/favicon.svg"><input id="unlabelled">'
        )"""
    )
    report = AxeReport()
    report.check(page, "section with two mistakes")
    with pytest.raises(AssertionError) as failure:
        report.assert_clean()
    message = str(failure.value)
    assert "[critical] image-alt" in message
    assert "#unlabelled" in message
