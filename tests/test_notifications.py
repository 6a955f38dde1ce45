"""Messages through the person's channel, stored without their text or address."""

import datetime
import io
import json
import logging
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import translation

from wagtail_selvhjelp import notifications, task_backend, tasks
from wagtail_selvhjelp.models import OutgoingMessage, Registration
from wagtail_selvhjelp.models.privacy import forget
from wagtail_selvhjelp.signals import reconfirmation_requested
from wagtail_selvhjelp.sms import SmsResult, get_sms_backend
from wagtail_selvhjelp.sms.console import ConsoleSmsBackend
from wagtail_selvhjelp.sms.gsm7 import SINGLE_SMS_LENGTH, gsm7_length
from wagtail_selvhjelp.task_backend import TaskResultStatus

from .factories import RegistrationFactory, make_registration_page


def task_errors(result):
    """The result's errors; django-tasks 0.7 keeps one on the result itself."""
    if hasattr(result, "errors"):
        return result.errors
    cls = result.exception_class
    return [
        SimpleNamespace(
            exception_class=cls,
            exception_class_path=f"{cls.__module__}.{cls.__qualname__}",
            traceback=result.traceback,
        )
    ]


EMAIL = "kari.refused@example.test"
PHONE = "+4791377731"

#: A self-service link as long as a municipality's real one: a long host, a
#: section three levels down and the signed token of a seven-digit registration
#: number (not shortened; PostgreSQL runs give the test real ids in the thousands).
LONG_LINK = (
    "https://www.nordre-fjellbygd.kommune.no/helse-og-omsorg/selvhjelp/"
    "meld-deg-pa-selvhjelpsgruppe/min-pamelding/WzEyMzQ1NjcsMTc5NjE2OTYwMF0/"
    "1wXyZq/Qm3kJx0pQz8B7cV9sLr2aN4tYhGfE6uWdKiOp1Mn5Xa/"
)


@pytest.fixture
def page(section):
    return make_registration_page(section)


class QueuingSmsBackend(ConsoleSmsBackend):
    """A gateway that takes a message and sends it later."""

    def send(self, number, text, *, sender=None):
        return SmsResult(message_id="gw-42", queued=True)


def selvhjelp_settings(settings, **values):
    settings.WAGTAIL_SELVHJELP = {**settings.WAGTAIL_SELVHJELP, **values}


def test_a_person_with_an_email_gets_email_and_one_with_only_a_phone_gets_sms(
    page, sms_outbox, settings
):
    selvhjelp_settings(settings, SMS_SENDER="Fjellbygd")
    by_email = RegistrationFactory(page=page, phone=PHONE)
    by_phone = RegistrationFactory(page=page, email="", phone=PHONE)

    tasks.send_receipt.call(by_email.pk)
    tasks.send_receipt.call(by_phone.pk)

    assert [message.to for message in mail.outbox] == [[by_email.email]]
    assert [(sms.number, sms.sender) for sms in sms_outbox] == [(PHONE, "Fjellbygd")]
    assert by_phone.name not in sms_outbox[0].text
    assert gsm7_length(sms_outbox[0].text) <= SINGLE_SMS_LENGTH
    rows = OutgoingMessage.objects.order_by("pk")
    assert [(row.registration_id, row.channel) for row in rows] == [
        (by_email.pk, "email"),
        (by_phone.pk, "sms"),
    ]


def test_without_an_sms_backend_a_phone_only_person_gets_nothing(
    page, sms_outbox, settings
):
    selvhjelp_settings(settings, SMS_BACKEND=None)
    registration = RegistrationFactory(page=page, email="", phone=PHONE)
    assert get_sms_backend() is None
    tasks.send_receipt.call(registration.pk)
    assert sms_outbox == [] and mail.outbox == []
    assert not OutgoingMessage.objects.exists()


