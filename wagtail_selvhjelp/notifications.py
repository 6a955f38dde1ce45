"""The package's messages: one class per message, sent through its channel.

A notification class declares what a message is: its ``kind`` (stored with
each message and naming its templates), its context, its recipients and the
channels it may use. A message to a person is in the written standard they
registered in (:func:`language`), whatever language the coordinator who
acts uses; a message to the coordinators or a starter is in the page's
language (its site's standard). A
message to a registrant goes through *their* channel: e-mail where they gave
an address, SMS where they gave only a phone number (and an SMS backend is
configured, see :mod:`wagtail_selvhjelp.sms`); without either it is not
sent.

Templates: ``<template_prefix>_subject.txt`` and ``<template_prefix>.txt``
for e-mail, ``<template_prefix>_sms.txt`` for SMS (at most 160 characters
of the GSM 7-bit alphabet, so it stays one SMS). No message names the person,
their contact details, their topic or any of their answers: e-mail and SMS
are not safe places for them.

Every message sent or tried is stored as an :class:`OutgoingMessage` row,
all rows of one :func:`send` in one query, without its text or address. A
failed send raises :class:`NotificationFailed`, whose text names only the
registration's number and the message's kind: the error of a mail server or
gateway often holds the address (``SMTPRecipientsRefused``), and an
exception's text ends up in logs and in the task's stored result.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from wagtail.models import Site

from . import calendars, privacy
from .admin_urls import REGISTRATION_INDEX_URL_NAME
from .choices import GroupStatus
from .conf import selvhjelp_settings
from .models import (
    AbstractGroupRegistrationPage,
    FollowUpCode,
    GroupStarter,
    Offer,
    OutgoingMessage,
    Registration,
    SelfHelpGroup,
)
from .models.actions import OpenFollowUp
from .models.languages import locale_language, person_language
from .models.retention import RETENTION_LIMITS
from .models.site_settings import SelfHelpSiteSettings
from .sms import get_sms_backend


logger = logging.getLogger(__name__)

EMAIL = OutgoingMessage.Channel.EMAIL
SMS = OutgoingMessage.Channel.SMS
State = OutgoingMessage.State


class NotificationFailed(Exception):
    """A message could not be sent; the text names no address or number."""

    def __init__(self, kind, about):
        self.kind = kind
        self.about = about
        super().__init__(f"The {kind} message about {about} could not be sent.")


@dataclass(frozen=True)
class Recipient:
    """Where one message goes: a channel and its addresses (never shown)."""

    channel: str
    addresses: tuple = field(repr=False)


def sms_sender(site_settings):
    """The sender name on an SMS: the site's settings, else the
    installation's ``SMS_SENDER`` (None: the gateway's own)."""
    return site_settings.sms_sender or selvhjelp_settings.SMS_SENDER


def sms_enabled():
    return bool(selvhjelp_settings.SMS_BACKEND)


def language(registration):
    """The written standard of every message to the person: the one they
    registered in (``models.languages.person_language``), whatever language
    the coordinator who acts uses."""
    return person_language(registration)


def admin_url(path):
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    return base.rstrip("/") + path


def person_channel(registration, channels):
    """The person's own channel among ``channels``, or None.

    E-mail where they gave an address; SMS where they gave only a phone
    number and SMS are turned on.
    """
    if registration.email and EMAIL in channels:
        return Recipient(EMAIL, (registration.email,))
    if registration.phone and SMS in channels and sms_enabled():
        return Recipient(SMS, (registration.phone,))
    return None


#: The site settings a message needs, read along with its registration.
SITE_SETTINGS_READ_ALONG = (
    "email_sender_name",
    "email_sender_address",
    "sms_sender",
    "language_form",
    *(f"retention_{rule}" for rule in RETENTION_LIMITS),
)


def get_registration(registration_id, *, with_waiting=False):
    """The registration with its specific page and locale, or None if deleted.

    One query. ``with_waiting`` adds ``waiting``: how many on its page wait
    for a group. ``nearest_site_id``, ``nearest_site_name`` and the
    ``nearest_site_*`` senders of its settings are those of the site whose
    root page is the page's nearest ancestor, the site Wagtail finds in the
    ordinary case; :meth:`Notification.get_site_name` and
    :meth:`Notification.get_site_settings` use them only when Wagtail
    agrees, which saves the queries of ``page.get_site()`` and of the
    settings and keeps the form's POST with its messages within its budget.
    """
    sites = (
        Site.objects.annotate(
            page_path=ExpressionWrapper(OuterRef("page__path"), CharField())
        )
        .filter(page_path__startswith=F("root_page__path"))
        .order_by("-root_page__depth", "-is_default_site", "hostname")
    )
    queryset = (
        Registration.objects.with_specific_page()
        .filter(pk=registration_id)
        .annotate(
            nearest_site_id=Subquery(sites.values("pk")[:1]),
            nearest_site_name=Subquery(sites.values("site_name")[:1]),
            **{
                f"nearest_site_{name}": Subquery(
                    sites.values(f"selfhelpsitesettings__{name}")[:1]
                )
                for name in SITE_SETTINGS_READ_ALONG
            },
        )
    )
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


class Notification:
    """One message about one registration; subclasses declare which."""

    #: Stored with each message; also names the templates by default.
    kind = None
    #: Templates: ``<prefix>_subject.txt``, ``<prefix>.txt``, ``<prefix>_sms.txt``.
    template_prefix = None
    #: The channels this message may use.
    channels = (EMAIL,)
    #: Whether :func:`get_registration` must count the page's waiting list.
    needs_waiting = False

    def __init__(self, registration):
        self.registration = registration
        self.page = registration.get_specific_page()

    def get_template_prefix(self):
        return self.template_prefix or f"wagtail_selvhjelp/emails/{self.kind}"

    def get_language(self):
        """The language the message is written in: the person's
        (:func:`language`; for a row from before it was recorded, the page's,
        from the settings read along)."""
        return self.registration.language or self.get_page_language()

    def get_page_language(self):
        """The page's language: its site's written standard (the settings
        read along with the registration), or in a neutral site its locale's."""
        # The registration's plain page holds the locale read along with it.
        page = self.registration.page if self.registration else self.page
        return self.get_site_settings().language_for(locale_language(page))

    def get_subject_label(self):
        """What the message is about, for logs and errors: a number, no name."""
        return f"registration {self.registration.pk}"

    def get_attachments(self, recipient):
        """``(filename, content, mimetype)`` files for an e-mail to ``recipient``."""
        return []

    def get_recipients(self):
        """A list of :class:`Recipient`, each one message."""
        raise NotImplementedError

    def get_context(self):
        return {"page_title": self.page.title}

    def get_row_registration_id(self):
        """The registration the stored row points at (None: not the person's)."""
        return self.registration.pk

    @cached_property
    def url_parts(self):
        """The page's ``get_url_parts()``: its site, as Wagtail finds it."""
        return self.page.get_url_parts()

    def _nearest_site_is_wagtails(self):
        return self.url_parts is not None and self.url_parts[0] == getattr(
            self.registration, "nearest_site_id", None
        )

    def get_site_settings(self):
        """The page's site's :class:`SelfHelpSiteSettings` (senders)."""
        return self._site_settings

    @cached_property
    def _site_settings(self):
        # Read once per message, whatever the number of recipients.
        if self._nearest_site_is_wagtails():
            registration = self.registration
            return SelfHelpSiteSettings(
                site_id=registration.nearest_site_id,
                **{
                    name: getattr(registration, f"nearest_site_{name}")
                    or SelfHelpSiteSettings._meta.get_field(name).get_default()
                    for name in SITE_SETTINGS_READ_ALONG
                },
            )
        return SelfHelpSiteSettings.for_page(self.page)

    def get_site_name(self):
        """The name of the page's site, as ``page.get_site()`` would find it.

        Wagtail decides which site a page belongs to (translations of a
        site's root page count too); the site read along with the
        registration is used when Wagtail picks the same one.
        """
        if self._nearest_site_is_wagtails():
            return self.registration.nearest_site_name
        if self.url_parts is None:
            return ""
        return self.page.get_site().site_name

    def render(self, channel):
        """``(subject, text)`` in :meth:`get_language`; SMS have no subject."""
        prefix = self.get_template_prefix()
        with translation.override(self.get_language()):
            context = self.get_context()
            if channel == SMS:
                text = render_to_string(f"{prefix}_sms.txt", context)
                return "", " ".join(text.split())
            subject = render_to_string(f"{prefix}_subject.txt", context)
            body = render_to_string(f"{prefix}.txt", context)
        return " ".join(subject.split()), body

    def send_email(self, recipient, subject, text):
        message_id = make_msgid(domain=DNS_NAME)
        EmailMessage(
            subject,
            text,
            self.get_site_settings().get_from_email(),
            list(recipient.addresses),
            headers={"Message-ID": message_id},
            attachments=self.get_attachments(recipient),
        ).send()
        return State.SENT, message_id

    def send_sms(self, recipient, text):
        backend = get_sms_backend()
        (number,) = recipient.addresses
        result = backend.send(number, text, sender=sms_sender(self.get_site_settings()))
        state = State.QUEUED if result.queued else State.SENT
        return state, (result.message_id or "")[:255]

    def deliver(self):
        """Send to every recipient; the unsaved rows and the failure, if any.

        The gateway's error is logged and stored by its class name only, and
        the failure is raised by :func:`send` outside this ``except``, so
        not even a chained traceback carries the error's text.
        """
        rows, failed = [], False
        for recipient in self.get_recipients():
            row = OutgoingMessage(
                kind=self.kind,
                channel=recipient.channel,
                registration_id=self.get_row_registration_id(),
                page_id=self.page.pk,
                language=self.get_language(),
            )
            try:
                subject, text = self.render(recipient.channel)
                if recipient.channel == SMS:
                    row.state, row.gateway_message_id = self.send_sms(recipient, text)
                else:
                    row.state, row.gateway_message_id = self.send_email(
                        recipient, subject, text
                    )
                row.sent_at = timezone.now()
            except Exception as error:  # any gateway's or template's error
                row.state = State.FAILED
                row.error = type(error).__name__[:100]
                failed = True
                logger.warning(
                    "The %s message (%s) about %s failed: %s",
                    self.kind,
                    row.channel,
                    self.get_subject_label(),
                    row.error,
                )
            rows.append(row)
        if failed:
            return rows, NotificationFailed(self.kind, self.get_subject_label())
        return rows, None


