"""Background work through django-tasks: e-mails, and the retention purge.

Tasks receive a registration's primary key, never personal data, and the
e-mails they send hold no name, no contact details and no health-related
answers: e-mail is not a safe place for them. The registrant's e-mails carry
their self-service link, which names nobody.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
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


def _get_registration(registration_id, *, with_waiting=False):
    """The registration with its specific page and locale, or None if deleted.

    ``with_waiting`` adds ``waiting``: how many on its page wait for a group.
    One query either way.
    """
    queryset = Registration.objects.with_specific_page().filter(pk=registration_id)
    if with_waiting:
        waiting = (
            Registration.objects.waiting()
            .filter(page=OuterRef("page"))
            .order_by()
            .values("page")
            .annotate(count=Count("pk"))
            .values("count")
        )
        queryset = queryset.annotate(waiting=Coalesce(Subquery(waiting), 0))
    return queryset.first()


@task()
def send_registration_emails(registration_id):
    """The e-mails a new registration brings, from one read of it.

    The coordinators' notice and the registrant's receipt (each is also a
    task of its own, below). A failing notice does not keep the receipt
    from being sent; the task then fails with the first error.
    """
    registration = _get_registration(registration_id, with_waiting=True)
    if registration is None:  # deleted before the task ran
        return
    errors = []
    for send in (_notify_coordinators, _send_receipt):
        try:
            send(registration)
        except Exception as error:  # the other e-mail is still sent
            errors.append(error)
    if errors:
        raise errors[0]


@task()
def notify_coordinators(registration_id):
    """Tell the page's coordinators that a registration is waiting."""
    registration = _get_registration(registration_id, with_waiting=True)
    if registration is not None:
        _notify_coordinators(registration)


@task()
def send_receipt(registration_id):
    """Confirm to the registrant that we received the registration."""
    registration = _get_registration(registration_id)
    if registration is not None:
        _send_receipt(registration)


def _notify_coordinators(registration):
    page = registration.get_specific_page()
    recipients = page.get_notify_emails()
    if not recipients:
        return
    with translation.override(_language(registration)):
        subject, body = _render(
            "wagtail_selvhjelp/emails/new_registration",
            {
                "page_title": page.title,
                "waiting": registration.waiting,
                "admin_url": _admin_url(
                    reverse(registration_viewset.get_url_name("index"))
                    + f"?page={page.pk}"
                ),
            },
        )
    send_mail(subject, body, _from_email(), recipients)


def _send_receipt(registration):
    if registration.email:
        _send_to_registrant(registration, "wagtail_selvhjelp/emails/receipt")


@task()
def send_reconfirmation(registration_id):
    """Ask a long-waiting registrant whether they still want a group."""
    registration = _get_registration(registration_id)
    if registration is None or not registration.email:
        return
    _send_to_registrant(registration, "wagtail_selvhjelp/emails/reconfirm")


def _send_to_registrant(registration, template):
    page = registration.get_specific_page()
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
