"""The package's signal receivers, connected when the app is ready.

The page model announces a new registration with a signal instead of calling
the message tasks itself, so that models never import tasks (see
``docs/architecture.md``).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage
from wagtail.models import BaseViewRestriction, Page, Site
from wagtail.signals import copy_for_translation_done

from . import fragment_cache
from .choices import MemberNotice
from .models import ContactPoint
from .models.actions import ChangeMeeting, RemoveMember, ReportAbsence, StartGroup
from .models.invitation_actions import Backfill, Invite, RemindOffers
from .models.registration_pages import RegistrationChoice
from .signals import action_executed, reconfirmation_requested, registration_submitted
from .tasks import (
    notify_group_contact,
    send_meeting_details,
    send_offer_reminders,
    send_offers,
    send_reconfirmation,
    send_registration_emails,
)


@receiver(registration_submitted, dispatch_uid="wagtail_selvhjelp.emails")
def enqueue_registration_emails(sender, registration, **kwargs):
    # Only the identifier goes to the task queue, never personal data.
    send_registration_emails.enqueue(registration.pk)


@receiver(reconfirmation_requested, dispatch_uid="wagtail_selvhjelp.reconfirm")
def enqueue_reconfirmation(sender, registration, **kwargs):
    # The notification chooses the person's channel (e-mail or SMS).
    send_reconfirmation.enqueue(registration.pk)


@receiver(action_executed, sender=StartGroup, dispatch_uid="wagtail_selvhjelp.start")
def enqueue_meeting_details(sender, action, **kwargs):
    # Sent after the start's commit; the worker reads the group by its id.
    send_meeting_details.enqueue(action.group.pk)


@receiver(
    action_executed, sender=ChangeMeeting, dispatch_uid="wagtail_selvhjelp.meeting"
)
def enqueue_meeting_update(sender, action, **kwargs):
    if action.notifies:
        send_meeting_details.enqueue(action.group.pk, update=True)


@receiver(action_executed, sender=Invite, dispatch_uid="wagtail_selvhjelp.invite")
@receiver(action_executed, sender=Backfill, dispatch_uid="wagtail_selvhjelp.backfill")
def enqueue_offers(sender, action, **kwargs):
    # One task for the whole round, given the offers' ids: the request
    # renders no message.
    if action.offer_ids:
        send_offers.enqueue(action.offer_ids)


@receiver(action_executed, sender=RemindOffers, dispatch_uid="wagtail_selvhjelp.remind")
def enqueue_offer_reminders(sender, action, **kwargs):
    if action.offer_ids:
        send_offer_reminders.enqueue(action.offer_ids)


@receiver(action_executed, dispatch_uid="wagtail_selvhjelp.member_notice")
def enqueue_member_notice(sender, action, **kwargs):
    # What a member told the group's contact through their own link; the
    # task gets ids and a code only.
    if sender is ReportAbsence:
        notice = MemberNotice.ABSENT
    elif sender is RemoveMember and action.link is not None:
        notice = MemberNotice.LEAVING
    else:
        return
    membership = action.membership
    notify_group_contact.enqueue(
        membership.registration_id, membership.group_id, notice.value
    )


@receiver(copy_for_translation_done, dispatch_uid="wagtail_selvhjelp.translated_links")
def link_translated_contact_points(sender, source_obj, target_obj, **kwargs):
    """A section's new translation links the contact points' translations
    in its locale, where they exist, instead of the original's.

    Wagtail copies a page's links as they are, so a nynorsk section would
    show the bokmål contact points until an editor chose them again; the
    translations (:meth:`.ContactPoint.copy_for_translation`) keep the
    site and sharing of the originals, so the section still shows only
    what its site may show. The copy is a draft: its links are saved with
    it and in its latest revision, which the editor opens.
    """
    links = getattr(target_obj, "contact_point_links", None)
    if links is None or getattr(target_obj, "alias_of_id", None):
        return
    rows = list(links.select_related("contact_point"))
    translations = {
        contact_point.translation_key: contact_point
        for contact_point in ContactPoint.objects.filter(
            locale_id=target_obj.locale_id,
            translation_key__in=[row.contact_point.translation_key for row in rows],
        )
    }
    changed = False
    for row in rows:
        translated = translations.get(row.contact_point.translation_key)
        if translated is not None and translated.pk != row.contact_point_id:
            row.contact_point = translated
            changed = True
    if changed:
        target_obj.contact_point_links = rows
        target_obj.save(clean=False)
        target_obj.save_revision(changed=False, clean=False)


#: Saving or deleting any of these can change what a cached fragment shows
#: (a view restriction hides a page from the section's list; an archived
#: place leaves the empty registration form).
CONTENT_MODELS = (
    Page,
    ContactPoint,
    RegistrationChoice,
    AbstractImage,
    AbstractDocument,
    Site,
    BaseViewRestriction,
)


@receiver(post_save, dispatch_uid="wagtail_selvhjelp.content_saved")
@receiver(post_delete, dispatch_uid="wagtail_selvhjelp.content_deleted")
def start_new_content_generation(sender, **kwargs):
    if issubclass(sender, CONTENT_MODELS):
        fragment_cache.new_generation()
