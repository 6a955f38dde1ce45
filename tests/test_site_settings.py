"""Per-site settings: one set of names per municipality, read cheaply."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from wagtail.models import Page, Site

from wagtail_selvhjelp.models import SelfHelpSiteSettings

from .factories import make_registration_page


pytestmark = pytest.mark.django_db


def test_a_site_without_settings_falls_back_to_the_installation(section, settings):
    page = make_registration_page(section)
    found = SelfHelpSiteSettings.for_page(page)
    assert found.pk is None  # reading never writes a row
    assert found.site_id == Site.objects.get(is_default_site=True).pk
    assert found.get_from_email() == settings.DEFAULT_FROM_EMAIL
    settings.WAGTAIL_SELVHJELP = {"FROM_EMAIL": "Selvhjelp <post@example.test>"}
    assert found.get_from_email() == "Selvhjelp <post@example.test>"
    assert not SelfHelpSiteSettings.objects.exists()


def test_the_sender_takes_what_the_site_filled_in(home_page, settings):
    site = Site.objects.get(is_default_site=True)
    own = SelfHelpSiteSettings.objects.create(
        site=site, email_sender_name="Fjellbygd kommune, selvhjelp"
    )
    # A name with a comma is quoted; the installation's address is kept.
    assert own.get_from_email() == (
        '"Fjellbygd kommune, selvhjelp" <selvhjelp@example.test>'
    )
    own.email_sender_address = "selvhjelp@fjellbygd.example.test"
    own.email_sender_name = ""
    settings.WAGTAIL_SELVHJELP = {"FROM_EMAIL": "Selvhjelp <post@example.test>"}
    assert own.get_from_email() == "Selvhjelp <selvhjelp@fjellbygd.example.test>"


def test_each_page_gets_its_own_sites_settings(section, nn_site):
    page = make_registration_page(section)
    mine = SelfHelpSiteSettings.objects.create(
        site=Site.objects.get(is_default_site=True), controller_name="Fjellbygd"
    )
    SelfHelpSiteSettings.objects.create(site=nn_site, controller_name="Dalbygd")
    other_page = nn_site.root_page.add_child(
        instance=Page(title="Selvhjelp", slug="selvhjelp")
    )
    assert SelfHelpSiteSettings.for_page(page) == mine
    assert SelfHelpSiteSettings.for_page(other_page).controller_name == "Dalbygd"
    outside = Page.get_first_root_node()  # belongs to no site
    assert SelfHelpSiteSettings.for_page(outside).site_id is None


def test_reading_costs_one_query_and_none_again_in_the_same_request(
    section, django_assert_num_queries
):
    page = make_registration_page(section)
    SelfHelpSiteSettings.objects.create(site=Site.objects.get(is_default_site=True))
    request = RequestFactory().get(page.url)
    page.get_url_parts(request)  # Wagtail's site root paths, as serving reads them
    with django_assert_num_queries(1):
        first = SelfHelpSiteSettings.for_page(page, request)
    with django_assert_num_queries(0):
        assert SelfHelpSiteSettings.for_page(page, request) is first


def test_reading_shares_what_wagtail_read_for_the_request(
    section, django_assert_num_queries
):
    page = make_registration_page(section)
    request = RequestFactory().get(page.url, HTTP_HOST="localhost")
    page.get_url_parts(request)
    read_by_wagtail = SelfHelpSiteSettings.for_request(request)
    with django_assert_num_queries(0):
        assert SelfHelpSiteSettings.for_page(page, request) is read_by_wagtail


@pytest.mark.parametrize("sender", ["Gol kommune", "Ål-kommune", "Selvhjelp"])
def test_an_sms_sender_in_the_gsm_alphabet_fits(home_page, sender):
    SelfHelpSiteSettings(
        site=Site.objects.get(is_default_site=True), sms_sender=sender
    ).full_clean()


@pytest.mark.parametrize(
    "sender, code",
    [
        ("Fjellbygd kom", "max_length"),
        ("Gol™", "sms_alphabet"),
        ("Gol\nHol", "sms_alphabet"),
    ],
)
def test_an_sms_sender_gateways_cannot_carry_is_refused(home_page, sender, code):
    with pytest.raises(ValidationError) as refused:
        SelfHelpSiteSettings(
            site=Site.objects.get(is_default_site=True), sms_sender=sender
        ).full_clean()
    assert [error.code for error in refused.value.error_dict["sms_sender"]] == [code]
