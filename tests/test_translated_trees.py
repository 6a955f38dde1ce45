"""A municipality's trees in bokmål and nynorsk, as search engines and
readers reach them: the notice for a page missing in the requested written
standard, one canonical address per page, the ``hreflang`` pairs, the
description and ``lang`` in the site's standard, and a contact point's
translation that stays where the original is shown.

The example site's translated trees (``/nn/``) are turned on per test by the
``example_i18n`` fixture of tests/test_written_standards.py.
"""

import re
from unittest import mock

import pytest
from django.http import Http404
from django.utils import translation
from wagtail.models import Locale, Page

from wagtail_selvhjelp.models import ContactPoint, SelfHelpSiteSettings
from wagtail_selvhjelp.models.languages import standard_name

from . import test_written_standards as standards
from .factories import (
    ContactPointFactory,
    SelfHelpIndexPageFactory,
    SelfHelpInfoPageFactory,
)
from .test_written_standards import alternates, host_of


pytestmark = pytest.mark.django_db

# The fixtures of the written standards' tests: the example's /nn/ URLs,
# a neutral site's two trees, and the nynorsk site's host name.
example_i18n = standards.example_i18n
two_trees = standards.two_trees
_nynorsk_host_and_quick_forms = standards._nynorsk_host_and_quick_forms


def in_language(code, text, **values):
    """``text`` as the catalogue of ``code`` gives it."""
    with translation.override(code):
        translated = translation.gettext(text)
        return translated % {
            name: standard_name(value) for name, value in values.items()
        }


def canonical(html_text):
    return re.findall(r'<link rel="canonical" href="([^"]+)">', html_text)


def heading(html_text):
    return re.search(r"<h1>(.*?)</h1>", html_text, re.DOTALL).group(1).strip()


# The notice for a page missing in one standard


def test_a_page_only_in_bokmal_asked_for_in_nynorsk_gets_a_notice(client, two_trees):
    _info, _info_nn, directory, section_nn = two_trees
    response = client.get(f"/nn/{section_nn.slug}/{directory.slug}/")
    # Not a page at that address, so no "soft 404" for search engines.
    assert response.status_code == 404
    assert response["Content-Language"] == "nn"
    html_text = response.content.decode()
    assert '<html lang="nn">' in html_text
    assert heading(html_text) == in_language(
        "nn", "This page is not available in %(language)s.", language="nn"
    )
    assert (
        f'<a href="{directory.url}" hreflang="nb" lang="nb">{directory.title}</a>'
        in html_text
    )


def test_the_notice_follows_a_translated_section_whose_slug_differs(client, two_trees):
    """The deepest page found in the requested tree leads, by its
    translation key, to the other tree: slugs may differ up to there."""
    _info, _info_nn, directory, section_nn = two_trees
    section_nn.slug = "sjolvhjelp"
    section_nn.save_revision().publish()
    response = client.get(f"/nn/sjolvhjelp/{directory.slug}/")
    assert response.status_code == 404
    assert f'<a href="{directory.url}" hreflang="nb"' in response.content.decode()


def test_a_page_only_in_nynorsk_asked_for_in_bokmal_gets_a_notice(client, two_trees):
    *_, section_nn = two_trees
    # Fresh from the database: its translated article is a child since.
    section_nn = Page.objects.get(pk=section_nn.pk).specific
    only_nn = SelfHelpInfoPageFactory(
        parent=section_nn, title="Berre på nynorsk", slug="berre-nynorsk"
    )
    section = section_nn.get_translation(Locale.objects.get(language_code="nb"))
    response = client.get(f"/{section.slug}/berre-nynorsk/")
    assert response.status_code == 404
    assert response["Content-Language"] == "nb"
    html_text = response.content.decode()
    assert '<html lang="nb">' in html_text
    assert heading(html_text) == in_language(
        "nb", "This page is not available in %(language)s.", language="nb"
    )
    assert only_nn.url.startswith("/nn/")
    assert f'<a href="{only_nn.url}" hreflang="nn" lang="nn">' in html_text


def test_a_page_in_neither_tree_is_a_plain_404(client, two_trees):
    *_, section_nn = two_trees
    response = client.get(f"/nn/{section_nn.slug}/finst-ikkje/")
    assert response.status_code == 404
    assert "hreflang" not in response.content.decode()


def test_a_draft_or_private_page_is_never_offered(client, two_trees):
    from wagtail.models import PageViewRestriction

    _info, _info_nn, directory, section_nn = two_trees
    PageViewRestriction.objects.create(
        page=directory, restriction_type="password", password="hemmeleg"
    )
    response = client.get(f"/nn/{section_nn.slug}/{directory.slug}/")
    assert response.status_code == 404
    assert directory.url not in response.content.decode()
    PageViewRestriction.objects.all().delete()
    directory.unpublish()
    response = client.get(f"/nn/{section_nn.slug}/{directory.slug}/")
    assert response.status_code == 404
    assert directory.url not in response.content.decode()


