"""The admin's privacy views: access logging, access and erasure, reports."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from wagtail_selvhjelp.models import (
    PurgeRun,
    Registration,
    RegistrationStatistic,
    SelfHelpLogEntry,
)
from wagtail_selvhjelp.models.privacy import forget

from ..factories import RegistrationFactory
from .conftest import _works_for


pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"wagtail_selvhjelp_registration:{name}", args=args)


def access_log(registration, action):
    return SelfHelpLogEntry.objects.filter(
        action=action, object_id=str(registration.pk)
    )


def test_reading_a_registration_is_logged(client, coordinator_a, registration_a):
    client.force_login(coordinator_a)
    client.get(url("inspect", registration_a.pk))
    entry = access_log(registration_a, "wagtail_selvhjelp.view").get()
    assert entry.user == coordinator_a
    assert registration_a.name not in entry.label


def test_inspect_offers_the_rights_buttons_by_permission(
    client, coordinator_a, registration_a
):
    client.force_login(coordinator_a)
    html = client.get(url("inspect", registration_a.pk)).content.decode()
    assert url("person_data", registration_a.pk) in html
    assert url("erase", registration_a.pk) in html
    group = coordinator_a.groups.get()
    group.permissions.remove(
        *Permission.objects.filter(
            codename__in=["access_registration", "erase_registration"]
        )
    )
    html = client.get(url("inspect", registration_a.pk)).content.decode()
    assert url("person_data", registration_a.pk) not in html
    assert url("erase", registration_a.pk) not in html


def test_person_data_is_a_logged_json_download(client, coordinator_a, registration_a):
    client.force_login(coordinator_a)
    client.get(url("inspect", registration_a.pk))
    response = client.get(url("person_data", registration_a.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert registration_a.name not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["registration"]["name"] == registration_a.name
    assert data["places"] == ["Gol"]
    assert [entry["action"] for entry in data["log"]] == [
        "wagtail_selvhjelp.view",
        "wagtail_selvhjelp.access_export",
    ]
    assert access_log(registration_a, "wagtail_selvhjelp.access_export").exists()


@pytest.mark.parametrize("name", ["person_data", "erase"])
def test_each_right_needs_its_own_permission(
    client, coordinator_a, registration_a, name
):
    codename = {"person_data": "access_registration", "erase": "erase_registration"}
    coordinator_a.groups.get().permissions.remove(
        Permission.objects.get(codename=codename[name])
    )
    client.force_login(coordinator_a)
    response = client.get(url(name, registration_a.pk))
    assert response.status_code == 302
    response = client.post(url(name, registration_a.pk), {"confirm": "yes"})
    assert Registration.objects.filter(pk=registration_a.pk).exists()


def test_erasure_asks_first_then_deletes(client, coordinator_a, registration_a):
    client.force_login(coordinator_a)
    response = client.get(url("erase", registration_a.pk))
    assert response.status_code == 200
    assert 'name="confirm"' in response.content.decode()

    response = client.post(url("erase", registration_a.pk))
    assert response.status_code == 200
    assert Registration.objects.filter(pk=registration_a.pk).exists()

    response = client.post(url("erase", registration_a.pk), {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == url("index")
    assert not Registration.objects.filter(pk=registration_a.pk).exists()
    entry = access_log(registration_a, "wagtail_selvhjelp.erase").get()
    assert entry.user == coordinator_a


def test_another_pages_coordinator_cannot_erase(client, coordinator_b, registration_a):
    client.force_login(coordinator_b)
    response = client.post(url("erase", registration_a.pk), {"confirm": "yes"})
    assert response.status_code == 404
    assert Registration.objects.filter(pk=registration_a.pk).exists()


def test_deleting_in_the_admin_keeps_the_counts(client, coordinator_a, page_a):
    registration = RegistrationFactory(page=page_a, status="spam")
    client.force_login(coordinator_a)
    response = client.post(url("delete", registration.pk))
    assert response.status_code == 302
    assert not Registration.objects.filter(pk=registration.pk).exists()
    assert RegistrationStatistic.objects.get(
        page_id=page_a.pk, dimension="total"
    ).outcome == ("spam")


def test_a_coordinator_records_a_phone_confirmation(client, coordinator_a, page_a):
    registration = RegistrationFactory(page=page_a, email="", phone="+4791234567")
    Registration.objects.filter(pk=registration.pk).update(
        reconfirmation_requested_at=registration.created_at
    )
    client.force_login(coordinator_a)
    html = client.get(url("inspect", registration.pk)).content.decode()
    assert url("confirm", registration.pk) in html
    response = client.post(url("confirm", registration.pk))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.reconfirmation_requested_at is None
    assert access_log(registration, "wagtail_selvhjelp.confirm").exists()


# Statistics


def statistics_rows(client, **params):
    response = client.get(reverse("wagtail_selvhjelp_statistics:index"), params)
    assert response.status_code == 200
    return response


def test_statistics_mask_small_counts_and_add_deleted_rows(
    client, coordinator_a, page_a
):
    for _ in range(6):
        RegistrationFactory(page=page_a)
    withdrawn = [RegistrationFactory(page=page_a, status="withdrawn") for _ in range(2)]
    forget(Registration.objects.filter(pk__in=[r.pk for r in withdrawn]))
    client.force_login(coordinator_a)
    response = statistics_rows(client)
    rows = list(response.context["object_list"])
    # The month's row, and the year's (issue 18: totals per year).
    assert [row.year for row in rows] == [rows[0].month.year, None]
    row = rows[1]
    assert row.waiting == "6"
    assert row.withdrawn == "< 5"
    # No total: 8 minus the 6 waiting would give the hidden count away.
    assert not hasattr(row, "total")
    assert row.placed == "0"
    html = response.content.decode()
    assert "&lt; 5" in html


def test_statistics_by_place_and_export(client, coordinator_a, page_a):
    for place in ("Gol", "Gol", "Hol"):
        RegistrationFactory(page=page_a, places=[place])
    client.force_login(coordinator_a)
    response = statistics_rows(client, dimension="place")
    labels = sorted(
        row.value_label
        for row in response.context["object_list"]
        if row.year is None  # the months' rows; each also has a year's row
    )
    assert labels == ["Gol", "Hol"]
    export = client.get(
        reverse("wagtail_selvhjelp_statistics:index"),
        {"dimension": "place", "export": "csv"},
    )
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode()
    assert "< 5" in text and "Gol" in text


def test_statistics_are_scoped_to_the_coordinators_pages(
    client, coordinator_b, page_a, page_b
):
    RegistrationFactory(page=page_a)
    forget(Registration.objects.filter(pk=RegistrationFactory(page=page_a).pk))
    client.force_login(coordinator_b)
    response = statistics_rows(client)
    assert list(response.context["object_list"]) == []
    choices = dict(response.context["filters"].form.fields["page_id"].choices)
    assert page_a.pk not in choices and page_b.pk in choices


# Privacy overview


@pytest.fixture
def dpo(django_user_model, home_page):
    """The data-protection officer of the (one) site."""
    user = django_user_model.objects.create_user("personvernombud", password="pw")
    group = Group.objects.create(name="Personvernombud")
    group.permissions.set(
        Permission.objects.filter(
            codename__in=["access_admin", "view_privacy_overview"]
        )
    )
    _works_for(group, home_page)
    user.groups.add(group)
    return user


def test_the_overview_shows_what_who_and_how_long(
    client, dpo, coordinator_a, page_a, registration_a
):
    PurgeRun.objects.create(counts={"closed": 3, "expired": 0, "former_members": 1})
    client.force_login(dpo)
    response = client.get(reverse("wagtail_selvhjelp_privacy:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert page_a.title in html
    assert coordinator_a.get_username() in html
    assert "Koordinatorer A" in html
    # Counts only: no registrant's name, e-mail or answers.
    assert registration_a.name not in html
    assert registration_a.email not in html
    overview = next(
        item for item in response.context["pages"] if item.page.pk == page_a.pk
    )
    assert overview.total == 1
    assert overview.retention.closed_days == 30
    assert any(row["encrypted"] for row in overview.fields)
    assert response.context["last_purge"].counts["closed"] == 3


def test_the_overview_warns_when_the_purge_never_ran(client, dpo, page_a):
    client.force_login(dpo)
    response = client.get(reverse("wagtail_selvhjelp_privacy:index"))
    assert "selvhjelp_purge" in response.content.decode()


def test_the_dpo_sees_counts_of_every_page(client, dpo, page_a, page_b):
    RegistrationFactory(page=page_a)
    RegistrationFactory(page=page_b)
    client.force_login(dpo)
    response = statistics_rows(client)
    assert {row.page_title for row in response.context["object_list"]} == {
        page_a.title,
        page_b.title,
    }
    # ... but not the registrations themselves.
    response = client.get(url("index"))
    assert response.status_code == 302


def test_inspect_shows_local_time_and_the_phone_the_norwegian_way(
    client, coordinator_a, page_a, settings
):
    import datetime

    from django.utils import timezone

    registration = RegistrationFactory(page=page_a, phone="+4796851295")
    Registration.objects.filter(pk=registration.pk).update(
        created_at=datetime.datetime(2026, 6, 1, 10, 30, tzinfo=datetime.UTC)
    )
    client.force_login(coordinator_a)
    with timezone.override("Europe/Oslo"):
        html = client.get(url("inspect", registration.pk)).content.decode()
    assert "12:30" in html  # 10:30 UTC is 12:30 in Oslo in summer
    assert "968 51 295" in html
