"""The starter register in the admin, and a group's starters on its page.

Scoped like everything else: a coordinator sees, picks and changes only the
starters of the pages they coordinate, in the listing, the suggestions and
by URL; every change is an action with a log entry that names no one.
"""

import json

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from wagtail_selvhjelp.models import GroupStarter, SelfHelpLogEntry, Starter
from wagtail_selvhjelp.models.actions import ActionPermissionError
from wagtail_selvhjelp.models.starter_actions import AssignStarter, EraseStarter
from wagtail_selvhjelp.models.starters import group_has_current_starter

from ..factories import StarterFactory, make_group


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def url(name, *args):
    return reverse(f"wagtail_selvhjelp_starter:{name}", args=args)


def starters_url(group):
    return reverse("wagtail_selvhjelp_group:starters", args=[group.pk])


def members_url(group):
    return reverse("wagtail_selvhjelp_group:members", args=[group.pk])


def starter_data(page, **overrides):
    data = {
        "name": "Ny Igangsetter",
        "email": "ny@example.test",
        "phone": "913 77 731",
        "status": "active",
        "pages": [page.pk],
        "places": [page.places.get(name="Gol").pk],
        "time_slots": [page.time_slots.get(name="Kveld").pk],
        "topics": [],
        "notes": "",
        "courses": inline_formset(
            [{"kind": "basic", "completed_on": "2025-05-01", "valid_until": ""}]
        ),
    }
    data.update(overrides)
    # The formset nested, the multiple choices as lists of values.
    return {**nested_form_data({"courses": data.pop("courses")}), **data}


# Scoping of the actions


def test_a_coordinator_assigns_only_their_pages_starters(
    coordinator_a, coordinator_b, page_a, page_b, group_a
):
    mine = StarterFactory(pages=[page_a])
    theirs = StarterFactory(pages=[page_b])
    assert set(Starter.objects.for_user(coordinator_a)) == {mine}
    assert set(Starter.objects.for_user(coordinator_b)) == {theirs}
    with pytest.raises(ActionPermissionError):
        AssignStarter(group_a, mine, user=coordinator_b).execute()
    with pytest.raises(ActionPermissionError):
        AssignStarter(group_a, theirs, user=coordinator_a).execute()
    AssignStarter(group_a, mine, user=coordinator_a).execute()
    assert group_has_current_starter(group_a)


def test_a_starter_of_two_pages_is_seen_by_both_coordinators(
    coordinator_a, coordinator_b, page_a, page_b
):
    shared = StarterFactory(pages=[page_a, page_b])
    assert list(Starter.objects.for_user(coordinator_a)) == [shared]
    assert list(Starter.objects.for_user(coordinator_b)) == [shared]


def test_a_coordinator_of_another_page_cannot_erase_a_starter(coordinator_b, page_a):
    starter = StarterFactory(pages=[page_a])
    with pytest.raises(ActionPermissionError):
        EraseStarter(starter, user=coordinator_b).execute()
    assert Starter.objects.filter(pk=starter.pk).exists()


# The register


def test_the_index_lists_the_users_starters_with_load_and_status(
    client, coordinator_a, coordinator_b, page_a, page_b, group_a
):
    busy = StarterFactory(pages=[page_a], name="Anne Opptatt")
    AssignStarter(group_a, busy).execute(skip_permission_checks=True)
    StarterFactory(pages=[page_a], name="Arne Hviler", status="resting")
    StarterFactory(pages=[page_b], name="Bodil Bsen")

    client.force_login(coordinator_a)
    response = client.get(url("index"))
    listed = {s.name: s for s in response.context["object_list"]}
    assert set(listed) == {"Anne Opptatt", "Arne Hviler"}
    assert listed["Anne Opptatt"].load == 1
    html = response.content.decode()
    assert "Resting" in html and "Bodil" not in html

    client.force_login(coordinator_b)
    response = client.get(url("index"))
    assert [s.name for s in response.context["object_list"]] == ["Bodil Bsen"]


def test_the_index_takes_a_constant_number_of_queries(
    client, coordinator_a, page_a, django_assert_max_num_queries
):
    client.force_login(coordinator_a)
    StarterFactory(pages=[page_a])
    client.get(url("index"))  # warm the caches (site, locale, menus)
    with django_assert_max_num_queries(30) as few:
        client.get(url("index"))
    for _ in range(10):
        StarterFactory(pages=[page_a])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("index"))
    assert len(response.context["object_list"]) == 11


def test_another_pages_starter_is_a_404_by_url(client, coordinator_b, page_a):
    starter = StarterFactory(pages=[page_a])
    client.force_login(coordinator_b)
    for name in ("edit", "delete", "history", "usage", "person_data"):
        assert client.get(url(name, starter.pk)).status_code == 404, name
    response = client.post(url("edit", starter.pk), starter_data(page_a))
    assert response.status_code == 404
    assert client.post(url("delete", starter.pk)).status_code == 404
    assert Starter.objects.get(pk=starter.pk).name == starter.name