def test_another_sites_page_is_never_offered(client, example_i18n, home_page, nn_site):
    """Even where another municipality's root is (wrongly) a translation of
    this site's root, the notice stays within the site asked for."""
    nn_root = nn_site.root_page
    Page.objects.filter(pk=nn_root.pk).update(translation_key=home_page.translation_key)
    theirs = SelfHelpInfoPageFactory(parent=nn_root, title="Dalbygd", slug="dalbygd")
    response = client.get("/dalbygd/")
    assert response.status_code == 404
    html_text = response.content.decode()
    assert "dalbygd.example.test" not in html_text
    assert theirs.title not in html_text


def test_without_translated_trees_a_404_stays_a_404(client, section):
    response = client.get(f"/{section.slug}/finst-ikkje/")
    assert response.status_code == 404


# One canonical address per page


@pytest.fixture
def nynorsk_only(example_i18n, nn_site):
    """A nynorsk municipality (Lauvdal in the demo): one tree, in nynorsk."""
    SelfHelpSiteSettings.objects.create(site=nn_site, language_form="nn")
    section = SelfHelpIndexPageFactory(
        parent=nn_site.root_page, title="Sjølvhjelp", slug="sjolvhjelp"
    )
    info = SelfHelpInfoPageFactory(parent=section, title="Om", slug="om")
    return nn_site, section, info


def test_a_nynorsk_sites_page_has_one_address(client, nynorsk_only):
    site, section, info = nynorsk_only
    response = client.get("/sjolvhjelp/om/?side=2", **host_of(site))
    assert response.status_code == 301
    assert response["Location"] == "/nn/sjolvhjelp/om/?side=2"
    response = client.get("/nn/sjolvhjelp/om/", **host_of(site))
    assert response.status_code == 200
    html_text = response.content.decode()
    assert canonical(html_text) == [info.full_url]
    assert info.full_url == "http://dalbygd.example.test/nn/sjolvhjelp/om/"
    assert '<html lang="nn">' in html_text
    # Any page of the site, its root too.
    home = client.get("/", **host_of(site))
    assert (home.status_code, home["Location"]) == (301, "/nn/")


def test_a_form_sent_to_the_other_address_is_not_redirected(client, nynorsk_only):
    site, section, _info = nynorsk_only
    response = client.post("/sjolvhjelp/", {}, **host_of(site))
    assert response.status_code != 301


def test_a_bokmal_page_keeps_its_address_without_prefix(client, two_trees, home_page):
    info, info_nn, *_ = two_trees
    # The example site's home page (its own page type) names itself too.
    home = client.get("/")
    assert home.status_code == 200
    assert canonical(home.content.decode()) == [home_page.full_url]
    response = client.get(info.url)
    assert response.status_code == 200
    assert canonical(response.content.decode()) == [info.full_url]
    response = client.get(info_nn.url)
    assert canonical(response.content.decode()) == [info_nn.full_url]


def test_the_canonical_and_hreflang_links_agree(client, two_trees):
    info, info_nn, *_ = two_trees
    for page in (info, info_nn):
        html_text = client.get(page.url).content.decode()
        links = alternates(html_text)
        assert links == {
            "nb": info.full_url,
            "nn": info_nn.full_url,
            "x-default": info.full_url,
        }
        # Each page's own alternate is its canonical address.
        assert canonical(html_text) == [links[page.locale.language_code]]


def test_one_address_without_translated_trees_too(client, section):
    html_text = client.get(section.url).content.decode()
    assert canonical(html_text) == [section.full_url]


# The description and lang in the site's standard


def test_a_bokmal_site_over_a_nynorsk_tree_describes_its_pages_in_bokmal(
    client, nn_site
):
    SelfHelpSiteSettings.objects.create(site=nn_site, language_form="nb")
    section = SelfHelpIndexPageFactory(parent=nn_site.root_page, title="Selvhjelp")
    assert section.locale.language_code == "nn"
    html_text = client.get(section.url, **host_of(nn_site)).content.decode()
    assert '<html lang="nb">' in html_text
    with translation.override("nb"):
        expected = str(type(section).default_description)
    with translation.override("nn"):
        assert str(type(section).default_description) != expected
    description = re.search(r'<meta name="description" content="([^"]*)">', html_text)
    assert description.group(1) == expected.replace("'", "&#x27;")


# A contact point's translation


