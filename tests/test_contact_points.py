import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from wagtail_selvhjelp.models import ContactPoint
from wagtail_selvhjelp.phone import format_phone, normalise_phone

from .factories import ContactPointFactory


pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("968 51 295", "+4796851295", "968 51 295"),
        ("96851295", "+4796851295", "968 51 295"),
        ("+47 968 51 295", "+4796851295", "968 51 295"),
        ("0047 96851295", "+4796851295", "968 51 295"),
        ("22 12 34 56", "+4722123456", "22 12 34 56"),
        ("800 12 345", "+4780012345", "800 12 345"),
        ("+46 8 123 456 78", "+46812345678", "+46 8 123 456 78"),
    ],
)
def test_phone_numbers_are_stored_in_e164_and_shown_the_norwegian_way(
    typed, stored, shown
):
    assert normalise_phone(typed) == stored
    assert format_phone(stored) == shown


@pytest.mark.parametrize(
    "typed", ["12345", "abc", "+47 123", "9" * 30, "+1 000 000 0000", "1" * 100]
)
def test_bad_phone_numbers_are_refused_with_a_clear_message(typed):
    with translation.override("nb"), pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert "gyldig telefonnummer" in error.value.messages[0]


def test_empty_phone_is_allowed():
    assert normalise_phone("  ") == ""
    assert format_phone("") == ""


def test_clean_normalises_the_phone():
    contact_point = ContactPointFactory.build(phone="968 51 295")
    contact_point.full_clean()
    assert contact_point.phone == "+4796851295"
    assert contact_point.phone_display == "968 51 295"


def test_clean_reports_a_bad_phone_on_its_field():
    contact_point = ContactPointFactory.build(phone="12")
    with pytest.raises(ValidationError) as error:
        contact_point.full_clean()
    assert set(error.value.message_dict) == {"phone"}


def test_clean_reports_a_bad_email_on_its_field():
    contact_point = ContactPointFactory.build(email="not-an-address")
    with pytest.raises(ValidationError) as error:
        contact_point.full_clean()
    assert set(error.value.message_dict) == {"email"}


def test_at_least_one_way_to_get_in_touch_is_required():
    contact_point = ContactPointFactory.build(email="", phone="", website="")
    with pytest.raises(ValidationError) as error:
        contact_point.full_clean()
    assert "email" in error.value.message_dict
    ContactPointFactory.build(
        email="", phone="", website="https://example.test"
    ).full_clean()


def test_str_is_organisation_and_person():
    contact_point = ContactPointFactory.build(
        organisation="Gol frivilligsentral", contact_person="Ola"
    )
    assert str(contact_point) == "Gol frivilligsentral (Ola)"
    contact_point.contact_person = ""
    assert str(contact_point) == "Gol frivilligsentral"


def test_template_tag_renders_a_card_with_tel_link():
    contact_point = ContactPointFactory(phone="+4796851295", email="a@example.test")
    html = Template(
        "{% load wagtail_selvhjelp_tags %}{% selvhjelp_contact_point cp heading_tag='h2' %}"
        "{{ cp.phone|phone_display }}"
    ).render(Context({"cp": contact_point}))
    assert '<a href="tel:+4796851295">968 51 295</a>' in html
    assert '<h2 class="selvhjelp-contact__name">' in html
    assert 'href="mailto:a@example.test"' in html


def test_card_escapes_editor_input():
    contact_point = ContactPointFactory(organisation="<script>alert(1)</script>")
    html = Template(
        "{% load wagtail_selvhjelp_tags %}{% selvhjelp_contact_point cp %}"
    ).render(Context({"cp": contact_point}))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_an_unknown_heading_tag_falls_back_to_h3():
    contact_point = ContactPointFactory()
    html = Template(
        "{% load wagtail_selvhjelp_tags %}{% selvhjelp_contact_point cp heading_tag='script' %}"
    ).render(Context({"cp": contact_point}))
    assert "<h3 " in html


# Admin: the snippet viewset


def _add_url():
    return reverse(ContactPoint.snippet_viewset.get_url_name("add"))


def _form_data(**overrides):
    data = {
        "organisation": "Fjellbygd frivilligsentral",
        "kind": "volunteer_centre",
        "contact_person": "",
        "role": "",
        "email": "frivillig@example.test",
        "phone": "968 51 295",
        "municipality": "Fjellbygd",
        "address": "",
        "opening_hours": "",
        "website": "",
        "sort_order": "0",
        "locale": "1",
    }
    data.update(overrides)
    return data


def test_editor_creates_and_publishes_a_contact_point(admin_client):
    response = admin_client.post(
        _add_url(), {**_form_data(), "action-publish": "publish"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact_point = ContactPoint.objects.get()
    assert contact_point.live
    assert contact_point.phone == "+4796851295"
    assert contact_point.revisions.count() == 1


def test_editor_saves_a_draft_that_is_not_live(admin_client):
    response = admin_client.post(_add_url(), _form_data())
    assert response.status_code == 302
    assert ContactPoint.objects.get().live is False


def test_admin_form_shows_the_phone_error_and_keeps_the_input(admin_client):
    response = admin_client.post(_add_url(), _form_data(phone="123"))
    assert response.status_code == 200
    assert ContactPoint.objects.count() == 0
    html = response.content.decode()
    assert 'value="123"' in html
    assert "Fjellbygd frivilligsentral" in html


def test_admin_listing_filters_by_municipality(admin_client):
    ContactPointFactory(organisation="Gol-kontoret", municipality="Gol")
    ContactPointFactory(organisation="Hol-kontoret", municipality="Hol")
    url = reverse(ContactPoint.snippet_viewset.get_url_name("list"))
    response = admin_client.get(url, {"municipality": "Hol"})
    assert response.status_code == 200
    assert "Hol-kontoret" in response.content.decode()
    assert "Gol-kontoret" not in response.content.decode()


def test_admin_search_finds_by_organisation(
    admin_client, django_capture_on_commit_callbacks
):
    # Wagtail updates its search index once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        ContactPointFactory(organisation="Ål frisklivssentral")
        ContactPointFactory(organisation="Hemsedal frivilligsentral")
    url = reverse(ContactPoint.snippet_viewset.get_url_name("list"))
    response = admin_client.get(url, {"q": "Hemsedal"})
    assert "Hemsedal frivilligsentral" in response.content.decode()
    assert "Ål frisklivssentral" not in response.content.decode()


def test_contact_point_preview_renders(admin_client):
    contact_point = ContactPointFactory(organisation="Forhåndsvisning AS")
    url = reverse(
        ContactPoint.snippet_viewset.get_url_name("preview_on_edit"),
        args=[contact_point.pk],
    )
    admin_client.post(url, {**_form_data(organisation="Forhåndsvisning AS")})
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Forhåndsvisning AS" in response.content.decode()


def test_a_user_without_permission_cannot_reach_the_snippet(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get(reverse(ContactPoint.snippet_viewset.get_url_name("list")))
    assert response.status_code in (302, 403)
    response = client.post(_add_url(), _form_data())
    assert response.status_code in (302, 403)
    assert ContactPoint.objects.count() == 0