def test_a_coordinator_adds_a_starter_with_a_course(client, coordinator_a, page_a):
    client.force_login(coordinator_a)
    response = client.post(url("add"), starter_data(page_a))
    assert response.status_code == 302
    starter = Starter.objects.get()
    assert starter.phone == "+4791377731"  # normalised like registrations
    assert starter.status == "active"
    assert list(starter.pages.all()) == [page_a.page_ptr]
    course = starter.courses.get()
    assert (course.kind, course.valid_until) == ("basic", None)


def test_a_coordinator_picks_only_their_pages_and_choices(
    client, coordinator_a, page_a, page_b
):
    client.force_login(coordinator_a)
    form = client.get(url("add")).context["form"]
    assert list(form.fields["pages"].queryset) == [page_a.page_ptr]
    assert set(form.fields["places"].queryset) == set(page_a.places.all())

    response = client.post(
        url("add"),
        starter_data(
            page_a,
            pages=[page_b.pk],
            places=[page_b.places.get(name="Gol").pk],
        ),
    )
    assert response.status_code == 200
    assert {"pages", "places"} <= set(response.context["form"].errors)
    assert not Starter.objects.exists()


def test_a_contact_and_a_valid_phone_are_required(client, coordinator_a, page_a):
    client.force_login(coordinator_a)
    response = client.post(url("add"), starter_data(page_a, email="", phone=""))
    assert "email" in response.context["form"].errors
    response = client.post(url("add"), starter_data(page_a, phone="12"))
    assert "phone" in response.context["form"].errors
    assert not Starter.objects.exists()


