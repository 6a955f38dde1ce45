"""Starting a group: the confirmation screen and the StartGroup action's
requirements (enough members, a starter, a first meeting; a reason code
waives the last two, never the first)."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from wagtail_selvhjelp.models import SelfHelpLogEntry
from wagtail_selvhjelp.models.actions import (
    FIRST_MEETING,
    MEMBERS,
    STARTER,
    StartGroup,
)

from ..factories import RegistrationFactory, give_starter
from .test_group_admin import group_data


pytestmark = pytest.mark.django_db


def in_admin_language(message, group):
    """A requirement's message as the admin (in the site's language) says it."""
    with translation.override(settings.LANGUAGE_CODE):
        return message(group)


def start_url(group):
    return reverse("wagtail_selvhjelp_group:start", args=[group.pk])


def fill(group, n):
    people = [
        RegistrationFactory(
            page=group.page, places=["Gol"], time_slots=["Kveld"], name=f"Medlem {i}"
        )
        for i in range(n)
    ]
    for person in people:
        group.add_member(person)
    return people


def with_starter_and_meeting(group):
    give_starter(group)
    group.first_meeting_date = datetime.date(2027, 1, 12)
    group.first_meeting_time = datetime.time(18, 0)
    group.save()


def test_the_requirements_are_separate_checks_with_codes():
    assert [r.code for r in StartGroup.requirements] == [
        "members",
        "accepted",
        "starter",
        "first_meeting",
    ]
    assert not MEMBERS.waivable
    assert STARTER.waivable and FIRST_MEETING.waivable


def test_the_confirmation_screen_shows_what_is_missing_and_a_get_changes_nothing(
    client, coordinator_a, group_a
):
    people = fill(group_a, 3)
    client.force_login(coordinator_a)
    response = client.get(start_url(group_a))
    assert response.status_code == 200
    shown = {r["code"]: r["met"] for r in response.context["requirements"]}
    assert shown == {"members": False, "starter": False, "first_meeting": False}
    assert response.context["blocked"]
    html = response.content.decode()
    # Said in words, not only by colour or an icon.
    assert in_admin_language(MEMBERS.message, group_a) in html
    assert 'type="submit"' not in html  # nothing to confirm below the minimum
    for person in people:
        assert person.name not in html

    fill(group_a, 1)
    with_starter_and_meeting(group_a)
    SelfHelpLogEntry.objects.all().delete()
    response = client.get(start_url(group_a))
    assert all(r["met"] for r in response.context["requirements"])
    assert 'type="submit"' in response.content.decode()
    group_a.refresh_from_db()
    assert group_a.status == "forming"
    assert not SelfHelpLogEntry.objects.exists()
    assert not mail.outbox


def test_start_is_refused_below_the_minimum_size_even_with_a_reason(
    client, coordinator_a, group_a
):
    fill(group_a, 3)
    with_starter_and_meeting(group_a)
    client.force_login(coordinator_a)
    response = client.post(start_url(group_a), {"reason": "other"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == [in_admin_language(MEMBERS.message, group_a)]
    group_a.refresh_from_db()
    assert group_a.status == "forming"


def test_start_without_a_first_meeting_needs_a_reason_code(
    client, coordinator_a, group_a
):
    people = fill(group_a, 4)
    give_starter(group_a)
    client.force_login(coordinator_a)

    response = client.post(start_url(group_a), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        in_admin_language(FIRST_MEETING.message, group_a)
    ]
    assert response.context["needs_reason"]
    group_a.refresh_from_db()
    assert group_a.status == "forming"

    # Free text is not a reason.
    response = client.post(start_url(group_a), {"reason": "Vi avtaler selv"})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors

    response = client.post(start_url(group_a), {"reason": "members_agree"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "wagtail_selvhjelp_group:members", args=[group_a.pk]
    )
    group_a.refresh_from_db()
    assert group_a.status == "active"
    assert group_a.start_reason == "members_agree"
    entry = SelfHelpLogEntry.objects.get(action="wagtail_selvhjelp.group_status")
    assert entry.data == {
        "from": "forming",
        "to": "active",
        "reason": "members_agree",
        "waived": ["first_meeting"],
    }
    for person in people:
        assert person.name not in str(entry.data)


def test_a_complete_group_starts_without_a_reason_and_keeps_none(
    coordinator_a, group_a
):
    fill(group_a, 4)
    with_starter_and_meeting(group_a)
    StartGroup(group_a, reason="other", user=coordinator_a).execute()
    group_a.refresh_from_db()
    assert (group_a.status, group_a.start_reason) == ("active", "")
    with pytest.raises(ValidationError):
        StartGroup(group_a, user=coordinator_a).execute()
    assert (
        SelfHelpLogEntry.objects.filter(action="wagtail_selvhjelp.group_status").count()
        == 1
    )


def test_without_a_starter_the_action_refuses_unless_a_reason_is_given(group_a):
    fill(group_a, 4)
    group_a.first_meeting_date = datetime.date(2027, 1, 12)
    group_a.first_meeting_time = datetime.time(18, 0)
    group_a.save()
    with pytest.raises(ValidationError) as caught:
        group_a.activate()
    assert caught.value.messages == [STARTER.message(group_a)]
    group_a.activate(reason="starter_later")
    assert group_a.status == "active"


def test_a_started_group_stays_closed_to_newcomers(client, coordinator_a, group_a):
    fill(group_a, 4)
    with_starter_and_meeting(group_a)
    client.force_login(coordinator_a)
    assert client.post(start_url(group_a), {}).status_code == 302
    newcomer = RegistrationFactory(
        page=group_a.page, places=["Gol"], time_slots=["Kveld"]
    )
    members = reverse("wagtail_selvhjelp_group:members", args=[group_a.pk])
    response = client.post(members, {"action": "add", "registration": newcomer.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not group_a.memberships.filter(registration=newcomer).exists()
    response = client.post(
        members,
        {"action": "add", "registration": newcomer.pk, "group_agreed": "on"},
    )
    assert response.status_code == 302
    # The members' page links to no start any more, and a second start is refused.
    html = client.get(members).content.decode()
    assert start_url(group_a) not in html
    response = client.post(start_url(group_a), {})
    assert response.status_code == 200
    assert not response.context["can_start"]


def test_the_members_page_links_to_the_confirmation_screen(
    client, coordinator_a, group_a
):
    client.force_login(coordinator_a)
    members = reverse("wagtail_selvhjelp_group:members", args=[group_a.pk])
    html = client.get(members).content.decode()
    assert f'href="{start_url(group_a)}"' in html
    assert 'name="action" value="start"' not in html  # no one-click start
    # A one-click start posted to the old place starts nothing.
    fill(group_a, 4)
    with_starter_and_meeting(group_a)
    response = client.post(members, {"action": "start"})
    assert (response.status_code, response["Location"]) == (302, start_url(group_a))
    group_a.refresh_from_db()
    assert group_a.status == "forming"


def test_another_pages_coordinator_cannot_start_the_group(
    client, coordinator_b, editor, group_a
):
    fill(group_a, 4)
    with_starter_and_meeting(group_a)
    client.force_login(coordinator_b)
    assert client.post(start_url(group_a), {}).status_code == 404
    client.force_login(editor)
    response = client.post(start_url(group_a), {})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    group_a.refresh_from_db()
    assert group_a.status == "forming"


def test_the_edit_form_asks_the_same_requirements(
    client, coordinator_a, page_a, group_a
):
    fill(group_a, 4)
    give_starter(group_a)
    client.force_login(coordinator_a)
    edit = reverse("wagtail_selvhjelp_group:edit", args=[group_a.pk])
    data = group_data(
        page_a, status="active", first_meeting_date="", first_meeting_time=""
    )
    response = client.post(edit, data)
    assert response.status_code == 200
    assert response.context["form"].errors["status"] == [
        in_admin_language(FIRST_MEETING.message, group_a)
    ]
    group_a.refresh_from_db()
    assert group_a.status == "forming"
    # A first meeting entered in the same form counts.
    response = client.post(edit, group_data(page_a, status="active"))
    assert response.status_code == 302
    group_a.refresh_from_db()
    assert group_a.status == "active"
    assert group_a.first_meeting_date == datetime.date(2027, 1, 12)
