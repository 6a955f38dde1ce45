"""Editors configure the registration page; coordinators see registrations."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.checks import run_checks
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from wagtail_selvhjelp.models import GroupRegistrationPage, Registration

from ..factories import make_registration_page
from .test_form import post


pytestmark = pytest.mark.django_db


def _choices(queryset, delete=()):
    return inline_formset(
        [
            {
                "id": choice.pk,
                "name": choice.name,
                "archived": choice.archived,
                "ORDER": i,
                "DELETE": choice.name in delete,
            }
            for i, choice in enumerate(queryset)
        ],
        initial=queryset.count(),
    )


def _page_form(
    page, *, delete_places=(), privacy="<p>Personvern.</p>", action="action-publish"
):
    data = {
        "title": page.title,
        "slug": page.slug,
        "intro": rich_text(""),
        "privacy_notice": rich_text(privacy) if privacy else rich_text(""),
        "consent_text": page.consent_text,
        "thank_you_text": rich_text(""),
        "under_age_text": rich_text(""),
        "closed_text": rich_text(""),
        "places": _choices(page.places.all(), delete_places),
        "time_slots": _choices(page.time_slots.all()),
        "topics": _choices(page.topics.all()),
        "minimum_age": "18",
        "group_min_size": "4",
        "group_max_size": "8",
        "offer_days": "7",
        "notify_emails": "",
        "retention_closed_days": "30",
        "retention_reconfirm_months": "12",
        "retention_reconfirm_grace_days": "30",
        "retention_after_group_months": "6",
        "ask_avoid": "on",
        "ask_access_needs": "on",
    }
    form = nested_form_data(data)
    form[action] = "1"
    return form


def test_editor_cannot_delete_a_place_that_registrations_use(
    client, admin_client, page
):
    assert post(client, page).status_code == 303
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(url, _page_form(page, delete_places=["Gol"]))
    assert response.status_code == 200
    assert (
        "archived" in response.content.decode() or "arkiv" in response.content.decode()
    )
    page.refresh_from_db()
    assert page.places.filter(name="Gol").exists()
    assert [p.name for p in Registration.objects.get().places.all()] == ["Gol"]


def test_editor_can_delete_an_unused_place(admin_client, page):
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(url, _page_form(page, delete_places=["Hol"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    assert not page.places.filter(name="Hol").exists()


def test_privacy_notice_is_required_to_publish_not_to_save_a_draft(admin_client, page):
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = admin_client.post(
        url, _page_form(page, privacy="", action="action-publish")
    )
    assert response.status_code == 200
    page.refresh_from_db()
    assert "Vi behandler" in page.privacy_notice
    response = admin_client.post(
        url, _page_form(page, privacy="", action="action-draft")
    )
    assert response.status_code == 302


def test_group_sizes_must_be_in_order(section):
    from django.core.exceptions import ValidationError

    page = GroupRegistrationPage(
        title="x",
        slug="x",
        privacy_notice="<p>x</p>",
        group_min_size=8,
        group_max_size=4,
    )
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "group_max_size" in error.value.message_dict


def test_notify_emails_are_validated(section):
    from django.core.exceptions import ValidationError

    page = make_registration_page(section)
    page.notify_emails = "a@example.test\nikke en adresse"
    with pytest.raises(ValidationError):
        page.full_clean()
    page.notify_emails = "a@example.test, b@example.test"
    page.full_clean()
    assert page.get_notify_emails() == ["a@example.test", "b@example.test"]


# The registrations viewset


def test_admin_lists_registrations_without_answers(client, admin_client, page):
    post(client, page)
    registration = Registration.objects.get()
    response = admin_client.get(reverse("wagtail_selvhjelp_registration:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        f"Registration {registration.pk}" in html
        or f"Påmelding {registration.pk}" in html
    )
    assert "Kari" not in html
    # The topic filter offers the page's topics; the rows show no answers.
    table = html[html.index("<table") : html.index("</table>")]
    assert "angst" not in table.lower()


def test_admin_inspect_shows_the_answers(client, admin_client, page):
    post(client, page)
    registration = Registration.objects.get()
    response = admin_client.get(
        reverse("wagtail_selvhjelp_registration:inspect", args=[registration.pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kari Nordmann" in html
    assert "Jeg samtykker til at dere lagrer dette." in html


def test_nobody_adds_registrations_in_the_admin(admin_client):
    response = admin_client.get(reverse("wagtail_selvhjelp_registration:add"))
    assert response.status_code in (302, 403)


def test_coordinator_changes_status_and_notes(client, admin_client, page):
    post(client, page)
    registration = Registration.objects.get()
    url = reverse("wagtail_selvhjelp_registration:edit", args=[registration.pk])
    response = admin_client.post(
        url, {"status": "contacted", "coordinator_notes": "Ringt 12.11."}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "contacted"
    assert registration.coordinator_notes == "Ringt 12.11."
    assert registration.name == "Kari Nordmann"


def test_user_without_permission_sees_no_registrations(client, page, django_user_model):
    post(client, page)
    registration = Registration.objects.get()
    user = django_user_model.objects.create_user("redaktor", password="pw")
    editors = Group.objects.create(name="Redaktører")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(editors)
    client.force_login(user)
    for name, args in [
        ("index", []),
        ("inspect", [registration.pk]),
        ("edit", [registration.pk]),
        ("delete", [registration.pk]),
    ]:
        response = client.get(
            reverse(f"wagtail_selvhjelp_registration:{name}", args=args)
        )
        assert response.status_code in (302, 403), name
    response = client.post(
        reverse("wagtail_selvhjelp_registration:delete", args=[registration.pk])
    )
    assert Registration.objects.count() == 1


def test_delete_really_deletes(client, admin_client, page):
    post(client, page)
    registration = Registration.objects.get()
    response = admin_client.post(
        reverse("wagtail_selvhjelp_registration:delete", args=[registration.pk])
    )
    assert response.status_code == 302
    assert Registration.objects.count() == 0
    from wagtail_selvhjelp.models import RegistrationPlaceChoice

    assert RegistrationPlaceChoice.objects.count() == 0


def test_deploy_check_warns_about_a_per_process_rate_limit_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "wagtail_selvhjelp.W001" in ids
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "t",
        }
    }
    ids = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "wagtail_selvhjelp.W001" not in ids


def test_deleting_a_registration_page_deletes_its_registrations(client, page):
    from wagtail_selvhjelp.models import RegistrationPlace, RegistrationPlaceChoice

    assert post(client, page).status_code == 303
    page.delete()
    assert Registration.objects.count() == 0
    assert RegistrationPlaceChoice.objects.count() == 0
    assert RegistrationPlace.objects.count() == 0


def test_a_used_choice_cannot_be_deleted_behind_the_forms_back(client, page):
    from django.db.models import RestrictedError

    assert post(client, page).status_code == 303
    with pytest.raises(RestrictedError):
        page.places.get(name="Gol").delete()
    page.places.get(name="Hol").delete()


def test_editor_deletes_a_registration_page_in_the_admin(client, admin_client, page):
    assert post(client, page).status_code == 303
    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))
    assert response.status_code == 302
    assert not GroupRegistrationPage.objects.filter(pk=page.pk).exists()
    assert Registration.objects.count() == 0


def test_registration_listing_uses_a_constant_number_of_queries(
    client, admin_client, section, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.WAGTAIL_SELVHJELP = {
        "MINIMUM_FILL_SECONDS": 0,
        "RATE_LIMIT_PER_HOUR": 1000,
    }
    pages = [make_registration_page(section, slug=f"side-{n}") for n in range(3)]
    url = reverse("wagtail_selvhjelp_registration:index")

    def add(count):
        for number in range(count):
            post(
                client,
                pages[number % 3],
                email=f"p{number}-{Registration.objects.count()}@example.test",
            )

    add(3)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    add(12)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(url).status_code == 200
    assert Registration.objects.count() == 15
    assert len(many) == len(few)
