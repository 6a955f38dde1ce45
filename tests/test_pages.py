import json
import re

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from example_site.home.models import HomePage
from wagtail_selvhjelp.models import (
    ContactDirectoryPage,
    SelfHelpIndexContactPoint,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
)

from .factories import (
    ContactDirectoryPageFactory,
    ContactPointFactory,
    SelfHelpIndexPageFactory,
    SelfHelpInfoPageFactory,
)


class TestPageTreeRules(WagtailPageTestCase):
    def test_section_goes_under_an_ordinary_page(self):
        self.assertCanCreateAt(HomePage, SelfHelpIndexPage)
        self.assertCanCreateAt(Page, SelfHelpIndexPage)

    def test_articles_and_directory_only_inside_a_section(self):
        self.assertAllowedParentPageTypes(SelfHelpInfoPage, {SelfHelpIndexPage})
        self.assertAllowedParentPageTypes(ContactDirectoryPage, {SelfHelpIndexPage})
        self.assertCanNotCreateAt(HomePage, SelfHelpInfoPage)
        self.assertCanNotCreateAt(SelfHelpInfoPage, SelfHelpInfoPage)

    def test_leaf_pages_have_no_children(self):
        self.assertAllowedSubpageTypes(SelfHelpInfoPage, set())
        self.assertAllowedSubpageTypes(ContactDirectoryPage, set())

    def test_section_allows_its_own_page_types(self):
        self.assertCanCreateAt(SelfHelpIndexPage, SelfHelpInfoPage)
        self.assertCanCreateAt(SelfHelpIndexPage, ContactDirectoryPage)


@pytest.fixture
def section(home_page):
    return SelfHelpIndexPageFactory(parent=home_page, intro="<p>Velkommen</p>")


pytestmark = pytest.mark.django_db


