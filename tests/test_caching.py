"""A shared cache may keep content pages, never a form or a personal page.

Through the example site's whole middleware stack (session, CSRF, CSP,
messages, compression): content pages answer ``Cache-Control: public,
max-age`` from their site's settings, set no cookie and do not vary by
cookie; every page with a form, a personal link or a signed-in editor's
user bar is private; and publishing a page or a contact point purges every
page that shows it, through Wagtail's frontend cache. See docs/caching.md.
"""

import re
from datetime import timedelta
from html import unescape
from io import StringIO
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.cache import get_max_age
from wagtail.models import Locale, Page, Site

from wagtail_selvhjelp.models import (
    AbstractGroupRegistrationPage,
    ContactDirectoryPage,
    ContactPoint,
    Offer,
    PublicCacheMixin,
    Registration,
    SelfHelpIndexContactPoint,
    SelfHelpIndexPage,
    SelfHelpInfoPage,
    SelfHelpSiteSettings,
)
from wagtail_selvhjelp.models.invitations import make_offer_token
from wagtail_selvhjelp.models.self_service import make_self_service_token

from . import frontend_cache_backend
from .factories import (
    ContactDirectoryPageFactory,
    ContactPointFactory,
    RegistrationFactory,
    SelfHelpIndexPageFactory,
    SelfHelpInfoPageFactory,
    make_group,
)


pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def directives(response):
    return {
        part.strip().split("=", 1)[0].lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }


def assert_shared(response, max_age=300):
    """Keepable by a shared cache, the same for everyone."""
    assert response.status_code == 200
    assert directives(response) == {"public", "max-age"}
    assert get_max_age(response) == max_age
    assert not response.cookies
    assert "cookie" not in response.get("Vary", "").lower()
    # The CSP header is kept with the page: it must hold no per-response nonce.
    policy = response.get("Content-Security-Policy", "")
    assert "script-src" in policy and "nonce-" not in policy


def assert_private(response):
    assert {"private", "no-store"} <= directives(response), response.get(
        "Cache-Control"
    )
    assert "public" not in directives(response)
    assert not response.has_header("Content-Encoding")  # BREACH: never compressed


def load_demo():
    call_command("selvhjelp_demo", stdout=StringIO())


def where(page):
    """The page's path, and what the test client needs to reach its site: the
    demo serves two municipalities, told apart by host name and port."""
    _site_id, root_url, path = page.get_url_parts()
    address = urlsplit(root_url)
    return path, {"HTTP_HOST": address.netloc, "SERVER_PORT": str(address.port or 80)}


# Headers ---------------------------------------------------------------------


def test_every_content_page_of_the_demo_and_every_list_it_links_may_be_shared(
    client, home_page
):
    load_demo()
    pages = [
        page
        for page in Page.objects.live().specific()
        if isinstance(page, PublicCacheMixin)
    ]
    assert {type(page) for page in pages} >= {
        SelfHelpIndexPage,
        SelfHelpInfoPage,
        ContactDirectoryPage,
        type(home_page),
    }
    for page in pages:
        # Every URL the purge names is a URL a shared cache may hold.
        for path in page.get_cached_paths():
            page_path, on_site = where(page)
            response = client.get(page_path + path.lstrip("/"), **on_site, **GZIP)
            assert_shared(response)
            assert response["Content-Encoding"] == "gzip", (page, path)


