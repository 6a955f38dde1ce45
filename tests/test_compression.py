"""Content pages are compressed; nothing that may hold a secret is (BREACH).

See docs/compression.md: a response is compressed only when it says a
shared cache may keep it, which the package's content pages do and pages
with a CSRF token, a personal link or the admin never do.
"""

import gzip

import pytest
from django.http import HttpResponse
from django.urls import reverse

from wagtail_selvhjelp.http import may_compress
from wagtail_selvhjelp.models.self_service import make_self_service_token

from .factories import (
    ContactDirectoryPageFactory,
    RegistrationFactory,
    SelfHelpInfoPageFactory,
    make_registration_page,
)


pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def test_content_pages_are_compressed_for_a_client_that_accepts_gzip(
    client, home_page, section
):
    article = SelfHelpInfoPageFactory(parent=section, title="Slik fungerer en gruppe")
    directory = ContactDirectoryPageFactory(parent=section)
    for page in (home_page, section, article, directory):
        response = client.get(page.url, **GZIP)
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip", page
        assert "Accept-Encoding" in response["Vary"]
        assert int(response["Content-Length"]) == len(response.content)
        html = gzip.decompress(response.content).decode()
        assert f"<h1>{page.title}</h1>" in html

    plain = client.get(article.url)
    assert not plain.has_header("Content-Encoding")
    assert "<h1>Slik fungerer en gruppe</h1>" in plain.content.decode()


def test_the_registration_form_with_its_csrf_token_is_not_compressed(client, section):
    page = make_registration_page(section)
    response = client.get(page.url, **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "csrfmiddlewaretoken" in response.content.decode()
    # Nor its answer to a post, nor the thank-you page.
    response = client.post(page.url, {}, **GZIP)
    assert not response.has_header("Content-Encoding")
    thank_you = client.get(page.url + page.reverse_subpage("thank_you"), **GZIP)
    assert thank_you.status_code == 200
    assert not thank_you.has_header("Content-Encoding")


def test_the_page_behind_a_personal_link_is_not_compressed(client, section):
    page = make_registration_page(section)
    registration = RegistrationFactory(page=page)
    link = page.url + page.reverse_subpage(
        "self_service", args=[make_self_service_token(registration)]
    )
    response = client.get(link, **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_the_admin_is_not_compressed(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"), **GZIP)
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")


def _response(cache_control="public, max-age=300", **headers):
    response = HttpResponse("x" * 500)
    if cache_control:
        response["Cache-Control"] = cache_control
    for name, value in headers.items():
        response[name] = value
    return response


def test_only_what_a_shared_cache_may_keep_may_be_compressed():
    assert may_compress(_response())
    assert may_compress(_response("max-age=300, PUBLIC"))
    assert not may_compress(_response(None))
    assert not may_compress(_response("max-age=300"))
    assert not may_compress(_response("private"))
    assert not may_compress(_response("public, no-store"))
    assert not may_compress(_response("public, private"))
    assert not may_compress(_response(Vary="Accept-Language, Cookie"))
    with_cookie = _response()
    with_cookie.set_cookie("csrftoken", "secret")
    assert not may_compress(with_cookie)