@pytest.mark.usefixtures("english")
def test_a_translated_contact_point_keeps_its_site_sharing_and_links(
    home_page, nn_site
):
    site = home_page.get_site()
    original = ContactPointFactory(
        site=site, website="https://fjellbygd.example.test/selvhjelp"
    )
    original.shared_with_sites.set([nn_site])
    nynorsk, _created = Locale.objects.get_or_create(language_code="nn")
    translated = original.copy_for_translation(nynorsk)
    translated.save()
    translated = ContactPoint.objects.get(pk=translated.pk)
    assert translated.locale == nynorsk
    assert translated.translation_key == original.translation_key
    assert translated.site == site
    assert list(translated.shared_with_sites.all()) == [nn_site]
    assert (translated.email, translated.phone, translated.website) == (
        original.email,
        original.phone,
        original.website,
    )
    # Shown where the original is: its own site and the one it is shared with.
    assert ContactPoint.objects.for_site(nn_site).filter(pk=translated.pk).exists()
    # Saved again, it keeps what an editor chose since.
    translated.shared_with_sites.clear()
    translated.save()
    assert not translated.shared_with_sites.exists()


def test_a_translated_section_links_the_contact_points_translations(home_page):
    from wagtail_selvhjelp.models import SelfHelpIndexContactPoint

    nynorsk, _created = Locale.objects.get_or_create(language_code="nn")
    site = home_page.get_site()
    translated_one = ContactPointFactory(site=site, organisation="Frisklivssentralen")
    untranslated = ContactPointFactory(site=site, organisation="Legevakta")
    translated_one_nn = translated_one.copy_for_translation(nynorsk)
    translated_one_nn.organisation = "Frisklivssentralen (nynorsk)"
    translated_one_nn.save()
    section = SelfHelpIndexPageFactory(parent=home_page)
    for order, contact_point in enumerate((translated_one, untranslated)):
        SelfHelpIndexContactPoint.objects.create(
            page=section, contact_point=contact_point, sort_order=order
        )
    section.save_revision().publish()
    home_page.copy_for_translation(nynorsk).save_revision().publish()

    section_nn = section.copy_for_translation(nynorsk)

    linked = [
        link.contact_point_id
        for link in SelfHelpIndexContactPoint.objects.filter(page=section_nn)
    ]
    assert linked == [translated_one_nn.pk, untranslated.pk]
    draft = section_nn.get_latest_revision_as_object()
    assert [link.contact_point_id for link in draft.contact_point_links.all()] == (
        linked
    )
    # The original keeps its own.
    assert [link.contact_point_id for link in section.contact_point_links.all()] == [
        translated_one.pk,
        untranslated.pk,
    ]


def test_a_404_from_the_page_itself_stays_a_404(client, two_trees):
    """A page Wagtail found in the requested tree that answers 404 itself
    (a wrong link on a registration page's route) gets no notice about the
    other standard, though the same path exists there."""
    _info, info_nn, *_ = two_trees
    with mock.patch.object(type(info_nn), "serve", side_effect=Http404):
        response = client.get(info_nn.url)
    assert response.status_code == 404
    assert "hreflang" not in response.content.decode()


def test_an_editor_translates_a_section_and_a_contact_point_in_the_admin(
    client, admin_user, home_page, nn_site
):
    """Through Wagtail's "Translate" (simple_translation, in the example
    site): the contact point's translation keeps its site and sharing, and
    the section's translation links it."""
    from django.urls import reverse

    from wagtail_selvhjelp.models import SelfHelpIndexContactPoint

    nynorsk, _created = Locale.objects.get_or_create(language_code="nn")
    site = home_page.get_site()
    contact_point = ContactPointFactory(site=site, organisation="Frisklivssentralen")
    contact_point.shared_with_sites.add(nn_site)
    section = SelfHelpIndexPageFactory(parent=home_page)
    SelfHelpIndexContactPoint.objects.create(
        page=section, contact_point=contact_point, sort_order=0
    )
    section.save_revision().publish()
    home_page.copy_for_translation(nynorsk).save_revision().publish()
    client.force_login(admin_user)

    response = client.post(
        reverse(
            "simple_translation:submit_snippet_translation",
            args=["wagtail_selvhjelp", "contactpoint", contact_point.pk],
        ),
        {"locales": [nynorsk.pk]},
    )
    assert response.status_code == 302
    contact_point_nn = ContactPoint.objects.get(
        translation_key=contact_point.translation_key, locale=nynorsk
    )
    assert contact_point_nn.site == site
    assert list(contact_point_nn.shared_with_sites.all()) == [nn_site]

    response = client.post(
        reverse("simple_translation:submit_page_translation", args=[section.pk]),
        {"locales": [nynorsk.pk], "include_subtree": True},
    )
    assert response.status_code == 302
    section_nn = section.get_translation(nynorsk)
    assert [
        link.contact_point_id
        for link in SelfHelpIndexContactPoint.objects.filter(page=section_nn)
    ] == [contact_point_nn.pk]