class CoordinatorNotice(Notification):
    """Tells the page's coordinators that a registration came in.

    By e-mail to the page's notify addresses, with how many wait and a link
    to the admin's listing; nothing about the person.
    """

    kind = "new_registration"
    needs_waiting = True

    def get_recipients(self):
        addresses = tuple(self.page.get_notify_emails())
        return [Recipient(EMAIL, addresses)] if addresses else []

    def get_row_registration_id(self):
        return None

    def get_language(self):
        """The page's language: the coordinators', not the person's."""
        return self.get_page_language()

    def get_waiting(self):
        """How many wait on the page; counted along by :func:`get_registration`."""
        waiting = getattr(self.registration, "waiting", None)
        if waiting is None:
            waiting = Registration.objects.waiting().filter(page=self.page).count()
        return waiting

    def get_context(self):
        return {
            **super().get_context(),
            "waiting": self.get_waiting(),
            "admin_url": admin_url(
                reverse(REGISTRATION_INDEX_URL_NAME) + f"?page={self.page.pk}"
            ),
        }


class RegistrantNotification(Notification):
    """A message to the person who registered, through their channel.

    The context carries their self-service link (which names nobody); the
    SMS templates leave it out, since it does not fit one SMS.
    """

    channels = (EMAIL, SMS)

    def get_recipients(self):
        recipient = person_channel(self.registration, self.channels)
        return [recipient] if recipient else []

    def get_context(self):
        page = self.page
        return {
            **super().get_context(),
            "site_name": self.get_site_name(),
            "self_service_url": page.get_self_service_url(self.registration)
            if isinstance(page, AbstractGroupRegistrationPage)
            else "",
            "link_days": selvhjelp_settings.SELF_SERVICE_LINK_DAYS,
            "grace_days": privacy.retention_for(
                self.page, site_settings=self.get_site_settings()
            ).reconfirm_grace_days,
        }


