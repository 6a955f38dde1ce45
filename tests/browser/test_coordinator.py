"""A coordinator puts the demo's waiting people together into groups.

Then a coordinator of another registration page sees none of it.
"""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from example_site.home.demo import COORDINATOR_PERMISSIONS
from wagtail_selvhjelp.models import MatchingRun, Registration, SelfHelpGroup

from ..factories import make_registration_page
from .helpers import log_in, prefer_english, screenshot


pytestmark = pytest.mark.browser


def open_self_help_menu_item(page, label):
    page.get_by_role("button", name="Self-help").click()
    with page.expect_navigation():
        page.get_by_role("link", name=label, exact=True).click()


def listed_group_names(page):
    return page.locator("table.listing tbody tr td:first-child a").all_inner_texts()


def test_coordinator_creates_groups_and_another_page_sees_none(
    open_context, demo, django_user_model
):
    registration_page = demo.registration_page
    prefer_english("koordinator")
    context, problems = open_context()
    page = context.new_page()
    log_in(page, "koordinator", demo.password)

    open_self_help_menu_item(page, "Put groups together")
    with page.expect_navigation():
        page.get_by_role("link", name=registration_page.title).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Propose groups").click()
    assert re.search(r"/selvhjelp/matching/run/\d+/$", page.url)
    screenshot(page, "proposal")

    # Leave the first person of the first proposal out.
    cards = page.locator("section[aria-labelledby^='selvhjelp-card-']")
    assert cards.count() >= 2
    leave_out = cards.first.get_by_role("button", name=re.compile(r"^Leave out "))
    name = leave_out.first.inner_text().removeprefix("Leave out ").strip()
    left_out = Registration.objects.get(page=registration_page, name=name)
    with page.expect_navigation():
        leave_out.first.click()
    assert page.get_by_role("button", name=f"Include {name} again").is_visible()
    assert cards.get_by_text(name, exact=False).count() == 0

    # Create the ticked proposals: new groups, and seats in the forming one.
    ticked = cards.filter(has=page.locator("input[name='groups']:checked"))
    ticked_count = ticked.count()
    # A new group's card is headed by what it is; a forming group's by "Add to".
    new_count = ticked.filter(
        has_not=page.get_by_role("heading", name=re.compile(r"^Add to "))
    ).count()
    assert new_count >= 1
    groups_before = SelfHelpGroup.objects.filter(page=registration_page).count()
    with page.expect_navigation():
        page.get_by_role("button", name="Create the ticked groups").click()
    saved = "group saved" if ticked_count == 1 else "groups saved"
    assert page.get_by_text(f"{ticked_count} {saved}").is_visible()
    groups = SelfHelpGroup.objects.filter(page=registration_page)
    assert groups.count() == groups_before + new_count
    assert not left_out.memberships.filter(is_current=True).exists()

    # Self-help -> Groups lists them all.
    open_self_help_menu_item(page, "Groups")
    assert sorted(listed_group_names(page)) == sorted(
        groups.values_list("name", flat=True)
    )
    screenshot(page, "groups")
    problems.assert_none(page)

    # A coordinator of another page sees none of it.
    other_page = make_registration_page(
        demo.section, title="Meld deg på i Dalsetra", slug="dalsetra"
    )
    coordinators = Group.objects.create(name="Selvhjelp Dalsetra – koordinatorer")
    for app_label, codename in COORDINATOR_PERMISSIONS:
        coordinators.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    other_page.coordinator_groups.add(coordinators)
    other_page.save()
    other = django_user_model.objects.create_user(
        "koordinator-dalsetra", password=demo.password
    )
    other.groups.add(coordinators)
    prefer_english("koordinator-dalsetra")

    context, problems = open_context()
    page = context.new_page()
    log_in(page, "koordinator-dalsetra", demo.password)
    open_self_help_menu_item(page, "Groups")
    assert listed_group_names(page) == []
    open_self_help_menu_item(page, "Put groups together")
    assert page.get_by_role("link", name=other_page.title).is_visible()
    assert page.get_by_role("link", name=registration_page.title).count() == 0
    group = groups.first()
    run = MatchingRun.objects.filter(page=registration_page).get()
    for url in [
        reverse("wagtail_selvhjelp_group:edit", args=[group.pk]),
        reverse("wagtail_selvhjelp_group:members", args=[group.pk]),
        reverse("wagtail_selvhjelp_matching:page", args=[registration_page.pk]),
        reverse("wagtail_selvhjelp_matching:run", args=[run.pk]),
        reverse("wagtail_selvhjelp_registration:inspect", args=[left_out.pk]),
    ]:
        assert page.goto(url).status == 404, url
    problems.assert_none(page)
