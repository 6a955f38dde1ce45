"""A registrant's data stays in the database: not in logs, e-mails, task
payloads, URLs, page titles or error reports.

One person goes through everything the package does: the form, the
e-mails, the admin (inspect, export, status change, matching, erasure) and
the purge; every log record, e-mail, enqueued task and URL seen on the way is
scanned for their name, e-mail, phone and answers.
"""

import logging
import re
import sys

import pytest
from django.core import mail
from django.core.signals import got_request_exception
from django.urls import reverse
from django.views.debug import ExceptionReporter

from wagtail_selvhjelp import privacy
from wagtail_selvhjelp.models import Registration
from wagtail_selvhjelp.tasks import send_receipt

from .factories import make_registration_page, secret_answers
from .registration.helpers import token_from


pytestmark = pytest.mark.django_db

GIVEN = {
    "name": "Ingebjørg Lekkasjesen",
    "email": "ingebjorg.lekk@example.test",
    "phone": "968 51 295",
    "avoid_text": "Naboen Torstein Gjerdrum",
    "access_needs": "Trenger teleslynge i møterommet",
    "message": "Mista jobben og søv dårleg om natta",
}
#: A typed answer the catalogue gains later gets a secret of its own.
ANSWERS = secret_answers(GIVEN)
SECRETS = [
    "Ingebjørg",
    "Lekkasjesen",
    "ingebjorg.lekk",
    "96851295",
    "968 51 295",
    "Gjerdrum",
    "teleslynge",
    "søv dårleg",
    *(value for name, value in ANSWERS.items() if name not in GIVEN),
]


@pytest.fixture
def page(section, settings):
    settings.WAGTAIL_SELVHJELP = {"MINIMUM_FILL_SECONDS": 0}
    return make_registration_page(section)


def form_data(page, token):
    return {
        "form_token": token,
        "website": "",
        **ANSWERS,
        "birth_year": "1975",
        "places": [str(page.places.get(name="Gol").pk)],
        "time_slots": [str(page.time_slots.get(name="Kveld").pk)],
        "topics": [str(page.topics.get(name="Sorg").pk)],
        "group_kind": "themed",
        "gender": "woman",
        "consent": "yes",
    }


def leaks(text):
    return [secret for secret in SECRETS if secret.lower() in str(text).lower()]


@pytest.fixture
def enqueued(monkeypatch):
    """Every task enqueued, with its arguments."""
    calls = []
    task_class = type(send_receipt)  # the framework's Task (task_backend)
    original = task_class.enqueue

    def enqueue(self, *args, **kwargs):
        calls.append((self.name, args, kwargs))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(task_class, "enqueue", enqueue)
    return calls


def test_nothing_leaves_the_database(
    client,
    admin_client,
    page,
    caplog,
    enqueued,
    django_capture_on_commit_callbacks,
):
    caplog.set_level(logging.DEBUG)
    mail.outbox.clear()
    seen_urls = []

    # The citizen registers.
    response = client.get(page.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page.url, form_data(page, token_from(response)))
    assert response.status_code == 303
    seen_urls.append(response["Location"])
    thank_you = client.get(response["Location"])
    titles = re.findall(r"<title>(.*?)</title>", thank_you.content.decode(), re.S)
    registration = Registration.objects.get()
    assert registration.name == ANSWERS["name"]

    # The e-mails: the coordinators' notice and the receipt with its link.
    assert len(mail.outbox) == 2
    links = re.findall(r"https?://\S+", " ".join(m.body for m in mail.outbox))
    seen_urls.extend(links)

    # The self-service page.
    self_service = next(link for link in links if "/min-pamelding/" in link)
    page_html = client.get(self_service).content.decode()
    titles += re.findall(r"<title>(.*?)</title>", page_html, re.S)

    # The coordinator's work in the admin.
    base = "wagtail_selvhjelp_registration"
    for name in ("inspect", "person_data", "edit", "history"):
        path = reverse(f"{base}:{name}", args=[registration.pk])
        seen_urls.append(path)
        assert admin_client.get(path).status_code == 200
    listing = reverse(f"{base}:index") + f"?page={page.pk}"
    seen_urls.append(listing)
    admin_client.get(listing)
    matching = reverse("wagtail_selvhjelp_matching:page", args=[page.pk])
    response = admin_client.post(matching, {"action": "propose"})
    seen_urls.append(response.get("Location", ""))

    # The purge and the erasure.
    privacy.purge()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse(f"{base}:erase", args=[registration.pk]), {"confirm": "yes"}
        )

    log_text = "\n".join(
        f"{record.getMessage()} {record.args}" for record in caplog.records
    )
    assert leaks(log_text) == []
    for message in mail.outbox:
        assert leaks(message.subject + message.body) == [], message.subject
        assert message.to != [ANSWERS["email"]] or "min-pamelding" in message.body
    assert enqueued, "no task was enqueued"
    assert leaks(repr(enqueued)) == []
    assert leaks(" ".join(seen_urls)) == []
    assert leaks(" ".join(titles)) == []


def test_an_error_during_a_submission_reports_no_answer(client, page, monkeypatch):
    """A crash while storing gives an error report (e-mail to ADMINS, the
    debug page) in which every posted value is hidden."""
    reports = []

    def capture(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_text())

    def broken(self, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(type(Registration.objects.all()), "store", broken)
    got_request_exception.connect(capture)
    client.raise_request_exception = False
    try:
        response = client.get(page.url)
        response = client.post(page.url, form_data(page, token_from(response)))
    finally:
        got_request_exception.disconnect(capture)
    assert response.status_code == 500
    assert reports and "the database went away" in reports[0]
    assert leaks(reports[0]) == []
    assert not Registration.objects.exists()