def test_every_form_and_personal_page_of_the_demo_is_private_and_not_stored(
    client, home_page
):
    load_demo()
    pages = [
        page
        for page in Page.objects.live().specific()
        if isinstance(page, AbstractGroupRegistrationPage)
    ]
    assert pages
    for page in pages:
        registration = Registration.objects.filter(page=page).first()
        registration = registration or RegistrationFactory(page=page)
        offer = Offer.objects.create(
            page=page,
            group=make_group(
                page, place=page.places.first().name, slot=page.time_slots.first().name
            ),
            registration=registration,
            deadline=timezone.now() + timedelta(days=7),
        )
        routes = {
            "form": "",
            "thank you": page.reverse_subpage("thank_you"),
            "thank you, e-mail": page.reverse_subpage("thank_you") + "?receipt=email",
            "thank you, phone": page.reverse_subpage("thank_you") + "?receipt=phone",
            "self-service": page.reverse_subpage(
                "self_service", args=[make_self_service_token(registration)]
            ),
            "offer": page.reverse_subpage("offer", args=[make_offer_token(offer)]),
            "unknown offer": page.reverse_subpage("offer", args=["x" * 40]),
            "follow-up": page.reverse_subpage("follow_up", args=["x" * 22]),
        }
        page_path, on_site = where(page)
        for name, route in routes.items():
            response = client.get(page_path + route, **on_site, **GZIP)
            assert response.status_code in {200, 404}, name
            assert_private(response)
        # The form's answer to a post, with its errors.
        assert_private(client.post(page_path, {}, **on_site, **GZIP))


def test_each_site_chooses_how_long_its_pages_are_kept(
    client, section, nn_site, settings
):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, nn_site.hostname]
    article = SelfHelpInfoPageFactory(parent=section)
    assert_shared(client.get(article.url))
    site = Site.objects.get(is_default_site=True)
    own = SelfHelpSiteSettings.objects.create(site=site, cache_max_age=60)
    assert_shared(client.get(article.url), max_age=60)
    own.cache_max_age = 0
    own.save()
    response = client.get(article.url)
    assert directives(response) == {"private"}
    assert not response.has_header("Content-Encoding")
    # Another municipality's choice is its own.
    SelfHelpSiteSettings.objects.create(site=nn_site, cache_max_age=900)
    other = nn_site.root_page.add_child(
        instance=SelfHelpIndexPage(title="Sjølvhjelp", slug="sjolvhjelp")
    )
    response = client.get(other.url, HTTP_HOST="dalbygd.example.test")
    assert_shared(response, max_age=900)