class Receipt(RegistrantNotification):
    """Confirms to the person that their registration was received."""

    kind = "receipt"


class ReconfirmationRequest(RegistrantNotification):
    """Asks a long-waiting person whether they still want a group."""

    kind = "reconfirm"


class OfferMessage(RegistrantNotification):
    """Offers a member their place in a forming group, with a deadline.

    The e-mail holds the place, the time slot, the first meeting when set,
    the deadline, the answer link and the contact point; the SMS only the
    municipality, the deadline and the link. Never the group's topic, another
    member or anything the person answered. Where the person has neither
    e-mail nor a phone for SMS, :meth:`read_out` is the text a coordinator
    reads out on the phone.
    """

    kind = "offer"

    def __init__(self, registration, offer, *, contact_point=None):
        super().__init__(registration)
        self.offer = offer
        self.contact_point = contact_point

    def get_context(self):
        group = self.offer.group
        page = self.page
        return {
            "page_title": page.title,
            "site_name": self.get_site_name(),
            "offer": self.offer,
            "group": group,
            "place": group.place.name,
            "time_slot": group.time_slot.name,
            "answer_url": page.get_offer_url(self.offer)
            if isinstance(page, AbstractGroupRegistrationPage)
            else "",
            "contact_point": self.contact_point,
        }

    def read_out(self):
        """The message as a coordinator reads it out, in the person's
        language (not the coordinator's)."""
        with translation.override(self.get_language()):
            return render_to_string(
                "wagtail_selvhjelp/emails/offer_read_out.txt", self.get_context()
            )