def test_editor_builds_a_section_in_the_admin(admin_client, home_page):
    url = reverse(
        "wagtailadmin_pages:add",
        args=("wagtail_selvhjelp", "selfhelpindexpage", home_page.pk),
    )
    data = nested_form_data(
        {
            "title": "Selvhjelp",
            "slug": "selvhjelp",
            "intro": rich_text("<p>Om selvhjelp</p>"),
            "body": streamfield(
                [
                    (
                        "heading",
                        {"text": "Slik fungerer det", "level": "h2", "anchor": ""},
                    ),
                    (
                        "points",
                        {"heading": "", "points": streamfield([("item", "Gratis")])},
                    ),
                ]
            ),
            "card_count": "6",
            "contact_point_links": {
                "TOTAL_FORMS": 0,
                "INITIAL_FORMS": 0,
                "MIN_NUM_FORMS": 0,
                "MAX_NUM_FORMS": 1000,
            },
            "action-publish": "publish",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = SelfHelpIndexPage.objects.get(slug="selvhjelp")
    assert page.live
    assert page.body[0].block_type == "heading"
    public = admin_client.get(page.url)
    assert "Slik fungerer det" in public.content.decode()


def test_index_page_shows_cards_contact_points_and_no_drafts(client, section):
    SelfHelpInfoPageFactory(
        parent=section, title="Hva er selvhjelp?", intro="Kort om det."
    )
    SelfHelpInfoPageFactory(parent=section, title="Utkast", live=False)
    live_cp = ContactPointFactory(organisation="Synlig kontor")
    draft_cp = ContactPointFactory(organisation="Skjult kontor", live=False)
    for order, cp in enumerate([live_cp, draft_cp]):
        SelfHelpIndexContactPoint.objects.create(
            page=section, contact_point=cp, sort_order=order
        )
    response = client.get(section.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hva er selvhjelp?" in html
    assert "Kort om det." in html
    assert "Utkast" not in html
    assert "Synlig kontor" in html
    assert "Skjult kontor" not in html
    assert "Velkommen" in html


def test_content_pages_do_not_touch_session_or_csrf(client, section):
    # So that a page cache or CDN can serve them to everyone.
    ContactPointFactory()
    pages = [
        section,
        SelfHelpInfoPageFactory(parent=section),
        ContactDirectoryPageFactory(parent=section),
    ]
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200
        assert "Cookie" not in response.get("Vary", ""), page
        assert not response.cookies, page
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_info_page_renders_facts_and_back_link(client, section):
    page = SelfHelpInfoPageFactory(
        parent=section,
        title="Hvordan fungerer en gruppe?",
        facts=[
            ("fact", {"label": "Pris", "value": "Gratis"}),
            ("fact", {"label": "Henvisning", "value": "Ikke nødvendig"}),
        ],
    )
    html = client.get(page.url).content.decode()
    assert "<dt>Pris</dt><dd>Gratis</dd>" in html
    assert "Ikke nødvendig" in html
    assert f'href="{section.url}"' in html
    # One h1, then h2s: headings in order.
    assert html.count("<h1") == 1


@pytest.fixture
def directory(section):
    return ContactDirectoryPageFactory(parent=section, title="Kontakt oss")


def test_directory_groups_by_municipality_and_hides_drafts(client, directory):
    ContactPointFactory(organisation="Gol frisklivssentral", municipality="Gol")
    ContactPointFactory(organisation="Hol frivilligsentral", municipality="Hol")
    ContactPointFactory(organisation="Upublisert", municipality="Hol", live=False)
    html = client.get(directory.url).content.decode()
    assert "Gol frisklivssentral" in html
    assert "Hol frivilligsentral" in html
    assert "Upublisert" not in html
    assert html.index(">Gol</h2>") < html.index(">Hol</h2>")


def test_directory_shows_the_published_version_not_a_newer_draft(client, directory):
    cp = ContactPointFactory(organisation="Publisert navn")
    cp.save_revision().publish()
    cp.organisation = "Utkastnavn"
    cp.save_revision()
    html = client.get(directory.url).content.decode()
    assert "Publisert navn" in html
    assert "Utkastnavn" not in html


def test_directory_filter_without_javascript(client, directory):
    ContactPointFactory(organisation="Gol frisklivssentral", municipality="Gol")
    ContactPointFactory(organisation="Hol frivilligsentral", municipality="Hol")
    html = client.get(directory.url).content.decode()
    assert '<form class="selvhjelp-filter" method="get"' in html
    assert '<label for="selvhjelp-municipality">' in html
    filtered = client.get(directory.url, {"municipality": "Hol"}).content.decode()
    assert "Hol frivilligsentral" in filtered
    assert "Gol frisklivssentral" not in filtered
    assert '<option value="Hol" selected>' in filtered


def test_directory_filter_with_an_unknown_municipality_shows_all(client, directory):
    ContactPointFactory(organisation="Gol frisklivssentral", municipality="Gol")
    ContactPointFactory(organisation="Hol frivilligsentral", municipality="Hol")
    response = client.get(directory.url, {"municipality": "<b>Oslo</b>"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Gol frisklivssentral" in html and "Hol frivilligsentral" in html
    assert 'role="status"' in html
    assert "<b>Oslo</b>" not in html


def _json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "no JSON-LD"
    return json.loads(match.group(1))


def test_directory_json_ld_is_valid_schema_org(client, directory):
    ContactPointFactory(
        organisation="Gol frisklivssentral",
        municipality="Gol",
        phone="+4732123456",
        email="gol@example.test",
        website="https://gol.example.test/",
        role="Angst og depresjon",
    )
    data = _json_ld(client.get(directory.url).content.decode())
    assert data["@context"] == "https://schema.org"
    (organisation,) = data["@graph"]
    assert organisation["@type"] == "Organization"
    assert organisation["name"] == "Gol frisklivssentral"
    assert organisation["url"] == "https://gol.example.test/"
    contact = organisation["contactPoint"]
    assert contact == {
        "@type": "ContactPoint",
        "contactType": "Angst og depresjon",
        "telephone": "+4732123456",
        "email": "gol@example.test",
        "areaServed": "Gol",
        "availableLanguage": ["nb", "nn"],
    }


def test_json_ld_cannot_break_out_of_its_script_element(client, directory):
    ContactPointFactory(organisation="</script><script>alert(1)</script>")
    html = client.get(directory.url).content.decode()
    assert "<script>alert(1)" not in html
    assert _json_ld(html)["@graph"][0]["name"] == "</script><script>alert(1)</script>"


def test_empty_directory_says_so(client, directory):
    html = client.get(directory.url).content.decode()
    assert "application/ld+json" not in html
    assert "selvhjelp-contact" not in html


def _make_contact_points(section, count):
    for index in range(count):
        cp = ContactPointFactory(municipality=f"Kommune {index % 5}")
        SelfHelpIndexContactPoint.objects.create(
            page=section, contact_point=cp, sort_order=index
        )
        SelfHelpInfoPageFactory(parent=section)


@pytest.mark.parametrize("page_kind", ["index", "directory"])
def test_pages_use_a_constant_number_of_queries(
    client, section, directory, page_kind, django_assert_max_num_queries
):
    url = section.url if page_kind == "index" else directory.url
    _make_contact_points(section, 3)
    client.get(url)  # warm Wagtail's site and locale caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_selvhjelp import fragment_cache

    # Uncached (a new content generation each time), then cached.
    fragment_cache.new_generation()
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _make_contact_points(section, 27)
    fragment_cache.new_generation()
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    with CaptureQueriesContext(connection) as cached:
        assert client.get(url).status_code == 200
    assert len(cached) < len(large)
    with django_assert_max_num_queries(15):
        client.get(url)


def test_content_pages_may_be_kept_by_a_shared_cache(client, section, settings):
    from .factories import ContactDirectoryPageFactory, SelfHelpInfoPageFactory

    info = SelfHelpInfoPageFactory(parent=section)
    directory = ContactDirectoryPageFactory(parent=section)
    for page in (section, info, directory):
        response = client.get(page.url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=300", page
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
    settings.WAGTAIL_SELVHJELP = {"PUBLIC_CACHE_SECONDS": 0}
    assert "public" not in client.get(info.url)["Cache-Control"]


def test_a_restricted_page_is_not_shared(client, section):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=section, restriction_type="password", password="hemmelig"
    )
    response = client.get(section.url)
    assert "public" not in response.get("Cache-Control", "")


def test_directory_pages_many_contact_points_in_the_database(client, directory):
    for number in range(45):
        ContactPointFactory(municipality=f"Kommune {number % 3}", sort_order=number)
    first = client.get(directory.url)
    html = first.content.decode()
    assert "1–20" in html and "45" in html
    assert len(_json_ld(html)["@graph"]) == 20
    assert 'aria-current="page"' in html
    # The HTML stays the size of one page of contact points.
    for number in range(45, 200):
        ContactPointFactory(municipality=f"Kommune {number % 7}", sort_order=number)
    assert len(client.get(directory.url).content) < 1.5 * len(first.content)
    third = client.get(directory.url, {"side": "3"}).content.decode()
    assert len(_json_ld(third)["@graph"]) == 20
    # A page number that makes no sense shows the first or last page.
    assert client.get(directory.url, {"side": "x"}).status_code == 200
    assert client.get(directory.url, {"side": "99"}).status_code == 200
    # The filter runs in the database and pages too.
    one = client.get(directory.url, {"municipality": "Kommune 1"}).content.decode()
    assert len(_json_ld(one)["@graph"]) == 20  # of 37, on the first page
    assert "Kommune 2</h2>" not in one


def test_directory_queries_do_not_grow_with_the_data(client, directory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_selvhjelp import fragment_cache

    def queries():
        fragment_cache.new_generation()  # measure the uncached page
        with CaptureQueriesContext(connection) as captured:
            client.get(directory.url)
        return len(captured)

    for number in range(5):
        ContactPointFactory(municipality=f"Kommune {number}")
    queries()  # warm the site's caches
    few = queries()
    for number in range(60):
        ContactPointFactory(municipality=f"By {number}")
    assert queries() == few


def test_index_shows_a_few_cards_and_pages_through_the_rest(client, section):
    from .factories import SelfHelpInfoPageFactory

    section.card_count = 3
    section.save_revision().publish()
    titles = [f"Artikkel nummer {n:03d}" for n in range(40)]
    for title in titles:
        SelfHelpInfoPageFactory(parent=section, title=title)
    html = client.get(section.url).content.decode()
    assert html.count('class="selvhjelp-card"') == 3
    for title in titles[:33]:
        assert title in html
    assert titles[33] not in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    second = client.get(section.url, {"side": "2"}).content.decode()
    assert 'class="selvhjelp-card"' not in second
    assert all(title in second for title in titles[33:])
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get(section.url, {"side": "zz"}).status_code == 200


def test_index_queries_do_not_grow_with_the_section(client, section):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_selvhjelp import fragment_cache

    from .factories import SelfHelpInfoPageFactory

    def queries():
        fragment_cache.new_generation()  # measure the uncached page
        with CaptureQueriesContext(connection) as captured:
            client.get(section.url)
        return len(captured)

    for number in range(3):
        SelfHelpInfoPageFactory(parent=section, title=f"Få {number}")
    queries()
    few = queries()
    for number in range(50):
        SelfHelpInfoPageFactory(parent=section, title=f"Mange {number}")
    assert queries() == few


def test_cached_index_and_directory_follow_every_publish(client, section, directory):
    from .factories import SelfHelpInfoPageFactory

    client.get(section.url), client.get(directory.url)
    article = SelfHelpInfoPageFactory(parent=section, title="Helt ny artikkel")
    contact_point = ContactPointFactory(organisation="Helt nytt kontaktpunkt")
    assert "Helt ny artikkel" in client.get(section.url).content.decode()
    assert "Helt nytt kontaktpunkt" in client.get(directory.url).content.decode()
    article.unpublish()
    contact_point.unpublish()
    assert "Helt ny artikkel" not in client.get(section.url).content.decode()
    assert "Helt nytt kontaktpunkt" not in client.get(directory.url).content.decode()


def test_a_huge_page_number_on_the_index_is_the_first_page(client, section):
    response = client.get(section.url, {"side": "9" * 25})
    assert response.status_code == 200
