"""The starter's kit: printable, in the registration page's language, with
the site's own texts where an editor wrote them, and no one's name."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale, Site

from wagtail_selvhjelp.models import SelfHelpGroup, StarterKitText
from wagtail_selvhjelp.models.starter_kits import DEFAULT_TEXTS

from ..factories import (
    ContactPointFactory,
    RegistrationFactory,
    SelfHelpIndexPageFactory,
    make_registration_page,
)
from .conftest import _coordinators


pytestmark = pytest.mark.django_db


def make_group(page, **fields):
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol, kveld",
        place=page.places.get(name="Gol"),
        time_slot=page.time_slots.get(name="Kveld"),
        topic=page.topics.get(name="Sorg"),
        first_meeting_date=datetime.date(2027, 1, 12),
        first_meeting_time=datetime.time(18, 0),
        venue="Frivilligsentralen",
        meeting_frequency="fortnightly",
        **fields,
    )
    for i in range(4):
        group.add_member(
            RegistrationFactory(
                page=page,
                name=f"Hemmelig Deltakar{i}",
                places=["Gol"],
                time_slots=["Kveld"],
                topics=["Sorg"],
            )
        )
    return group


def kit_url(group):
    return reverse("wagtail_selvhjelp_group:kit", args=[group.pk])


@pytest.fixture
def nn_page(nn_site):
    section = SelfHelpIndexPageFactory(parent=nn_site.root_page, title="Sjølvhjelp")
    return make_registration_page(section, title="Meld deg på", slug="nn")


def assert_no_names(html, group):
    for membership in group.memberships.select_related("registration"):
        for part in membership.registration.name.split():
            assert part not in html
    assert "Igang Setter" not in html
    assert "Sorg" not in html  # the topic stays off the paper too


def test_the_kit_prints_the_packages_words_in_the_pages_language(
    client, coordinator_a, page_a
):
    group = make_group(page_a)
    client.force_login(coordinator_a)
    response = client.get(kit_url(group))
    assert response.status_code == 200
    assert response["Content-Language"] == "nb"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="nb">' in html
    assert "starter_kit.css" in html  # the print stylesheet (@page A4)
    assert '<meta name="robots" content="noindex">' in html
    with translation.override("nb"):
        for name in ("principles", "declaration", "practical"):
            first_line = str(DEFAULT_TEXTS[name]).splitlines()[0]
            assert first_line in html, name
    # The practical frame from the group itself, blank lines to sign.
    assert "Frivilligsentralen" in html
    assert "Gol" in html and "Kveld" in html
    assert html.count("<tr><td></td><td></td><td></td></tr>") == (
        page_a.group_max_size + 2
    )
    assert_no_names(html, group)


def test_the_kit_follows_the_pages_language_not_the_admins(client, superuser, nn_page):
    group = make_group(nn_page)
    nb, nn = Locale.objects.get(language_code="nb"), nn_page.locale
    StarterKitText.objects.create(
        locale=nb, principles="Bokmålsprinsipp frå redaktøren"
    )
    StarterKitText.objects.create(
        site=Site.objects.get(hostname="dalbygd.example.test"),
        locale=nn,
        principles="Me talar berre for oss sjølve (Dalbygd sin tekst)",
        declaration="Eg lovar å teie om det som vert sagt i gruppa.",
    )
    client.force_login(superuser)
    response = client.get(kit_url(group))
    html = response.content.decode()
    assert response["Content-Language"] == "nn"
    assert '<html lang="nn">' in html
    assert "Me talar berre for oss sjølve (Dalbygd sin tekst)" in html
    assert "Eg lovar å teie om det som vert sagt i gruppa." in html
    assert "Bokmålsprinsipp" not in html
    with translation.override("nn"):
        # An empty field keeps the package's words.
        assert str(DEFAULT_TEXTS["practical"]).splitlines()[0] in html
    assert_no_names(html, group)


def test_one_site_holds_a_text_in_bokmal_and_one_in_nynorsk(
    client, superuser, section, page_a
):
    site = Site.objects.get(is_default_site=True)
    nn, _created = Locale.objects.get_or_create(language_code="nn")
    nb = Locale.objects.get(language_code="nb")
    contact = ContactPointFactory(organisation="Fjellbygd frivilligsentral")
    StarterKitText.objects.create(
        site=site, locale=nb, principles="Bokmål: alle snakker for seg selv."
    )
    StarterKitText.objects.create(
        site=site,
        locale=nn,
        principles="Nynorsk: alle talar for seg sjølve.",
        contact_point=contact,
    )
    nn_page = make_registration_page(section, slug="nn-side", locale=nn)
    assert nn_page.get_site() == site

    client.force_login(superuser)
    nb_html = client.get(kit_url(make_group(page_a))).content.decode()
    nn_html = client.get(kit_url(make_group(nn_page))).content.decode()
    assert "Bokmål: alle snakker for seg selv." in nb_html
    assert "Nynorsk" not in nb_html
    assert "Nynorsk: alle talar for seg sjølve." in nn_html
    assert "Fjellbygd frivilligsentral" in nn_html
    assert "Fjellbygd frivilligsentral" not in nb_html


def test_a_sites_own_text_wins_over_the_text_for_every_site(section, page_a):
    site = Site.objects.get(is_default_site=True)
    nb = Locale.objects.get(language_code="nb")
    StarterKitText.objects.create(locale=nb, declaration="For alle nettsteder")
    StarterKitText.objects.create(site=site, locale=nb, declaration="For Fjellbygd")
    texts = StarterKitText.texts_for(site, nb)
    assert texts["declaration"] == "For Fjellbygd"
    other = Site.objects.create(
        hostname="annen.example.test", root_page=site.root_page, site_name="Annen"
    )
    assert StarterKitText.texts_for(other, nb)["declaration"] == "For alle nettsteder"


def test_the_kit_is_only_for_the_groups_coordinators(
    client, coordinator_b, editor, page_a, page_b, django_user_model
):
    group = make_group(page_a)
    client.force_login(coordinator_b)
    assert client.get(kit_url(group)).status_code == 404
    client.force_login(editor)
    response = client.get(kit_url(group))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.post(kit_url(group)).status_code == 302
    viewer = django_user_model.objects.create_user("a2", password="pw")
    viewer.groups.add(_coordinators("Koordinatorer A2", page_a))
    client.force_login(viewer)
    assert client.post(kit_url(group)).status_code == 405


def test_editors_write_the_kits_texts_in_the_snippet_editor(admin_client):
    listing = reverse("wagtailsnippets_wagtail_selvhjelp_starterkittext:list")
    assert admin_client.get(listing).status_code == 200
    add = reverse("wagtailsnippets_wagtail_selvhjelp_starterkittext:add")
    response = admin_client.get(add)
    assert response.status_code == 200
    assert 'name="principles"' in response.content.decode()
