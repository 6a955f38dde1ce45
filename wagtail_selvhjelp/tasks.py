"""Background work through django-tasks: e-mails, and the retention purge.

Tasks receive a registration's primary key, never personal data, and the
e-mails they send hold no name, no contact details and no health-related
answers: e-mail is not a safe place for them. The registrant's e-mails carry
their self-service link, which names nobody.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from . import privacy
from .conf import selvhjelp_settings
from .models import Registration
from .viewsets import registration_viewset


def _from_email():
    return selvhjelp_settings.FROM_EMAIL or settings.DEFAULT_FROM_EMAIL


def _admin_url(path):
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return base.rstrip("/") + path


def _render(template, context):
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}.txt", context)
    return " ".join(subject.split()), body


def _language(registration):
    """The language of the registration's page (its locale is fetched along)."""
    locale = registration.page.locale
    return getattr(locale, "language_code", None) or settings.LANGUAGE_CODE


def _get_registration(registration_id):
    """The registration with its page and locale, or None if it was deleted."""
    return (
        Registration.objects.select_related("page__locale")
        .filter(pk=registration_id)
        .first()
    )


@task()
def notify_coordinators(registration_id):
    """Tell the page's coordinators that a registration is waiting."""
    registration = _get_registration(registration_id)
    if registration is None:  # deleted before the task ran
        return
    page = registration.page.specific
    recipients = page.get_notify_emails()
    if not recipients:
        return
    with translation.override(_language(registration)):
        subject, body = _render(
            "wagtail_selvhjelp/emails/new_registration",
            {
                "page_title": page.title,
                "waiting": page.registrations.active().count(),
                "admin_url": _admin_url(
                    reverse(registration_viewset.get_url_name("index"))
                    + f"?page={page.pk}"
                ),
            },
        )
    send_mail(subject, body, _from_email(), recipients)


@task()
def send_receipt(registration_id):
    """Confirm to the registrant that we received the registration."""
    registration = _get_registration(registration_id)
    if registration is None or not registration.email:
        return
    _send_to_registrant(registration, "wagtail_selvhjelp/emails/receipt")


@task()
def send_reconfirmation(registration_id):
    """Ask a long-waiting registrant whether they still want a group."""
    registration = _get_registration(registration_id)
    if registration is None or not registration.email:
        return
    _send_to_registrant(registration, "wagtail_selvhjelp/emails/reconfirm")


def _send_to_registrant(registration, template):
    page = registration.page.specific
    get_link = getattr(page, "get_self_service_url", None)
    retention = privacy.retention_for(page)
    with translation.override(_language(registration)):
        subject, body = _render(
            template,
            {
                "page_title": page.title,
                "site_name": page.get_site().site_name,
                "self_service_url": get_link(registration) if get_link else "",
                "link_days": selvhjelp_settings.SELF_SERVICE_LINK_DAYS,
                "grace_days": retention.reconfirm_grace_days,
            },
        )
    send_mail(subject, body, _from_email(), [registration.email])


@task()
def purge():
    """Apply the retention rules (the same as ``manage.py selvhjelp_purge``)."""
    return privacy.purge()
