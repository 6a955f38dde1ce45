"""Nothing scrolls sideways at 320 CSS pixels (WCAG 2.1 AA, 1.4.10 Reflow).

320 px is a phone held upright, and what a 1280 px screen shows at 400 %
zoom. axe cannot see this; the browser can. Data tables may scroll on
their own, and Wagtail's own chrome is Wagtail's business, so the admin
check looks only at the package's own screens and markup.
"""

import pytest
from django.urls import reverse

from wagtail_selvhjelp.models import MatchingRun, Registration, SelfHelpGroup

from .helpers import (
    ReflowReport,
    crawl,
    fill_registration,
    log_in,
    self_service_link,
    submit_registration,
)


pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_minimum_fill_time")]

NARROW = {"width": 320, "height": 640}

#: Parts of an admin screen that are not the package's markup, or may scroll.
ADMIN_IGNORE = "table, header, aside, .w-breadcrumbs, .w-panel__anchor"


def test_public_pages_fit_a_narrow_phone(open_context, demo, live_server):
    context, _problems = open_context(viewport=NARROW)
    page = context.new_page()
    report = ReflowReport()
    crawl(page, live_server.url, lambda page, response: report.check(page))

    page.goto(demo.registration_page.url)
    submit_registration(page)
    report.check(page, "registration form, with errors")
    fill_registration(page, name="Rut Smal", email="rut@example.test")
    submit_registration(page)
    report.check(page, "thank-you page")
    page.goto(self_service_link("rut@example.test"))
    report.check(page, "self-service page")
    report.assert_clean()


def test_the_packages_admin_screens_fit_a_narrow_phone(open_context, demo):
    context, _problems = open_context(viewport=NARROW)
    page = context.new_page()
    log_in(page, "admin", demo.password)
    report = ReflowReport(ignore=ADMIN_IGNORE)
    registration = Registration.objects.filter(page=demo.registration_page).first()
    group = SelfHelpGroup.objects.get(page=demo.registration_page, status="forming")
    matching_page = reverse(
        "wagtail_selvhjelp_matching:page", args=[demo.registration_page.pk]
    )
    for label, url in {
        "matching index": reverse("wagtail_selvhjelp_matching:index"),
        "matching page": matching_page,
        "registration inspect": reverse(
            "wagtail_selvhjelp_registration:inspect", args=[registration.pk]
        ),
        "group members": reverse("wagtail_selvhjelp_group:members", args=[group.pk]),
        "statistics": reverse("wagtail_selvhjelp_statistics:index"),
        "privacy overview": reverse("wagtail_selvhjelp_privacy:index"),
    }.items():
        page.goto(url)
        report.check(page, label)
    page.goto(matching_page)
    with page.expect_navigation():
        page.locator(f"form[action$='{matching_page}'] button").click()
    assert MatchingRun.objects.exists()
    report.check(page, "matching run (the proposal)")
    report.assert_clean()
