"""A new registration page's default texts are in its own language, for its site.

A nynorsk municipality's page gets the nynorsk privacy notice and consent
wording even when the editor's admin (or the code creating it) speaks
bokmål, and the other way round; the notice names the controller and the
data-protection officer from the site's settings where they are filled in.
"""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.models import Site
from wagtail.users.models import UserProfile

from wagtail_selvhjelp.models import (
    GroupRegistrationPage,
    RegistrationPlace,
    RegistrationTimeSlot,
    SelfHelpSiteSettings,
)
from wagtail_selvhjelp.page_forms import has_fill_ins

from .factories import SelfHelpIndexPageFactory


pytestmark = pytest.mark.django_db

NYNORSK = ("personvernombodet", "Eg samtykkjer til at kommunen lagrar")
BOKMAL = ("personvernombudet", "Jeg samtykker til at kommunen lagrer")


@pytest.fixture
def nn_section(nn_site):
    return SelfHelpIndexPageFactory(parent=nn_site.root_page, title="Sjølvhjelp")


def new_page(parent, **fields):
    """A registration page saved with the texts its fields default to."""
    page = GroupRegistrationPage(title="Meld deg på", slug="meld-deg-pa", **fields)
    page.places = [RegistrationPlace(name="Gol")]
    page.time_slots = [RegistrationTimeSlot(name="Kveld")]
    parent.add_child(instance=page)
    return GroupRegistrationPage.objects.get(pk=page.pk)


def texts(page):
    return strip_tags(page.privacy_notice) + "\n" + page.consent_text


@pytest.mark.parametrize("active", ["nb", "nn", "en"])
def test_a_nynorsk_page_gets_nynorsk_defaults(nn_section, active):
    with translation.override(active):
        page = new_page(nn_section)
    assert page.locale.language_code == "nn"
    assert all(words in texts(page) for words in NYNORSK)
    assert page.consent_version.text == page.consent_text


@pytest.mark.parametrize("active", ["nb", "nn", "en"])
def test_a_bokmal_page_gets_bokmal_defaults(section, active):
    with translation.override(active):
        page = new_page(section)
    assert all(words in texts(page) for words in BOKMAL)
    assert not any(words in texts(page) for words in NYNORSK)


def test_texts_given_are_kept(nn_section):
    page = new_page(
        nn_section, privacy_notice="<p>Vår eigen tekst.</p>", consent_text="Ja."
    )
    assert page.privacy_notice == "<p>Vår eigen tekst.</p>"
    assert page.consent_text == "Ja."


def test_the_notice_names_the_sites_controller_and_officer(nn_site, nn_section):
    SelfHelpSiteSettings.objects.create(
        site=nn_site,
        controller_name="Dalbygd kommune, Kyrkjevegen 1, org.nr. 987 654 321",
        dpo_name="Siri Vern & co",
        dpo_contact="personvern@dalbygd.example.test",
    )
    page = new_page(nn_section)
    notice = page.privacy_notice
    assert "Dalbygd kommune, Kyrkjevegen 1, org.nr. 987 654 321" in notice
    assert "Siri Vern &amp; co" in notice  # escaped: the notice is HTML
    assert "personvern@dalbygd.example.test" in notice
    assert not has_fill_ins(strip_tags(notice))  # ready to publish


def test_what_the_site_left_empty_stays_to_fill_in(section, home_page):
    SelfHelpSiteSettings.objects.create(
        site=Site.objects.get(root_page=home_page), controller_name="Fjellbygd"
    )
    notice = strip_tags(new_page(section).privacy_notice)
    assert "Fjellbygd er ansvarlig for opplysningene" in notice
    assert has_fill_ins(notice)  # the officer's address is still missing


def test_only_a_new_page_follows_later_changes_of_the_settings(section, home_page):
    page = new_page(section)
    SelfHelpSiteSettings.objects.create(
        site=Site.objects.get(root_page=home_page), controller_name="Fjellbygd"
    )
    before = page.privacy_notice
    page.save()
    page.save_revision().publish()  # a revision's page is built anew
    assert GroupRegistrationPage.objects.get(pk=page.pk).privacy_notice == before


def _editor(django_user_model, language):
    user = django_user_model.objects.create_superuser("redaktor", password="pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


def _create_form(client, parent):
    url = reverse(
        "wagtailadmin_pages:add",
        args=("wagtail_selvhjelp", "groupregistrationpage", parent.pk),
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "editor_language, section_name, expected, other",
    [("nb", "nn_section", NYNORSK, BOKMAL), ("nn", "section", BOKMAL, NYNORSK)],
)
def test_an_editor_creating_a_page_sees_the_defaults_in_its_language(
    client, django_user_model, request, editor_language, section_name, expected, other
):
    client.force_login(_editor(django_user_model, editor_language))
    html = _create_form(client, request.getfixturevalue(section_name))
    assert all(words in html for words in expected)
    assert not any(words in html for words in other)