def test_editing_keeps_what_lies_on_another_coordinators_page(
    client, coordinator_b, page_a, page_b
):
    shared = StarterFactory(pages=[page_a, page_b], name="Delt")
    places_a = set(page_a.places.values_list("pk", flat=True))
    client.force_login(coordinator_b)
    response = client.post(
        url("edit", shared.pk),
        starter_data(
            page_b,
            name="Delt Igangsetter",
            places=[page_b.places.get(name="Hol").pk],
            time_slots=[],
            courses=inline_formset([]),
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    shared = Starter.objects.get(pk=shared.pk)
    assert shared.name == "Delt Igangsetter"
    assert set(shared.pages.values_list("pk", flat=True)) == {page_a.pk, page_b.pk}
    assert places_a <= set(shared.places.values_list("pk", flat=True))


def test_archiving_in_the_form_goes_through_the_action(client, coordinator_a, page_a):
    starter = StarterFactory(pages=[page_a])
    client.force_login(coordinator_a)
    response = client.post(
        url("edit", starter.pk),
        starter_data(page_a, status="archived", courses=inline_formset([])),
    )
    assert response.status_code == 302
    starter.refresh_from_db()
    assert starter.status == "archived" and starter.archived_at
    entry = SelfHelpLogEntry.objects.get(action="wagtail_selvhjelp.starter_status")
    assert entry.data == {"from": "active", "to": "archived"}


def test_deleting_a_starter_erases_them_by_reference(
    client, coordinator_a, page_a, group_a
):
    starter = StarterFactory(pages=[page_a], name="Slettes Snart")
    assignment = AssignStarter(group_a, starter).execute(skip_permission_checks=True)
    client.force_login(coordinator_a)
    response = client.post(url("delete", starter.pk))
    assert response.status_code == 302
    assert not Starter.objects.exists()
    assignment.refresh_from_db()
    assert assignment.starter is None and assignment.withdrawal_reason == "erased"
    entry = SelfHelpLogEntry.objects.get(action="wagtail_selvhjelp.starter_erase")
    assert entry.label == f"Starter {starter.pk}"
    assert not SelfHelpLogEntry.objects.filter(label__contains="Slettes").exists()


def test_the_starters_data_export_is_a_logged_download(client, coordinator_a, page_a):
    starter = StarterFactory(pages=[page_a], name="Eksport Testesen")
    client.force_login(coordinator_a)
    response = client.get(url("person_data", starter.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="starter-{starter.pk}.json"'
    )
    data = json.loads(response.content)
    assert data["starter"]["name"] == "Eksport Testesen"
    entry = SelfHelpLogEntry.objects.get(
        action="wagtail_selvhjelp.starter_access_export"
    )
    assert entry.object_id == str(starter.pk) and entry.data == {}


# The group's page


def test_the_group_page_suggests_starters_and_says_why(
    client, coordinator_a, page_a, page_b, group_a
):
    StarterFactory(pages=[page_a], name="Anne Passer")
    StarterFactory(pages=[page_a], name="Aud Uten Kurs", course=False)
    StarterFactory(pages=[page_b], name="Bodil Bsen")
    client.force_login(coordinator_a)
    response = client.get(members_url(group_a))
    html = response.content.decode()
    panel = response.context["starter_panel"]
    assert [s.starter.name for s in panel.suggestions.ranked] == [
        "Anne Passer",
        "Aud Uten Kurs",
    ]
    assert "Anne Passer: takes Gol; takes Kveld; has a valid course" in html
    assert "Bodil" not in html
    assert "Only one starter fits this group" in html
    # The chooser offers the suggestions only, best fit first.
    chooser = panel.form.fields["starter"].queryset
    assert [starter.name for starter in chooser] == ["Anne Passer", "Aud Uten Kurs"]


def test_the_group_page_warns_when_no_starter_fits(client, coordinator_a, group_a):
    client.force_login(coordinator_a)
    html = client.get(members_url(group_a)).content.decode()
    assert "No active starter of this page takes the group" in html
    assert "No starter yet." in html


def test_assign_and_withdraw_from_the_group_page(
    client, coordinator_a, page_a, group_a
):
    lead = StarterFactory(pages=[page_a], name="Lise Leder")
    client.force_login(coordinator_a)
    response = client.post(
        starters_url(group_a),
        {"action": "assign", "starter": lead.pk, "planned_meetings": 9},
    )
    assert response.status_code == 302
    assert response["Location"] == members_url(group_a)
    assignment = GroupStarter.objects.get()
    assert (assignment.starter, assignment.role) == (lead, "lead")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("at most 8" in m for m in messages)

    html = client.get(members_url(group_a)).content.decode()
    assert "Lise Leder" in html and "Record the withdrawal" in html

    response = client.post(
        starters_url(group_a),
        {"action": "withdraw", "assignment": assignment.pk, "reason": "own_wish"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.withdrawal_reason == "own_wish"
    assert not group_has_current_starter(group_a)
    for entry in SelfHelpLogEntry.objects.filter(action__contains="starter"):
        assert "Lise" not in json.dumps(entry.data) + entry.label


def test_another_pages_starter_cannot_be_assigned_by_post(
    client, coordinator_a, page_b, group_a
):
    theirs = StarterFactory(pages=[page_b])
    client.force_login(coordinator_a)
    response = client.post(
        starters_url(group_a),
        {"action": "assign", "starter": theirs.pk, "planned_meetings": 3},
    )
    assert response.status_code == 302
    assert not GroupStarter.objects.exists()
    messages = list(response.wsgi_request._messages)
    assert [m.level_tag for m in messages] == ["error"]


def test_another_coordinator_cannot_change_the_groups_starters(
    client, coordinator_b, page_a, group_a
):
    starter = StarterFactory(pages=[page_a])
    assignment = AssignStarter(group_a, starter).execute(skip_permission_checks=True)
    client.force_login(coordinator_b)
    for data in (
        {"action": "assign", "starter": starter.pk, "planned_meetings": 3},
        {"action": "withdraw", "assignment": assignment.pk},
    ):
        assert client.post(starters_url(group_a), data).status_code == 404
    assignment.refresh_from_db()
    assert assignment.withdrawn_on is None


def test_without_the_starter_permission_nothing_is_assigned(
    client, coordinator_a, page_a, group_a
):
    from django.contrib.auth.models import Permission

    for group in coordinator_a.groups.all():
        group.permissions.remove(Permission.objects.get(codename="view_starter"))
    starter = StarterFactory(pages=[page_a])
    client.force_login(coordinator_a)
    response = client.post(
        starters_url(group_a),
        {"action": "assign", "starter": starter.pk, "planned_meetings": 3},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert not GroupStarter.objects.exists()
    html = client.get(members_url(group_a)).content.decode()
    assert "Give the group this starter" not in html


def test_an_ended_group_takes_no_starter(client, coordinator_a, page_a):
    group = make_group(page_a)
    group.end()
    starter = StarterFactory(pages=[page_a])
    client.force_login(coordinator_a)
    response = client.post(
        starters_url(group),
        {"action": "assign", "starter": starter.pk, "planned_meetings": 3},
    )
    assert response["Location"] == "/admin/"
    assert not GroupStarter.objects.exists()


def test_the_form_refuses_to_archive_a_starter_with_an_open_group(
    client, coordinator_a, page_a, group_a
):
    starter = StarterFactory(pages=[page_a])
    AssignStarter(group_a, starter).execute(skip_permission_checks=True)
    client.force_login(coordinator_a)
    response = client.post(
        url("edit", starter.pk),
        starter_data(page_a, status="archived", courses=inline_formset([])),
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    starter.refresh_from_db()
    assert starter.status == "active"


def test_the_group_page_takes_the_same_queries_for_more_starters(
    client, coordinator_a, page_a, group_a, django_assert_max_num_queries
):
    client.force_login(coordinator_a)
    lead = StarterFactory(pages=[page_a])
    AssignStarter(group_a, lead).execute(skip_permission_checks=True)
    StarterFactory(pages=[page_a])
    client.get(members_url(group_a))  # warm the caches (site, locale, menus)
    with django_assert_max_num_queries(60) as few:
        client.get(members_url(group_a))
    for _ in range(8):
        StarterFactory(pages=[page_a])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(members_url(group_a))
    assert len(response.context["starter_panel"].suggestions.ranked) == 9