def test_an_administrator_sets_the_lifetime_up_to_a_day(admin_client, section):
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/wagtail_selvhjelp/selfhelpsitesettings/{site.pk}/"
    assert "cache_max_age" in admin_client.get(url).content.decode()
    assert (
        admin_client.post(
            url, {"cache_max_age": "600", "language_form": "neutral"}
        ).status_code
        == 302
    )
    assert SelfHelpSiteSettings.objects.get().get_cache_max_age() == 600
    response = admin_client.post(
        url, {"cache_max_age": "86401", "language_form": "neutral"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert SelfHelpSiteSettings.objects.get().cache_max_age == 600
    # Empty: the installation's default.
    assert (
        admin_client.post(
            url, {"cache_max_age": "", "language_form": "neutral"}
        ).status_code
        == 302
    )
    assert SelfHelpSiteSettings.objects.get().get_cache_max_age() == 300


def test_the_site_setting_reads_once_per_request(section, django_assert_num_queries):
    site = Site.objects.get(is_default_site=True)
    SelfHelpSiteSettings.objects.create(site=site, cache_max_age=120)
    request = RequestFactory().get(section.url)
    with django_assert_num_queries(1):
        assert section.get_cache_max_age(request) == 120
        assert section.get_cache_max_age(request) == 120


def test_a_signed_in_editor_gets_the_user_bar_on_a_private_page(
    client, admin_user, section
):
    article = SelfHelpInfoPageFactory(parent=section)
    anonymous = client.get(article.url)
    assert_shared(anonymous)
    assert "wagtail-userbar" not in anonymous.content.decode()
    client.force_login(admin_user)
    response = client.get(article.url)
    assert response.status_code == 200
    assert "wagtail-userbar" in response.content.decode()
    assert directives(response) == {"private"}
    assert "Cookie" in response["Vary"]


def test_a_page_that_uses_a_nonce_or_a_csrf_token_is_private(
    client, section, monkeypatch
):
    article = SelfHelpInfoPageFactory(parent=section)
    monkeypatch.setattr(SelfHelpInfoPage, "template", "testapp/page_with_nonce.html")
    response = client.get(article.url, **GZIP)
    assert "nonce-" in response["Content-Security-Policy"]
    assert directives(response) == {"private"}
    assert not response.has_header("Content-Encoding")
    monkeypatch.setattr(SelfHelpInfoPage, "template", "testapp/page_with_form.html")
    response = client.get(article.url, **GZIP)
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert directives(response) == {"private"}
    assert not response.has_header("Content-Encoding")


def test_a_session_cookie_or_an_error_keeps_a_page_private(section):
    request = RequestFactory().get(section.url)
    assert section.is_shareable(request, HttpResponse())
    assert not section.is_shareable(request, HttpResponse(status=404))
    request.COOKIES["sessionid"] = "anything"
    assert not section.is_shareable(request, HttpResponse())


# Purge on publish ------------------------------------------------------------


@pytest.fixture
def purged(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "test": {"BACKEND": "tests.frontend_cache_backend.RecordingBackend"}
    }
    frontend_cache_backend.PURGED.clear()
    yield frontend_cache_backend.PURGED
    frontend_cache_backend.PURGED.clear()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (Wagtail's purge task) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def publish(instance, on_commit):
    with on_commit():
        instance.save_revision().publish()


def test_publishing_an_article_purges_it_and_its_section(purged, on_commit, section):
    article = SelfHelpInfoPageFactory(parent=section)
    purged.clear()
    publish(article, on_commit)
    assert set(purged) == {article.full_url, section.full_url}


def test_publishing_a_section_purges_its_home_page_and_its_articles(
    purged, on_commit, home_page, section
):
    articles = [SelfHelpInfoPageFactory(parent=section) for _ in range(2)]
    directory = ContactDirectoryPageFactory(parent=section)
    purged.clear()
    publish(section, on_commit)
    expected = {section.full_url, home_page.full_url}
    expected |= {article.full_url for article in articles}
    assert set(purged) >= expected
    assert not [url for url in purged if url.startswith(directory.full_url)]


def test_unpublishing_or_deleting_a_page_purges_it_and_its_section(
    purged, on_commit, section
):
    article = SelfHelpInfoPageFactory(parent=section)
    purged.clear()
    with on_commit():
        article.unpublish()
    assert set(purged) == {article.full_url, section.full_url}

    other = SelfHelpInfoPageFactory(parent=section)
    url = other.full_url
    purged.clear()
    with on_commit():
        Page.objects.get(pk=other.pk).specific.delete()
    assert set(purged) == {url, section.full_url}


def test_moving_a_page_purges_the_sections_on_both_sides(purged, on_commit, section):
    article = SelfHelpInfoPageFactory(parent=section)
    other = SelfHelpIndexPageFactory(parent=section.get_parent())
    purged.clear()
    with on_commit():
        article.move(other, pos="last-child")
    # The old URL too: Wagtail's redirects app purges the path it redirects.
    assert set(purged) >= {section.full_url, other.full_url}


def test_a_long_section_purges_each_page_of_its_list(
    purged, on_commit, section, client, monkeypatch
):
    monkeypatch.setattr(SelfHelpIndexPage, "list_size", 2)
    section.card_count = 1
    section.save()
    articles = [SelfHelpInfoPageFactory(parent=section) for _ in range(4)]
    # One card, then three links: two list pages, and one that may empty.
    assert section.get_cached_paths() == ["/", "/?side=1", "/?side=2", "/?side=3"]
    html = client.get(section.url).content.decode()
    assert 'href="?side=2"' in html
    purged.clear()
    publish(articles[-1], on_commit)
    assert set(purged) == {
        articles[-1].full_url,
        section.full_url,
        *(f"{section.full_url}?side={number}" for number in (1, 2, 3)),
    }


def links_of(html):
    return {unescape(href) for href in re.findall(r'href="(\?[^"]*)"', html)}


def test_the_directory_purges_every_list_it_links_to(section, client, monkeypatch):
    monkeypatch.setattr(ContactDirectoryPage, "page_size", 2)
    directory = ContactDirectoryPageFactory(parent=section)
    for municipality in ("Gol", "Gol", "Gol", "Øvre Eiker", "Nord-Fron"):
        ContactPointFactory(municipality=municipality)
    paths = set(directory.get_cached_paths())
    # What the filter form sends, as a browser encodes it.
    assert "/?municipality=%C3%98vre+Eiker" in paths
    assert "/?municipality=" in paths
    seen = set()
    queue = [""]
    while queue:
        query = queue.pop()
        seen.add(query)
        response = client.get(directory.url + query)
        assert_shared(response)
        html = response.content.decode()
        # The filter form's choices, as a browser sends them, and the links.
        choices = {
            "?" + urlencode({"municipality": unescape(value)})
            for value in re.findall(r'<option value="([^"]*)"', html)
        }
        for link in choices | links_of(html):
            assert "/" + link in paths, link
            if link not in seen:
                queue.append(link)
    assert "?municipality=Gol&side=2" in seen


def test_changing_a_contact_point_purges_the_pages_that_show_it(
    purged, on_commit, section, nn_site
):
    directory = ContactDirectoryPageFactory(parent=section)
    second = SelfHelpIndexPageFactory(parent=section.get_parent())
    second_directory = ContactDirectoryPageFactory(parent=second)
    contact_point = ContactPointFactory(municipality="Gol")
    SelfHelpIndexContactPoint.objects.create(page=section, contact_point=contact_point)
    # A nynorsk municipality's directory lists nynorsk contact points only.
    nn_section = nn_site.root_page.add_child(
        instance=SelfHelpIndexPage(title="Sjølvhjelp", slug="sjolvhjelp")
    )
    nn_directory = nn_section.add_child(
        instance=ContactDirectoryPage(title="Kontaktpunkt", slug="kontakt")
    )
    assert nn_directory.locale == Locale.objects.get(language_code="nn")

    def purged_pages():
        return {url.split("?")[0] for url in purged}

    purged.clear()
    publish(contact_point, on_commit)
    expected = {directory.full_url, second_directory.full_url, section.full_url}
    assert purged_pages() == expected
    assert f"{directory.full_url}?municipality=Gol" in purged
    assert not [url for url in purged if "dalbygd" in url]

    purged.clear()
    with on_commit():
        contact_point.unpublish()
    assert purged_pages() == expected

    publish(contact_point, on_commit)
    purged.clear()
    with on_commit():
        ContactPoint.objects.get(pk=contact_point.pk).delete()
    assert purged_pages() == expected


def test_pages_are_purged_on_their_own_host_name(purged, on_commit, nn_site):
    nn_section = nn_site.root_page.add_child(
        instance=SelfHelpIndexPage(title="Sjølvhjelp", slug="sjolvhjelp")
    )
    article = nn_section.add_child(
        instance=SelfHelpInfoPage(title="Korleis ei gruppe fungerer", slug="gruppe")
    )
    purged.clear()
    publish(article, on_commit)
    assert set(purged) == {
        "http://dalbygd.example.test/sjolvhjelp/gruppe/",
        "http://dalbygd.example.test/sjolvhjelp/",
    }


def test_without_a_frontend_cache_nothing_is_sent(on_commit, section, settings):
    settings.WAGTAILFRONTENDCACHE = None
    frontend_cache_backend.PURGED.clear()
    publish(SelfHelpInfoPageFactory(parent=section), on_commit)
    assert frontend_cache_backend.PURGED == []


def test_a_page_and_its_translation_purge_each_other(
    purged, on_commit, section, nn_site
):
    article = SelfHelpInfoPageFactory(parent=section, slug="gruppe")
    nn_section = nn_site.root_page.add_child(
        instance=SelfHelpIndexPage(title="Sjølvhjelp", slug="sjolvhjelp")
    )
    translation = nn_section.add_child(
        instance=SelfHelpInfoPage(
            title="Korleis ei gruppe fungerer",
            slug="gruppe",
            translation_key=article.translation_key,
        )
    )
    assert translation.locale.language_code == "nn"
    purged.clear()
    publish(article, on_commit)
    assert set(purged) == {
        article.full_url,
        section.full_url,
        "http://dalbygd.example.test/sjolvhjelp/gruppe/",
    }
    purged.clear()
    publish(translation, on_commit)
    assert article.full_url in purged
