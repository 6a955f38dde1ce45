"""The registrant's self-service page, reached from the receipt e-mail."""

import re
import time

import pytest
from django.core import mail, signing

from wagtail_selvhjelp.models import (
    Registration,
    RegistrationStatistic,
    SelfHelpGroup,
    SelfHelpLogEntry,
)
from wagtail_selvhjelp.models.self_service import (
    make_self_service_token,
    read_self_service_token,
)
from wagtail_selvhjelp.tasks import send_receipt

from .factories import RegistrationFactory, make_registration_page


pytestmark = pytest.mark.django_db


@pytest.fixture
def page(section):
    return make_registration_page(section)


@pytest.fixture
def registration(page):
    return RegistrationFactory(
        page=page, name="Torunn Tilbaketrekk", email="torunn@example.test"
    )


def link_for(page, registration):
    return page.url + page.reverse_subpage(
        "self_service", args=[make_self_service_token(registration)]
    )


def test_the_receipt_carries_a_link_that_names_nobody(page, registration):
    mail.outbox.clear()
    send_receipt.call(registration.pk)
    body = mail.outbox[0].body
    url = re.search(r"https?://\S+/min-pamelding/(\S+)/", body)
    assert registration.name not in url.group(0)
    assert "torunn" not in url.group(0).lower()
    assert read_self_service_token(url.group(1)) == registration


def test_the_page_shows_the_status_privately(client, page, registration):
    response = client.get(link_for(page, registration))
    assert response.status_code == 200
    html = response.content.decode()
    assert "venteliste" in html or "waiting list" in html
    # Not a place for the answers: the page shows no name, no contact details.
    assert registration.name not in html and registration.email not in html
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"


def test_withdrawing_deletes_at_once(client, page, registration):
    url = link_for(page, registration)
    response = client.post(url, {"action": "withdraw", "confirm": "yes"})
    assert response.status_code == 200
    assert not Registration.objects.filter(pk=registration.pk).exists()
    assert RegistrationStatistic.objects.filter(
        page_id=page.pk, dimension="total", outcome="withdrawn", count=1
    ).exists()
    assert SelfHelpLogEntry.objects.filter(
        action="wagtail_selvhjelp.self_withdraw", object_id=str(registration.pk)
    ).exists()
    # The same link now gets the neutral answer.
    again = client.get(url)
    assert again.status_code == 404


def test_withdrawing_needs_the_box_ticked(client, page, registration):
    response = client.post(link_for(page, registration), {"action": "withdraw"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#id_confirm"' in html
    assert 'aria-invalid="true"' in html
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_a_member_who_withdraws_leaves_the_group_its_size(client, page, registration):
    group = SelfHelpGroup.objects.create(
        page=page,
        name="Gol",
        place=page.places.first(),
        time_slot=page.time_slots.first(),
    )
    group.add_member(registration)
    client.post(link_for(page, registration), {"action": "withdraw", "confirm": "yes"})
    group.refresh_from_db()
    assert group.former_member_count == 1
    assert not group.memberships.exists()


def test_staying_on_the_list_restarts_the_wait(client, page, registration):
    Registration.objects.filter(pk=registration.pk).update(
        reconfirmation_requested_at=registration.created_at
    )
    response = client.get(link_for(page, registration))
    assert 'value="stay"' in response.content.decode()
    response = client.post(link_for(page, registration), {"action": "stay"})
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.reconfirmation_requested_at is None
    assert registration.confirmed_at is not None


def _neutral(response):
    return response.status_code, response.content.decode().replace(
        response.wsgi_request.path, ""
    )


def test_tampered_guessed_expired_and_deleted_links_look_the_same(
    client, page, registration, monkeypatch
):
    other = RegistrationFactory(page=page)
    deleted_url = link_for(page, other)
    other.delete()
    token = make_self_service_token(registration)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    forged = signing.dumps(
        [registration.pk, 0], salt="wagtail_selvhjelp.self_service"
    ).replace(":", "/")
    base = page.url + "min-pamelding/"
    answers = [
        client.get(base + tampered + "/"),
        client.get(base + "1/"),
        client.get(base + forged + "/"),
        client.get(deleted_url),
    ]
    expiring = link_for(page, registration)
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 181 * 86400)
    answers.append(client.get(expiring))
    assert [response.status_code for response in answers] == [404] * 5
    shown = {_neutral(response) for response in answers}
    assert len(shown) == 1
    status, html = shown.pop()
    assert status == 404
    assert registration.name not in html


def test_a_link_of_another_page_does_not_open(client, section, page, registration):
    other_page = make_registration_page(section, title="Annen", slug="annen")
    response = client.get(link_for(other_page, registration))
    assert response.status_code == 404


def test_the_page_is_rate_limited(client, page, registration, settings):
    settings.WAGTAIL_SELVHJELP = {"SELF_SERVICE_RATE_LIMIT_PER_HOUR": 3}
    base = page.url + "min-pamelding/"
    statuses = [client.get(base + f"{n}/").status_code for n in range(3)]
    assert statuses == [404, 404, 404]
    # Even a good link is refused until the hour is over.
    assert client.get(link_for(page, registration)).status_code == 429


def test_other_methods_are_refused(client, page, registration):
    for method in (client.put, client.patch, client.delete):
        response = method(link_for(page, registration))
        assert response.status_code == 405
        assert response["Allow"].startswith("GET, POST")
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_a_failed_csrf_check_does_not_show_the_registration_form(
    page, registration, settings
):
    from django.test import Client

    settings.CSRF_FAILURE_VIEW = "wagtail_selvhjelp.views.csrf.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        link_for(page, registration), {"action": "withdraw", "confirm": "yes"}
    )
    assert response.status_code == 403
    assert 'name="form_token"' not in response.content.decode()
    assert Registration.objects.filter(pk=registration.pk).exists()
