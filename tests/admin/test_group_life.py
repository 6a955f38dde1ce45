"""A group's life in the admin: confirmations with reasons, the members'
choice on removal and on the end, contact details and the contact list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wagtail_selvhjelp.models import (
    GroupLifeStatistic,
    GroupMembership,
    Registration,
    SelfHelpLogEntry,
)

from ..factories import RegistrationFactory, give_starter


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def place(group, n, **fields):
    people = [
        RegistrationFactory(
            page=group.page, places=["Gol"], time_slots=["Kveld"], **fields
        )
        for _ in range(n)
    ]
    for person in people:
        group.add_member(person)
    return people


def remove_url(membership):
    return reverse("wagtail_selvhjelp_group:remove_member", args=[membership.pk])


def end_url(group):
    return reverse("wagtail_selvhjelp_group:end", args=[group.pk])


def members_url(group):
    return reverse("wagtail_selvhjelp_group:members", args=[group.pk])


def test_the_remove_confirmation_changes_nothing_until_posted(
    client, coordinator_a, group_a
):
    (person,) = place(group_a, 1, name="Rita Fjernesen")
    membership = GroupMembership.objects.get(registration=person)
    SelfHelpLogEntry.objects.all().delete()
    client.force_login(coordinator_a)

    response = client.get(remove_url(membership))
    assert response.status_code == 200
    assert "Rita Fjernesen" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    membership.refresh_from_db()
    person.refresh_from_db()
    assert membership.is_current and person.status == "placed"
    assert not SelfHelpLogEntry.objects.exists()

    # A reason code and the choice are required; nothing changes without them.
    response = client.post(remove_url(membership), {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"reason", "then"}
    response = client.post(
        remove_url(membership), {"reason": "free text", "then": "waiting"}
    )
    assert "reason" in response.context["form"].errors
    membership.refresh_from_db()
    assert membership.is_current
    assert not SelfHelpLogEntry.objects.exists()


@pytest.mark.parametrize("then", ["waiting", "withdrawn"])
def test_removal_records_the_reason_and_the_choice(
    client, coordinator_a, group_a, then
):
    (person,) = place(group_a, 1)
    membership = GroupMembership.objects.get(registration=person)
    SelfHelpLogEntry.objects.all().delete()
    client.force_login(coordinator_a)

    response = client.post(
        remove_url(membership), {"reason": "cannot_attend", "then": then}
    )
    assert response.status_code == 302
    assert response["Location"] == members_url(group_a)
    membership.refresh_from_db()
    person.refresh_from_db()
    assert not membership.is_current
    assert membership.left_reason == "cannot_attend"
    assert person.status == then
    entry = SelfHelpLogEntry.objects.get()
    assert entry.action == "wagtail_selvhjelp.remove"
    assert entry.data == {
        "registration": person.pk,
        "reason": "cannot_attend",
        "then": then,
    }
    stat = GroupLifeStatistic.objects.get(measure="departed")
    assert (stat.key, stat.count, stat.page_id) == ("cannot_attend", 1, group_a.page_id)
    # Done once: the same membership cannot be removed again.
    assert client.get(remove_url(membership)).status_code == 404


def test_another_pages_coordinator_can_neither_see_nor_confirm(
    client, coordinator_b, group_a
):
    (person,) = place(group_a, 1)
    membership = GroupMembership.objects.get(registration=person)
    client.force_login(coordinator_b)
    assert client.get(remove_url(membership)).status_code == 404
    data = {"reason": "other", "then": "withdrawn"}
    assert client.post(remove_url(membership), data).status_code == 404
    assert client.get(end_url(group_a)).status_code == 404
    response = client.post(end_url(group_a), {"reason": "decided", "then": "keep"})
    assert response.status_code == 404
    membership.refresh_from_db()
    group_a.refresh_from_db()
    assert membership.is_current and group_a.status == "forming"


def test_a_viewer_without_change_permission_cannot_confirm(
    client, coordinator_a, group_a
):
    from django.contrib.auth.models import Permission

    for group in coordinator_a.groups.all():
        group.permissions.remove(
            Permission.objects.get(codename="change_selfhelpgroup")
        )
    (person,) = place(group_a, 1)
    membership = GroupMembership.objects.get(registration=person)
    client.force_login(coordinator_a)
    response = client.get(end_url(group_a))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.post(
        remove_url(membership), {"reason": "other", "then": "waiting"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    membership.refresh_from_db()
    assert membership.is_current


def test_the_end_confirmation_changes_nothing_until_posted(
    client, coordinator_a, group_a
):
    place(group_a, 3)
    SelfHelpLogEntry.objects.all().delete()
    client.force_login(coordinator_a)
    response = client.get(end_url(group_a))
    assert response.status_code == 200
    assert response.context["member_count"] == 3
    group_a.refresh_from_db()
    assert group_a.status == "forming"
    assert not SelfHelpLogEntry.objects.exists()
    response = client.post(end_url(group_a), {"then": "keep"})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    group_a.refresh_from_db()
    assert group_a.status == "forming"


@pytest.mark.parametrize(
    ("then", "status"),
    [("keep", "placed"), ("waiting", "waiting"), ("withdrawn", "withdrawn")],
)
def test_ending_puts_the_members_where_the_coordinator_chose(
    client, coordinator_a, group_a, then, status
):
    people = place(group_a, 4)
    SelfHelpLogEntry.objects.all().delete()
    client.force_login(coordinator_a)
    response = client.post(end_url(group_a), {"reason": "too_few", "then": then})
    assert response.status_code == 302
    group_a.refresh_from_db()
    assert group_a.status == "ended" and group_a.end_reason == "too_few"
    assert set(
        Registration.objects.filter(pk__in=[p.pk for p in people]).values_list(
            "status", flat=True
        )
    ) == {status}
    assert not group_a.current_memberships().exists()
    entry = SelfHelpLogEntry.objects.get()
    assert entry.data["reason"] == "too_few" and entry.data["then"] == then
    assert entry.data["members"] == 4
    stat = GroupLifeStatistic.objects.get(measure="ended")
    assert (stat.key, stat.count) == ("too_few", 1)
    # An ended group has nothing left to confirm.
    response = client.get(end_url(group_a))
    assert response.status_code == 302
    assert response["Location"] == members_url(group_a)


def test_the_members_page_links_to_the_confirmations_not_to_one_click_changes(
    client, coordinator_a, group_a
):
    (person,) = place(group_a, 1)
    membership = GroupMembership.objects.get(registration=person)
    client.force_login(coordinator_a)
    html = client.get(members_url(group_a)).content.decode()
    assert f'href="{remove_url(membership)}"' in html
    assert f'href="{end_url(group_a)}"' in html
    assert 'value="remove"' not in html and 'value="end"' not in html
    # The old one-click posts do nothing any more.
    client.post(members_url(group_a), {"action": "end", "reason": "decided"})
    group_a.refresh_from_db()
    assert group_a.status == "forming"


def test_contact_details_are_logged_once_per_page_view_with_ids_only(
    client, coordinator_a, group_a
):
    people = place(group_a, 3, phone="+4791234567")
    SelfHelpLogEntry.objects.all().delete()
    client.force_login(coordinator_a)
    response = client.get(members_url(group_a))
    html = response.content.decode()
    for person in people:
        assert person.email in html
        inspect = reverse("wagtail_selvhjelp_registration:inspect", args=[person.pk])
        assert f'href="{inspect}"' in html
    entry = SelfHelpLogEntry.objects.get()
    assert entry.action == "wagtail_selvhjelp.contacts_view"
    assert entry.object_id == str(group_a.pk)
    assert entry.data == {"registrations": sorted(p.pk for p in people)}
    for person in people:
        assert person.name not in str(entry.data)
        assert person.email not in str(entry.data)
    client.get(members_url(group_a))
    assert SelfHelpLogEntry.objects.count() == 2


def test_the_members_page_costs_the_same_queries_for_more_members(
    client, coordinator_a, group_a
):
    client.force_login(coordinator_a)
    place(group_a, 4)  # past the minimum: the start's requirements are read
    client.get(members_url(group_a))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(members_url(group_a)).status_code == 200
        return len(queries)

    few = count()
    place(group_a, 2)
    assert count() == few


def test_the_contact_list_prints_the_members_and_is_logged_once(
    client, coordinator_a, group_a
):
    people = place(group_a, 2, phone="+4790000001")
    SelfHelpLogEntry.objects.all().delete()
    client.force_login(coordinator_a)
    url = reverse("wagtail_selvhjelp_group:contact_list", args=[group_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "contact_list_print.css" in html and 'media="print"' in html
    for person in people:
        assert person.name in html and person.email in html
    entry = SelfHelpLogEntry.objects.get()
    assert entry.action == "wagtail_selvhjelp.contact_list"
    assert entry.data == {"registrations": sorted(p.pk for p in people)}
    # The members page links to it.
    assert f'href="{url}"' in client.get(members_url(group_a)).content.decode()


def test_the_next_step_follows_the_group(client, coordinator_a, group_a):
    client.force_login(coordinator_a)
    life = client.get(members_url(group_a)).context["group_life"]
    assert "4" in life.next_step  # place members: a group starts with 4
    place(group_a, 4)
    life = client.get(members_url(group_a)).context["group_life"]
    assert "starter" in life.next_step  # the start's own requirements, in order
    give_starter(group_a)
    life = client.get(members_url(group_a)).context["group_life"]
    assert "first meeting" in life.next_step
    group_a.first_meeting_date = datetime.date(2027, 1, 12)
    group_a.first_meeting_time = datetime.time(18, 0)
    group_a.save()
    life = client.get(members_url(group_a)).context["group_life"]
    assert "start the group" in life.next_step
    group_a.activate()
    group_a.refresh_from_db()
    life = client.get(members_url(group_a)).context["group_life"]
    assert "follow-up" in life.next_step
    assert life.follow_up_on is not None


def test_starting_a_group_records_the_day_and_counts_it(group_a):
    place(group_a, 4)
    group_a.activate(reason="other")
    group_a.refresh_from_db()
    assert group_a.started_on is not None
    assert GroupLifeStatistic.objects.get(measure="started").count == 1
    days = GroupLifeStatistic.objects.filter(measure="days_to_group")
    assert sum(days.values_list("count", flat=True)) == 4
