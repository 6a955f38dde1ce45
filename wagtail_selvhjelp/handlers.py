"""The package's signal receivers, connected when the app is ready.

The page model announces a new registration with a signal instead of calling
the e-mail tasks itself, so that models never import tasks (see
``docs/architecture.md``).
"""

from django.dispatch import receiver

from .signals import reconfirmation_requested, registration_submitted
from .tasks import notify_coordinators, send_receipt, send_reconfirmation


@receiver(registration_submitted, dispatch_uid="wagtail_selvhjelp.notify")
def enqueue_coordinator_notice(sender, registration, **kwargs):
    # Only the identifier goes to the task queue, never personal data.
    notify_coordinators.enqueue(registration.pk)


@receiver(registration_submitted, dispatch_uid="wagtail_selvhjelp.receipt")
def enqueue_receipt(sender, registration, **kwargs):
    if registration.email:
        send_receipt.enqueue(registration.pk)


@receiver(reconfirmation_requested, dispatch_uid="wagtail_selvhjelp.reconfirm")
def enqueue_reconfirmation(sender, registration, **kwargs):
    if registration.email:
        send_reconfirmation.enqueue(registration.pk)