class OfferReminder(OfferMessage):
    """The one reminder of an offer without an answer, before its deadline."""

    kind = "offer_reminder"


def contact_point_of(page):
    """The first contact point of the page's section, or None."""
    parent = page.get_parent()
    getter = getattr(parent.specific, "get_contact_points", None) if parent else None
    points = getter() if getter else []
    return points[0] if points else None


def send_offers(offer_ids, notification_class=OfferMessage):
    """Send the offer (or reminder) of each offer still open, and record
    when it was sent. A failing message does not keep the others from being
    sent; the first failure is raised at the end."""
    offers = list(
        Offer.objects.open()
        .filter(pk__in=offer_ids)
        .select_related("group__place", "group__time_slot")
        .order_by("pk")
    )
    contact_points = {}
    notifications = []
    for offer in offers:
        registration = get_registration(offer.registration_id)
        if registration is None:
            continue
        page = registration.get_specific_page()
        if page.pk not in contact_points:
            contact_points[page.pk] = contact_point_of(page)
        notifications.append(
            notification_class(
                registration, offer, contact_point=contact_points[page.pk]
            )
        )
    started = timezone.now()
    try:
        return send(*notifications)
    finally:
        if notification_class is OfferMessage:
            # Sent: a message went out (not failed) by its channel.
            went_out = OutgoingMessage.objects.filter(
                kind=notification_class.kind,
                registration_id__in=[offer.registration_id for offer in offers],
                created_at__gte=started,
            ).exclude(state=State.FAILED)
            Offer.objects.filter(
                pk__in=[offer.pk for offer in offers],
                sent_at__isnull=True,
                registration_id__in=went_out.values("registration_id"),
            ).update(sent_at=timezone.now())


