"""Groups in the admin: create, place and remove members, start and end."""

import pytest
from django.urls import reverse

from wagtail_selvhjelp.models import GroupMembership, SelfHelpGroup, SelfHelpLogEntry

from ..factories import RegistrationFactory, give_starter


pytestmark = pytest.mark.django_db


def group_data(page, **overrides):
    data = {
        "name": "Gol, kveld",
        "place": page.places.get(name="Gol").pk,
        "time_slot": page.time_slots.get(name="Kveld").pk,
        "topic": "",
        "gender": "",
        "status": "forming",
        "first_meeting_date": "2027-01-12",
        "first_meeting_time": "18:00",
        "venue": "Frivilligsentralen",
        "meeting_frequency": "weekly",
        "meeting_minutes": "90",
    }
    data.update(overrides)
    return data


def waiting(page, n=1, **fields):
    fields.setdefault("places", ["Gol"])
    fields.setdefault("time_slots", ["Kveld"])
    return [RegistrationFactory(page=page, **fields) for _ in range(n)]


def members_url(group):
    return reverse("wagtail_selvhjelp_group:members", args=[group.pk])


def test_add_asks_for_a_page_then_offers_only_its_choices(
    client, coordinator_a, page_a, page_b
):
    client.force_login(coordinator_a)
    url = reverse("wagtail_selvhjelp_group:add")
    html = client.get(url).content.decode()
    assert f'href="{url}?page={page_a.pk}"' in html
    assert f"?page={page_b.pk}" not in html
    assert client.get(f"{url}?page={page_b.pk}").status_code == 404
    assert client.get(f"{url}?page=abc").status_code == 200  # back to the choice

    response = client.get(f"{url}?page={page_a.pk}")
    places = response.context["form"].fields["place"].queryset
    assert set(places) == set(page_a.places.all())

    foreign_place = page_b.places.get(name="Gol").pk
    response = client.post(
        f"{url}?page={page_a.pk}", group_data(page_a, place=foreign_place)
    )
    assert response.status_code == 200
    assert "place" in response.context["form"].errors

    response = client.post(
        f"{url}?page={page_a.pk}", group_data(page_a, status="active")
    )
    group = SelfHelpGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == members_url(group)
    assert group.page_id == page_a.pk
    assert group.status == "forming"  # a new group always starts forming
    assert not group.starter_assignments.exists()


def test_placing_removing_and_overriding_in_the_members_view(
    client, coordinator_a, page_a, group_a
):
    client.force_login(coordinator_a)
    (fits,) = waiting(page_a)
    (elsewhere,) = waiting(page_a, places=["Ål"])
    url = members_url(group_a)

    html = client.get(url).content.decode()
    assert fits.name in html and elsewhere.name in html  # both offered

    response = client.post(url, {"action": "add", "registration": fits.pk})
    assert response.status_code == 302
    fits.refresh_from_db()
    assert fits.status == "placed"

    response = client.post(url, {"action": "add", "registration": elsewhere.pk})
    assert response.status_code == 200
    assert "override_reason" in response.context["form"].errors
    assert not GroupMembership.objects.filter(registration=elsewhere).exists()

    response = client.post(
        url,
        {"action": "add", "registration": elsewhere.pk, "override_reason": "Har bil"},
    )
    assert response.status_code == 302
    membership = GroupMembership.objects.get(registration=elsewhere)
    assert membership.override_reason == "Har bil"
    actions = list(
        SelfHelpLogEntry.objects.filter(object_id=str(group_a.pk)).values_list(
            "action", "data"
        )
    )
    assert ("wagtail_selvhjelp.override", {"registration": elsewhere.pk}) in actions
    for _action, data in actions:
        assert "Har bil" not in str(data)

    remove = reverse("wagtail_selvhjelp_group:remove_member", args=[membership.pk])
    response = client.post(remove, {"reason": "not_suited", "then": "waiting"})
    assert response.status_code == 302
    elsewhere.refresh_from_db()
    assert elsewhere.status == "waiting"
    # Only the current membership can be removed, once.
    assert client.get(remove).status_code == 404