def test_a_phone_only_person_is_asked_to_reconfirm_by_sms(
    page, sms_outbox, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(page=page, email="", phone=PHONE)
    with django_capture_on_commit_callbacks(execute=True):
        reconfirmation_requested.send(sender=Registration, registration=registration)
    assert [sms.number for sms in sms_outbox] == [PHONE]
    assert "30" in sms_outbox[0].text  # the days left to answer
    row = OutgoingMessage.objects.get()
    assert (row.kind, row.channel, row.state) == ("reconfirm", "sms", "sent")


def test_a_message_is_stored_with_its_state_never_its_text_or_address(page):
    registration = RegistrationFactory(page=page, phone=PHONE)
    tasks.send_registration_emails.call(registration.pk)

    # The person's receipt is recorded; the coordinators' notice, which went
    # out and names nobody, is not.
    (receipt,) = OutgoingMessage.objects.all()
    assert (receipt.kind, receipt.registration, receipt.page_id) == (
        "receipt",
        registration,
        page.pk,
    )
    message = mail.outbox[1]
    assert receipt.channel == "email" and receipt.state == "sent"
    assert receipt.sent_at is not None and receipt.created_at is not None
    assert receipt.gateway_message_id == message.extra_headers["Message-ID"]
    stored = " ".join(str(getattr(receipt, f.attname)) for f in receipt._meta.fields)
    for private in (registration.name, registration.email, PHONE, "koordinator"):
        assert private not in stored
    assert message.body not in stored


def test_erasing_a_person_deletes_their_messages_and_keeps_a_failed_notice(
    page, monkeypatch
):
    def refuse(self, recipient, subject, text):
        raise OSError("the mail server is down")

    monkeypatch.setattr(notifications.CoordinatorNotice, "send_email", refuse)
    registration = RegistrationFactory(page=page)
    with pytest.raises(notifications.NotificationFailed):
        tasks.send_registration_emails.call(registration.pk)
    assert OutgoingMessage.objects.filter(registration=registration).count() == 1

    forget(Registration.objects.filter(pk=registration.pk))

    assert list(
        OutgoingMessage.objects.values_list("kind", "registration", "state")
    ) == [("new_registration", None, "failed")]


def assert_nothing_holds(private, error, caplog, result=None):
    texts = [str(error), repr(error), caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    if result is not None:
        texts += [task_error.traceback for task_error in task_errors(result)]
        texts += [task_error.exception_class_path for task_error in task_errors(result)]
    for text in texts:
        assert private not in text


def test_a_refused_address_reaches_no_exception_log_or_task_result(
    page, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.failing_email.RefusingBackend"
    registration = RegistrationFactory(page=page, email=EMAIL)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(notifications.NotificationFailed) as caught:
        tasks.send_receipt.call(registration.pk)
    error = caught.value
    assert str(error) == (
        f"The receipt message about registration {registration.pk} could not be sent."
    )
    assert error.__cause__ is None and error.__context__ is None
    assert_nothing_holds(EMAIL, error, caplog)

    caplog.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.send_registration_emails.enqueue(registration.pk)
    assert result.status == TaskResultStatus.FAILED
    assert task_errors(result)[0].exception_class is notifications.NotificationFailed
    assert_nothing_holds(EMAIL, error, caplog, result)
    assert (
        "koordinator@example.test" not in caplog.text + task_errors(result)[0].traceback
    )

    rows = OutgoingMessage.objects.order_by("kind")
    assert [(row.kind, row.state, row.error) for row in rows] == [
        ("new_registration", "failed", "SMTPRecipientsRefused"),
        ("receipt", "failed", "SMTPRecipientsRefused"),
        ("receipt", "failed", "SMTPRecipientsRefused"),
    ]


def test_a_refused_number_reaches_no_exception_log_or_task_result(
    page, settings, caplog, django_capture_on_commit_callbacks
):
    selvhjelp_settings(
        settings, SMS_BACKEND={"CLASS": "tests.failing_email.RefusingSmsBackend"}
    )
    registration = RegistrationFactory(page=page, email="", phone=PHONE)
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.send_reconfirmation.enqueue(registration.pk)
    assert result.status == TaskResultStatus.FAILED
    with pytest.raises(notifications.NotificationFailed) as caught:
        tasks.send_reconfirmation.call(registration.pk)
    assert str(caught.value) == (
        f"The reconfirm message about registration {registration.pk} could not be sent."
    )
    for private in (PHONE, PHONE[3:]):
        assert_nothing_holds(private, caught.value, caplog, result)
    assert set(OutgoingMessage.objects.values_list("state", "error")) == {
        ("failed", "ValueError")
    }


def test_a_failing_message_does_not_stop_the_next(page, settings, monkeypatch):
    registration = RegistrationFactory(page=page)

    def refuse(notification, recipient, subject, text):
        raise ConnectionRefusedError(f"refused {recipient.addresses}")

    monkeypatch.setattr(notifications.CoordinatorNotice, "send_email", refuse)
    with pytest.raises(notifications.NotificationFailed, match="new_registration"):
        tasks.send_registration_emails.call(registration.pk)
    assert [message.to for message in mail.outbox] == [[registration.email]]
    assert sorted(OutgoingMessage.objects.values_list("kind", "state")) == [
        ("new_registration", "failed"),
        ("receipt", "sent"),
    ]


def test_the_sms_backend_is_configured_like_a_machine_translator(settings):
    stream = io.StringIO()
    selvhjelp_settings(
        settings,
        SMS_BACKEND={
            "CLASS": "wagtail_selvhjelp.sms.console.ConsoleSmsBackend",
            "OPTIONS": {"stream": stream},
        },
    )
    backend = get_sms_backend()
    assert isinstance(backend, ConsoleSmsBackend)
    result = backend.send(PHONE, "Hei", sender="Fjellbygd")
    assert result.message_id and result.message_id in stream.getvalue()
    assert "Hei" in stream.getvalue()

    selvhjelp_settings(settings, SMS_BACKEND={"OPTIONS": {}})
    with pytest.raises(ImproperlyConfigured):
        get_sms_backend()


def test_a_gateway_that_queues_is_recorded_as_queued(page, settings, sms_outbox):
    selvhjelp_settings(
        settings, SMS_BACKEND={"CLASS": "tests.test_notifications.QueuingSmsBackend"}
    )
    registration = RegistrationFactory(page=page, email="", phone=PHONE)
    tasks.send_receipt.call(registration.pk)
    row = OutgoingMessage.objects.get()
    assert (row.state, row.gateway_message_id) == ("queued", "gw-42")


SMS_TEMPLATES = [
    "wagtail_selvhjelp/emails/receipt_sms.txt",
    "wagtail_selvhjelp/emails/reconfirm_sms.txt",
    "wagtail_selvhjelp/emails/meeting_details_sms.txt",
    "wagtail_selvhjelp/emails/meeting_update_sms.txt",
]


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("template", SMS_TEMPLATES)
def test_every_sms_fits_one_message_in_the_gsm_alphabet(template, language):
    context = {
        "page_title": "Meld deg på ei sjølvhjelpsgruppe i Nordre Fjellbygd",
        "site_name": "Selvhjelp i Nordre Fjellbygd kommune",
        "self_service_url": LONG_LINK,
        "link_days": 180,
        "grace_days": 365,
        "date": datetime.date(2027, 12, 31),
        "time": datetime.time(18, 30),
    }
    with translation.override(language):
        text = " ".join(render_to_string(template, context).split())
    length = gsm7_length(text)
    assert length is not None, f"not all GSM 7-bit characters: {text!r}"
    assert 0 < length <= SINGLE_SMS_LENGTH, (length, text)


#: SMS that must carry their link (an invitation's answer page): the text
#: itself is short, and with the link they stay within two concatenated SMS
#: (2 × 153 characters of the GSM 7-bit alphabet).
LINK_SMS_TEMPLATES = [
    "wagtail_selvhjelp/emails/offer_sms.txt",
    "wagtail_selvhjelp/emails/offer_reminder_sms.txt",
]


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize("template", LINK_SMS_TEMPLATES)
def test_every_sms_with_a_link_fits_two_messages(template, language):
    import datetime

    from django.utils import timezone

    context = {
        "site_name": "Selvhjelp i Nordre Fjellbygd kommune",
        "answer_url": LONG_LINK.replace("min-pamelding", "svar"),
        "offer": SimpleNamespace(
            deadline=timezone.make_aware(datetime.datetime(2026, 12, 24, 23, 59))
        ),
    }
    with translation.override(language):
        text = " ".join(render_to_string(template, context).split())
    length = gsm7_length(text)
    assert length is not None, f"not all GSM 7-bit characters: {text!r}"
    assert context["answer_url"] in text
    # Room to spare for a translation longer than the English.
    assert length <= 2 * 153 - 20, (length, text)


def test_the_sms_templates_are_all_in_the_list_above():
    from pathlib import Path

    import wagtail_selvhjelp

    root = Path(wagtail_selvhjelp.__file__).parent / "templates"
    found = sorted(str(p.relative_to(root)) for p in root.rglob("*_sms.txt"))
    assert found == sorted(SMS_TEMPLATES + LINK_SMS_TEMPLATES)


def test_the_long_link_above_has_a_real_token(page):
    """The link the SMS test renders with is as long as a real one would be."""
    registration = RegistrationFactory(page=page)
    link = page.specific.get_self_service_url(registration)
    token = link.split("/min-pamelding/")[1]
    assert len(LONG_LINK.split("/min-pamelding/")[1]) >= len(token), link


@pytest.mark.parametrize(
    "backend, debug, warned",
    [
        ("wagtail_selvhjelp.sms.console.ConsoleSmsBackend", False, True),
        ("wagtail_selvhjelp.sms.memory.MemorySmsBackend", False, True),
        ("wagtail_selvhjelp.sms.console.ConsoleSmsBackend", True, False),
        ("tests.test_notifications.QueuingSmsBackend", False, False),
        (None, False, False),
    ],
)
def test_the_deploy_check_warns_of_a_development_sms_backend(
    settings, backend, debug, warned
):
    from django.core.checks import run_checks

    settings.DEBUG = debug
    selvhjelp_settings(settings, SMS_BACKEND=backend and {"CLASS": backend})
    messages = run_checks(include_deployment_checks=True, tags=["security"])
    assert ("wagtail_selvhjelp.W010" in [m.id for m in messages]) is warned


def test_the_site_name_is_the_one_wagtail_finds_for_the_page(page, section):
    """The site read along with the registration is checked against Wagtail's."""
    from wagtail.models import Site

    Site.objects.create(
        hostname="under.example.test", root_page=section, site_name="Undersida"
    )
    registration = notifications.get_registration(RegistrationFactory(page=page).pk)
    assert page.get_site().site_name == "Undersida"
    assert notifications.Receipt(registration).get_site_name() == "Undersida"
    registration.nearest_site_id = None  # a site Wagtail finds another way (i18n)
    assert notifications.Receipt(registration).get_site_name() == "Undersida"


def test_messages_are_signed_with_their_sites_settings(page, sms_outbox, settings):
    """A municipality's own sender name and address (per-site settings) sign
    its e-mails and SMS; a site without them keeps the installation's."""
    from wagtail_selvhjelp.models.site_settings import SelfHelpSiteSettings

    selvhjelp_settings(settings, SMS_SENDER="Fallback")
    by_email = RegistrationFactory(page=page)
    by_phone = RegistrationFactory(page=page, email="", phone=PHONE)
    tasks.send_receipt.call(by_email.pk)
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL

    site = page.get_site()
    SelfHelpSiteSettings.objects.create(
        site=site,
        email_sender_name="Fjellbygd kommune, selvhjelp",
        email_sender_address="selvhjelp@fjellbygd.example.test",
        sms_sender="Fjellbygd",
    )
    mail.outbox.clear()
    tasks.send_receipt.call(by_email.pk)
    tasks.send_receipt.call(by_phone.pk)
    assert mail.outbox[0].from_email == (
        '"Fjellbygd kommune, selvhjelp" <selvhjelp@fjellbygd.example.test>'
    )
    assert [sms.sender for sms in sms_outbox] == ["Fjellbygd"]

    # Read along with the registration, or looked up when Wagtail finds
    # the page's site another way: the same settings.
    registration = notifications.get_registration(by_email.pk)
    read_along = notifications.Receipt(registration).get_site_settings()
    registration.nearest_site_id = None
    looked_up = notifications.Receipt(registration).get_site_settings()
    assert read_along.get_from_email() == looked_up.get_from_email()


# The worker closes its database connections after the batch, as a service
# does; outside a test transaction the test's next query opens a new one.
@pytest.mark.django_db(transaction=True)
def test_a_refused_address_reaches_no_row_of_the_database_task_backend(
    page, settings, caplog, django_capture_on_commit_callbacks
):
    """The README's database backend keeps the failed task's result as a row.

    Its worker runs the package's tasks on every Django: django-tasks-db
    runs ``django.tasks`` tasks on Django 6, and the package's are those
    there (``task_backend``).
    """
    settings.EMAIL_BACKEND = "tests.failing_email.RefusingBackend"
    registration = RegistrationFactory(page=page, email=EMAIL)
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_registration_emails.using(backend="database").enqueue(
            registration.pk
        )
    call_command(
        "db_worker", "--batch", "--backend=database", "--no-startup-delay", verbosity=0
    )
    model = task_backend.result_model()
    stored = model.objects.get()
    assert stored.status == TaskResultStatus.FAILED
    assert stored.exception_class_path.endswith("NotificationFailed")
    row = json.dumps(model.objects.values().get(), default=str)
    assert EMAIL not in row and EMAIL not in caplog.text
    assert "koordinator@example.test" not in row


def test_the_grace_days_in_a_message_are_the_sites_default_read_along(
    page, django_assert_num_queries
):
    """The site's retention default reaches the message without a query of
    its own (the settings are read with the registration)."""
    from wagtail.models import Site

    from wagtail_selvhjelp.models import SelfHelpSiteSettings

    site = page.get_site()
    SelfHelpSiteSettings.objects.update_or_create(
        site=site, defaults={"retention_reconfirm_grace_days": 45}
    )
    page.retention_reconfirm_grace_days = None
    page.save()
    registration = RegistrationFactory(page=page)
    Site.get_site_root_paths()

    read = notifications.get_registration(registration.pk)
    receipt = notifications.Receipt(read)
    receipt.url_parts  # noqa: B018 - Wagtail's own lookup, cached on the message
    with django_assert_num_queries(0):
        assert receipt.get_context()["grace_days"] == 45

    page.retention_reconfirm_grace_days = 21
    page.save()
    receipt = notifications.Receipt(notifications.get_registration(registration.pk))
    assert receipt.get_context()["grace_days"] == 21