class GroupContactNotice(Notification):
    """Tells the group's contact (the page's coordinator addresses, as
    :class:`CoordinatorNotice`) what a member said through their own link:
    "I can't come next time" or "I'm leaving". It holds the group's number,
    place and time slot and the registration number only: never the group's
    name (coordinators often name a group after its topic), the person's
    name or an answer."""

    kind = "member_notice"

    def __init__(self, registration, *, group, notice):
        super().__init__(registration)
        self.group = group
        self.notice = notice

    def get_template_prefix(self):
        return f"wagtail_selvhjelp/emails/member_{self.notice}"

    def get_recipients(self):
        addresses = tuple(self.page.get_notify_emails())
        return [Recipient(EMAIL, addresses)] if addresses else []

    def get_row_registration_id(self):
        return None

    def get_language(self):
        """The page's language: the coordinators', not the person's."""
        return self.get_page_language()

    def get_context(self):
        return {
            **super().get_context(),
            "group_number": self.group.pk,
            "place": self.group.place.name,
            "time_slot": self.group.time_slot.name,
            "registration_number": self.registration.pk,
        }


class FollowUpQuestion(RegistrantNotification):
    """The anonymous follow-up: "does the group still meet? was it useful?",
    with the person's one-time code in the link. E-mail only (the link does
    not fit one SMS); the code is in the message and nowhere else."""

    kind = "follow_up"
    channels = (EMAIL,)

    def __init__(self, registration, *, code):
        super().__init__(registration)
        self.code = code

    def get_context(self):
        return {
            **super().get_context(),
            "follow_up_url": self.page.get_follow_up_url(self.code),
        }


def send_group_contact_notice(registration_id, group_id, notice):
    """Tell the group's contact what a member said (``MemberNotice``)."""
    registration = get_registration(registration_id)
    group = (
        SelfHelpGroup.objects.select_related("place", "time_slot")
        .filter(pk=group_id)
        .first()
    )
    if registration is None or group is None:
        return []
    return send(GroupContactNotice(registration, group=group, notice=notice))


def send_follow_ups(today=None):
    """Open and send the follow-up of every group that is due: started at
    least ``FOLLOW_UP_AFTER_DAYS`` ago, still meeting, not yet followed up.

    Idempotent: a group's follow-up is opened once (``OpenFollowUp``). The
    codes live in memory until each is in its message; unused codes older
    than ``FOLLOW_UP_ANSWER_DAYS`` are deleted first. Returns the number of
    groups followed up.
    """
    today = today or timezone.localdate()
    FollowUpCode.objects.filter(
        follow_up__sent_on__lt=today
        - timedelta(days=selvhjelp_settings.FOLLOW_UP_ANSWER_DAYS)
    ).delete()
    days = selvhjelp_settings.FOLLOW_UP_AFTER_DAYS
    if days is None:
        return 0
    due = SelfHelpGroup.objects.filter(
        status=GroupStatus.ACTIVE,
        started_on__lte=today - timedelta(days=days),
        follow_up__isnull=True,
    )
    followed_up, failures = 0, []
    for group in due:
        codes = OpenFollowUp(group).execute(skip_permission_checks=True)
        if codes is None:
            continue
        followed_up += 1
        for registration_id, code in codes.items():
            registration = get_registration(registration_id)
            if registration is None:
                continue
            try:
                send(FollowUpQuestion(registration, code=code))
            except NotificationFailed as failure:
                failures.append(failure)
        del codes
    if failures:
        raise failures[0]
    return followed_up


def send(*notifications):
    """Send every notification, record it, raise the first failure.

    A failing message does not keep the others from being sent. Recorded
    (:class:`OutgoingMessage`): every message to a person, and any message
    that failed; a coordinators' notice that went out is not, as it names
    nobody and its task's result already says so. Each row is one INSERT
    without a transaction of its own (``bulk_create`` would add BEGIN and
    COMMIT), which keeps the form's POST with its messages within budget.
    """
    rows, failures = [], []
    for notification in notifications:
        sent, failure = notification.deliver()
        rows.extend(sent)
        if failure is not None:
            failures.append(failure)
    recorded = [
        row
        for row in rows
        if row.registration_id is not None or row.state == OutgoingMessage.State.FAILED
    ]
    for row in recorded:
        row.save()
    if failures:
        raise failures[0]
    return recorded


