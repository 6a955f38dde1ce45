"""HTTP around the form: the methods each route answers, a form sent twice."""

import pytest
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.html import escape

from wagtail_selvhjelp.http import allow_methods
from wagtail_selvhjelp.models import GroupRegistrationPage, Registration
from wagtail_selvhjelp.models.pages import SelfHelpIndexContactPoint

from ..factories import ContactPointFactory, make_registration_page
from .helpers import token_from
from .test_form import valid_data


pytestmark = pytest.mark.django_db


def message(text):
    with translation.override("nb"):
        return escape(translation.gettext(text))


def allow(response):
    return {method.strip() for method in response["Allow"].split(",")}


# 3. Each route answers its own methods


@pytest.mark.parametrize("method", ["put", "patch", "delete", "trace"])
def test_the_form_refuses_other_methods(client, page, method):
    token = token_from(client.get(page.url))
    response = getattr(client, method)(
        page.url, "&".join(f"{k}=x" for k in valid_data(page, token))
    )
    assert response.status_code == 405
    assert allow(response) == {"GET", "POST", "HEAD", "OPTIONS"}
    assert Registration.objects.count() == 0


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_thank_you_page_answers_get_and_head_only(client, page, method):
    response = getattr(client, method)(page.url + "takk/")
    assert response.status_code == 405
    assert allow(response) == {"GET", "HEAD", "OPTIONS"}


def test_get_head_and_options_are_answered_as_django_does(client, page):
    for url, methods in [
        (page.url, {"GET", "POST", "HEAD", "OPTIONS"}),
        (page.url + "takk/", {"GET", "HEAD", "OPTIONS"}),
    ]:
        assert client.get(url).status_code == 200
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        options = client.options(url)
        assert options.status_code == 200
        assert allow(options) == methods
        assert options.content == b"" and options["Content-Length"] == "0"


def test_a_closed_page_refuses_other_methods_too(client, section):
    today = timezone.localdate()
    page = make_registration_page(section, closes_on=today - timezone.timedelta(1))
    assert client.put(page.url).status_code == 405
    assert client.post(page.url, {"name": "X"}).status_code == 200


def test_a_route_declares_its_methods(rf, page):
    """What Wagtail's before_serve_page hook asks the page, with the route."""

    @allow_methods("GET")
    def only_get(request):
        return HttpResponse("ok")

    def undeclared(request):
        return HttpResponse("ok")

    def check(method, view):
        request = getattr(rf, method)(page.url)
        return page.check_request_method(request, (view, (), {}), {})

    refused = check("post", only_get)
    assert refused.status_code == 405
    assert allow(refused) == {"GET", "HEAD", "OPTIONS"}
    assert check("head", only_get) is None
    assert check("get", only_get) is None
    assert check("post", undeclared) is None
    assert check("delete", undeclared).status_code == 405
    options = page.handle_options_request(rf.options(page.url), (only_get, (), {}), {})
    assert allow(options) == {"GET", "HEAD", "OPTIONS"}


# 2. A form sent twice


def first_registration(client, page):
    token = token_from(client.get(page.url))
    assert client.post(page.url, valid_data(page, token)).status_code == 303
    return token


def assert_first_registration_stands(response, page):
    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert (
        message(
            "We had already received this form, so your first registration "
            "stands. The answers you just sent were not saved."
        )
        in html
    )
    # Neither the first answers nor the new ones are shown back.
    for private in [
        "Kari",
        "Nordmann",
        "kari@example.test",
        "Ola",
        "Trinnfri",
        "slitt med angst",
        "Petter",
        "petter@example.test",
        "1980",
        "1975",
    ]:
        assert private not in html, private
    assert "form_token" not in html
    registration = Registration.objects.get()
    assert registration.name == "Kari Nordmann"
    assert registration.email == "kari@example.test"
    return html


def test_the_same_answers_again_get_the_thank_you_page(client, page):
    token = first_registration(client, page)
    again = client.post(page.url, valid_data(page, token))
    assert again.status_code == 303
    assert again["Location"] == page.url + "takk/?receipt=email"
    assert Registration.objects.count() == 1


def test_other_answers_with_a_used_form_are_told_the_first_one_stands(
    client, page, section
):
    contact = ContactPointFactory(
        organisation="Gol frisklivssentral", contact_person="Anne Testperson"
    )
    SelfHelpIndexContactPoint.objects.create(page=section, contact_point=contact)
    token = first_registration(client, page)
    response = client.post(
        page.url,
        valid_data(
            page,
            token,
            name="Petter Nordmann",
            email="petter@example.test",
            birth_year="1975",
        ),
    )
    html = assert_first_registration_stands(response, page)
    assert (
        message(
            "To change your registration, get in touch with the coordinator "
            "through one of the contact points below."
        )
        in html
    )
    assert "Gol frisklivssentral" in html
    assert contact.email in html


def test_changing_only_a_choice_counts_as_other_answers(client, page):
    token = first_registration(client, page)
    response = client.post(
        page.url,
        valid_data(page, token, places=[str(page.places.get(name="Hol").pk)]),
    )
    assert_first_registration_stands(response, page)
    assert [p.name for p in Registration.objects.get().places.all()] == ["Gol"]


def test_without_contact_points_the_coordinator_is_named(client, page):
    token = first_registration(client, page)
    response = client.post(page.url, valid_data(page, token, message="Endret."))
    html = assert_first_registration_stands(response, page)
    assert (
        message(
            "To change your registration, get in touch with the self-help "
            "coordinator in your municipality."
        )
        in html
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "", "email": "ikke-en-epost"},  # invalid: no form to fix
        {"birth_year": str(timezone.localdate().year - 15)},  # not "not stored"
    ],
)
def test_a_used_form_gets_the_same_answer_whatever_is_sent(client, page, overrides):
    token = first_registration(client, page)
    response = client.post(page.url, valid_data(page, token, **overrides))
    assert_first_registration_stands(response, page)


@pytest.mark.parametrize(("changed", "status"), [(False, 303), (True, 200)])
def test_a_used_form_is_told_apart_as_it_is_stored(
    client, page, monkeypatch, changed, status
):
    """The token's unique column tells: a first sending looks for nothing.

    The same holds for two requests racing with one form: the database
    lets one in, and the other is answered from the one stored.
    """
    real = GroupRegistrationPage.get_registration_by_token
    calls = []

    def spy(self, nonce):
        calls.append(nonce)
        return real(self, nonce)

    monkeypatch.setattr(GroupRegistrationPage, "get_registration_by_token", spy)
    token = first_registration(client, page)
    assert calls == []
    overrides = {"name": "Petter Nordmann"} if changed else {}
    response = client.post(page.url, valid_data(page, token, **overrides))
    assert len(calls) == 1
    assert response.status_code == status
    if changed:
        assert_first_registration_stands(response, page)
    assert Registration.objects.count() == 1


def test_fixing_a_mistake_quickly_is_not_taken_for_a_bot(
    client, page, settings, monkeypatch
):
    """The form sent back with errors keeps the time it was first opened."""
    import time

    settings.WAGTAIL_SELVHJELP = {"MINIMUM_FILL_SECONDS": 3}
    opened = time.time() - 60
    monkeypatch.setattr(time, "time", lambda: opened)
    token = token_from(client.get(page.url))
    monkeypatch.undo()
    mistake = client.post(page.url, valid_data(page, token, places=[]))
    assert mistake.status_code == 200
    assert token_from(mistake) == token
    # Ticked at once and sent again, well within three seconds:
    fixed = client.post(page.url, valid_data(page, token_from(mistake)))
    assert fixed.status_code == 303
    assert Registration.objects.count() == 1