def test_start_needs_the_size_bounds_and_a_started_group_is_closed(
    client, coordinator_a, page_a, group_a
):
    client.force_login(coordinator_a)
    give_starter(group_a)
    edit = reverse("wagtail_selvhjelp_group:edit", args=[group_a.pk])
    for person in waiting(page_a, 3):
        group_a.add_member(person)
    response = client.post(edit, group_data(page_a, status="active"))
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    (fourth, newcomer) = waiting(page_a, 2)
    group_a.add_member(fourth)
    response = client.post(edit, group_data(page_a, status="active"))
    assert response.status_code == 302
    group_a.refresh_from_db()
    assert group_a.status == "active"

    url = members_url(group_a)
    response = client.post(url, {"action": "add", "registration": newcomer.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not GroupMembership.objects.filter(registration=newcomer).exists()
    response = client.post(
        url, {"action": "add", "registration": newcomer.pk, "group_agreed": "on"}
    )
    assert response.status_code == 302
    assert GroupMembership.objects.get(registration=newcomer).group_agreed


def test_ending_records_the_date_and_frees_the_members(
    client, coordinator_a, page_a, group_a
):
    client.force_login(coordinator_a)
    (person,) = waiting(page_a)
    group_a.add_member(person)
    edit = reverse("wagtail_selvhjelp_group:edit", args=[group_a.pk])
    # Not from the details form: ending asks for a reason on its own page.
    response = client.post(edit, group_data(page_a, status="ended"))
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    end = reverse("wagtail_selvhjelp_group:end", args=[group_a.pk])
    response = client.post(end, {"reason": "decided", "then": "waiting"})
    assert response.status_code == 302
    group_a.refresh_from_db()
    assert group_a.status == "ended" and group_a.ended_on is not None
    assert not GroupMembership.objects.filter(is_current=True).exists()
    assert SelfHelpLogEntry.objects.filter(
        action="wagtail_selvhjelp.group_status"
    ).exists()
    # An ended group cannot be reopened.
    response = client.post(edit, group_data(page_a, status="forming"))
    assert response.status_code == 200


def test_place_time_and_topic_are_fixed_once_there_are_members(
    client, coordinator_a, page_a, group_a
):
    client.force_login(coordinator_a)
    (person,) = waiting(page_a)
    group_a.add_member(person)
    edit = reverse("wagtail_selvhjelp_group:edit", args=[group_a.pk])
    response = client.post(
        edit, group_data(page_a, time_slot=page_a.time_slots.get(name="Dagtid").pk)
    )
    assert response.status_code == 200
    group_a.refresh_from_db()
    assert group_a.time_slot.name == "Kveld"


def test_deleting_a_group_puts_its_members_back_on_the_waiting_list(
    client, coordinator_a, page_a, group_a
):
    client.force_login(coordinator_a)
    (person,) = waiting(page_a)
    group_a.add_member(person)
    response = client.post(reverse("wagtail_selvhjelp_group:delete", args=[group_a.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == "waiting"


def test_group_listing_uses_a_constant_number_of_queries(
    client, coordinator_a, page_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator_a)
    url = reverse("wagtail_selvhjelp_group:index")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    SelfHelpGroup.objects.create(
        page=page_a,
        name="1",
        place=page_a.places.first(),
        time_slot=page_a.time_slots.first(),
    )
    few = count()
    for n in range(15):
        SelfHelpGroup.objects.create(
            page=page_a,
            name=f"G{n}",
            place=page_a.places.first(),
            time_slot=page_a.time_slots.first(),
            topic=page_a.topics.first(),
        )
    many = count()
    assert many == few


def test_the_listing_shows_a_future_first_meeting_as_its_date(
    client, coordinator_a, group_a
):
    """Wagtail's date column says "0 minutes ago" for any day ahead."""
    import datetime

    group_a.first_meeting_date = datetime.date(2031, 3, 4)
    group_a.save()
    client.force_login(coordinator_a)
    html = client.get(reverse("wagtail_selvhjelp_group:index")).content.decode()
    assert "04.03.2031" in html
    assert "0 minutes ago" not in html and "0 minutter siden" not in html


def test_start_and_end_from_the_members_page(client, coordinator_a, page_a, group_a):
    client.force_login(coordinator_a)
    url = members_url(group_a)
    for person in waiting(page_a, 3):
        group_a.add_member(person)
    start = reverse("wagtail_selvhjelp_group:start", args=[group_a.pk])
    # No starter or first meeting yet: a reason lets the group start without.
    assert client.post(start, {"reason": "other"}).status_code == 200
    group_a.refresh_from_db()
    assert group_a.status == "forming"  # 3 is below the page's minimum of 4
    group_a.add_member(waiting(page_a)[0])
    client.post(start, {"reason": "other"})
    group_a.refresh_from_db()
    assert group_a.status == "active"
    end = reverse("wagtail_selvhjelp_group:end", args=[group_a.pk])
    client.post(end, {"reason": "decided", "then": "keep"})
    group_a.refresh_from_db()
    assert group_a.status == "ended" and group_a.ended_on is not None
    # An ended group accepts no more changes from this page.
    assert client.post(url, {"action": "end"}).status_code == 302
    assert client.post(start, {"reason": "other"}).status_code == 200
    group_a.refresh_from_db()
    assert group_a.status == "ended"