def send_for(registration_id, *notification_classes):
    """Send ``notification_classes`` about one registration, read once.

    Nothing happens if the registration was deleted before this ran.
    """
    registration = get_registration(
        registration_id,
        with_waiting=any(cls.needs_waiting for cls in notification_classes),
    )
    if registration is None:
        return []
    return send(*(cls(registration) for cls in notification_classes))


# The group's meetings


class MeetingDetails(RegistrantNotification):
    """Tells a member when and where their group meets, once it starts.

    By e-mail with the group's calendar file attached (:mod:`~.calendars`),
    or by SMS (only that a meeting is set, its date and time, and the
    municipality: no link, no place, no topic). Neither names the group's
    topic or another member.
    """

    kind = "meeting_details"

    def __init__(self, registration, group):
        super().__init__(registration)
        self.group = group

    def get_context(self):
        group = self.group
        return {
            "site_name": self.get_site_name(),
            "group": group,
            "place": group.place.name,
            "time_slot": group.time_slot.name,
            "date": group.first_meeting_date,
            "time": group.first_meeting_time,
            "venue": group.venue,
            "frequency": group.get_meeting_frequency_display(),
            "regular": group.meeting_frequency in calendars.RULES,
            "minutes": group.meeting_minutes,
        }

    def get_attachments(self, recipient):
        (address,) = recipient.addresses
        with translation.override(self.get_language()):
            content = calendars.build(
                self.group,
                organizer=parseaddr(self.get_site_settings().get_from_email())[1],
                attendee=address,
                site_name=self.get_site_name(),
            )
        if content is None:
            return []
        return [(calendars.FILENAME, content, calendars.CONTENT_TYPE)]


class MeetingUpdate(MeetingDetails):
    """Tells a member that their group's meeting changed (the calendar
    entry is replaced: same UID, a higher SEQUENCE)."""

    kind = "meeting_update"


class StarterMeetingDetails(MeetingDetails):
    """The same meeting details for one of the group's starters (from the
    register), by e-mail or else SMS; the message is about the group, so its
    record names no registration."""

    kind = "meeting_details_starter"
    template_prefix = "wagtail_selvhjelp/emails/meeting_details"

    def __init__(self, group, starter, *, update=False):
        self.registration = None
        self.group = group
        self.starter = starter
        self.page = group.page.specific
        self.update = update

    def get_language(self):
        """The page's language (its site's standard): a starter registered
        in no standard of their own."""
        return self.get_page_language()

    def get_subject_label(self):
        return f"group {self.group.pk}"

    def get_row_registration_id(self):
        return None

    def get_template_prefix(self):
        return "wagtail_selvhjelp/emails/" + (
            "meeting_update" if self.update else "meeting_details"
        )

    def get_recipients(self):
        if self.starter.email:
            return [Recipient(EMAIL, (self.starter.email,))]
        if self.starter.phone and sms_enabled():
            return [Recipient(SMS, (self.starter.phone,))]
        return []


def get_group(group_id):
    """The group with its page, place and time slot, or None if deleted."""
    return (
        SelfHelpGroup.objects.select_related("page", "place", "time_slot")
        .filter(pk=group_id)
        .first()
    )


def send_meeting_details(group_id, *, update=False):
    """Send a group's current members and its starter the meeting details.

    Nothing is sent for a deleted group, a group that is not active, or
    one without a first meeting (there is nothing to put in a calendar).
    ``update``: the meeting changed; the message says so.
    """
    group = get_group(group_id)
    if group is None or group.status != GroupStatus.ACTIVE:
        return []
    if calendars.first_meeting_start(group) is None:
        return []
    member_class = MeetingUpdate if update else MeetingDetails
    members = Registration.objects.with_specific_page().filter(
        memberships__group=group, memberships__is_current=True
    )
    return send(
        *(member_class(registration, group) for registration in members),
        *(
            StarterMeetingDetails(group, assignment.starter, update=update)
            for assignment in GroupStarter.objects.current()
            .filter(group=group)
            .select_related("starter")
        ),
    )
