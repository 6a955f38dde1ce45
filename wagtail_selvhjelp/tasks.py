"""Background work: messages, and the retention purge.

The tasks belong to Django's own tasks framework on Django 6 and to the
django-tasks backport before it (see :mod:`.task_backend`).

Tasks receive a registration's primary key, never personal data, and hand
it to :mod:`wagtail_selvhjelp.notifications`, which reads the registration,
chooses each message's channel and sends it. A failed message raises
``NotificationFailed``, whose text (kept in the task's stored result) names
no address or number.
"""

from . import notifications, privacy
from .models.invitation_actions import ExpireOffers, RemindOffers
from .notifications import (
    CoordinatorNotice,
    OfferReminder,
    Receipt,
    ReconfirmationRequest,
)
from .task_backend import task


@task()
def send_registration_emails(registration_id):
    """The messages a new registration brings, from one read of it.

    The coordinators' notice and the registrant's receipt (each is also a
    task of its own, below). A failing notice does not keep the receipt
    from being sent; the task then fails with the first error.
    """
    notifications.send_for(registration_id, CoordinatorNotice, Receipt)


@task()
def notify_coordinators(registration_id):
    """Tell the page's coordinators that a registration is waiting."""
    notifications.send_for(registration_id, CoordinatorNotice)


@task()
def send_receipt(registration_id):
    """Confirm to the registrant that we received the registration."""
    notifications.send_for(registration_id, Receipt)


@task()
def send_reconfirmation(registration_id):
    """Ask a long-waiting registrant whether they still want a group."""
    notifications.send_for(registration_id, ReconfirmationRequest)


@task()
def send_meeting_details(group_id, update=False):
    """Send a started group's members and starter its meeting, with the
    calendar file (``update``: the meeting changed)."""
    notifications.send_meeting_details(group_id, update=update)


@task()
def notify_group_contact(registration_id, group_id, notice):
    """Tell the group's contact what a member said through their own link
    (``notice``: a ``MemberNotice`` code; the ids name nobody)."""
    notifications.send_group_contact_notice(registration_id, group_id, notice)


@task()
def send_follow_ups():
    """Send the anonymous follow-up of every group that is due (the same as
    ``manage.py selvhjelp_follow_ups``); idempotent."""
    return notifications.send_follow_ups()


@task()
def purge():
    """Apply the retention rules (the same as ``manage.py selvhjelp_purge``)."""
    return privacy.purge()


@task()
def send_offers(offer_ids):
    """Offer each member their place (rendered here, given only ids)."""
    notifications.send_offers(offer_ids)


@task()
def send_offer_reminders(offer_ids):
    """The one reminder of each offer still without an answer."""
    notifications.send_offers(offer_ids, OfferReminder)


def settle_offers(now=None):
    """Expire offers past their deadline, then remind those close to it.

    Idempotent: run as often as you like (``manage.py selvhjelp_offers``
    or the task below). Returns (expired, reminded) counts.
    """
    expired = ExpireOffers(now=now).execute(skip_permission_checks=True)
    reminded = RemindOffers(now=now).execute(skip_permission_checks=True)
    return len(expired), len(reminded)


@task()
def expire_and_remind_offers():
    """The scheduled job of the invitations (see :func:`settle_offers`)."""
    return settle_offers()
