"""Which models hold a person's data, and what each shows of it on request.

A :class:`PersonalData` entry names a model that holds data about a person
and says what the privacy tools do with it: what of it the right of access
shows (:func:`wagtail_selvhjelp.privacy.person_data` joins every entry's
part), what must happen to it before the person's registrations are deleted
(:func:`wagtail_selvhjelp.models.privacy.forget` runs every entry's step),
and what the privacy overview says it holds. The entries themselves are
``PERSONAL_DATA`` in ``models/privacy.py``, beside the deletion they feed, so
that a new model (a starter register, invitations, follow-ups) joins access,
erasure and the overview with one entry; a test fails for a model of the
package that is in neither that list nor ``HOLDS_NO_PERSONAL_DATA``.

The functions here turn one person's rows into plain data (for a JSON
download): names instead of ids where the name is not another person's,
ISO dates, and never another registrant's data.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..fields import EncryptedTextField
from .audit_log import SelfHelpLogEntry
from .groups import AvoidPair, GroupMembership
from .messages import OutgoingMessage
from .starters import GroupStarter, StarterCourse


#: Whose data an entry holds: a registrant's (found through their
#: registration) or a starter's (found through the starter register).
#: Access, erasure and retention go by reference to that row, never by
#: matching names.
REGISTRANT = "registrant"
STARTER = "starter"


@dataclass(frozen=True)
class PersonalData:
    """A model that holds people's data, and what privacy does with it.

    ``model`` is the model's label (``"app_label.ModelName"``); ``holds`` says
    what it holds about a person, for the privacy overview. ``access(registration)``
    returns this model's part of the person's data as ``{key: plain data}``, or
    is None when another entry's part already shows it. ``forget(registrations)``
    runs inside :func:`~wagtail_selvhjelp.models.privacy.forget` before those
    registrations are deleted; None when the rows go with the registration
    (a foreign key with ``CASCADE``) or are the registrations themselves.

    ``outlives`` says why rows are kept after the person is erased, for
    the few that must be (the audit trail).

    ``subject`` says whose data it is: a registrant's (the default) or a
    starter's; for a starter's entries ``access`` takes the ``Starter`` and
    the rows go with the starter's erasure
    (:func:`~wagtail_selvhjelp.models.starters.forget_starters`).
    """

    model: str
    holds: str
    access: Callable | None = None
    forget: Callable | None = None
    subject: str = REGISTRANT
    #: Why these rows deliberately outlive the person (the audit trail: a
    #: registration's number, who did what and when, never a name); empty
    #: for rows that go with the person or have a retention rule.
    outlives: str = ""


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def user_label(user):
    """How a user is named in a person's data and the overview."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def registration_data(registration):
    """The registration itself: every field (a site's subclass included, free
    texts decrypted, internal fields left out), its page, the choices by name
    and the exact consent text the person agreed to."""
    specific = registration.get_specific()
    model = type(specific)
    fields = {
        field.name: _plain(field.value_from_object(specific))
        for field in model._meta.concrete_fields
        if not field.is_relation and field.name not in model.internal_fields
    }
    return {
        "registration": fields,
        "registration_page": registration.page.title,
        "places": [place.name for place in registration.places.all()],
        "time_slots": [slot.name for slot in registration.time_slots.all()],
        "topics": [topic.name for topic in registration.topics.all()],
        "consent_text": registration.consent_text.text,
        # Where others wrote about the person: the place, never their text.
        "mentioned_in": [
            {
                "registration": mention.registration_id,
                "field": mention.field_name,
                "matched": list(mention.matched),
            }
            for mention in mentions_of(registration)
        ],
    }


def membership_data(registration):
    """The groups the person was placed in, and when."""
    memberships = GroupMembership.objects.filter(
        registration=registration
    ).select_related("group__place", "group__time_slot")
    return {
        "group_memberships": [
            {
                "group": membership.group.name,
                "place": membership.group.place.name,
                "time_slot": membership.group.time_slot.name,
                "joined_on": membership.joined_on.isoformat(),
                "left_on": _plain(membership.left_on),
                "placed_despite_mismatch_because": membership.override_reason,
            }
            for membership in memberships
        ]
    }


def offer_data(registration):
    """The offers of a place the person got, and their answers."""
    return {
        "offers_of_a_place": [
            {
                "group": offer.group.name,
                "state": offer.state,
                "deadline": _plain(offer.deadline),
                "sent_at": _plain(offer.sent_at),
                "reminded_at": _plain(offer.reminded_at),
                "answered_at": _plain(offer.answered_at),
                "after_declining": offer.then,
            }
            for offer in registration.offers.select_related("group").order_by(
                "created_at", "pk"
            )
        ]
    }


def avoid_data(registration):
    """Whom the person must not share a group with: numbers only, since
    those are other people."""
    return {
        "must_not_share_a_group_with_registrations": sorted(
            AvoidPair.objects.partners_of(registration)
        )
    }


def log_data(registration):
    """Who did what with the record, viewing included."""
    entries = (
        SelfHelpLogEntry.objects.for_instance(registration)
        .select_related("user")
        .order_by("timestamp", "pk")
    )
    return {
        "log": [
            {
                "action": entry.action,
                "timestamp": entry.timestamp.isoformat(),
                "user": user_label(entry.user),
            }
            for entry in entries
        ]
    }


def message_data(registration):
    """The messages sent to the person, or tried: which, how, when, whether
    they went out (never their text or the address, which are not kept)."""
    return {
        "messages": [
            {
                "kind": message.kind,
                "channel": message.channel,
                "state": message.state,
                "created_at": _plain(message.created_at),
                "sent_at": _plain(message.sent_at),
            }
            for message in OutgoingMessage.objects.filter(
                registration=registration
            ).order_by("created_at", "pk")
        ]
    }


def starter_data(starter):
    """The starter's own record: contact details, status, notes (decrypted),
    the pages, places, time slots and topics of their own, by name, and the
    log of who did what with the record."""
    return {
        "starter": {
            name: _plain(getattr(starter, name)) for name in starter.export_fields
        },
        "starter_pages": [page.title for page in starter.pages.all()],
        "starter_places": [place.name for place in starter.places.all()],
        "starter_time_slots": [slot.name for slot in starter.time_slots.all()],
        "starter_topics": [topic.name for topic in starter.topics.all()],
        "starter_log": log_data(starter)["log"],
    }


def starter_course_data(starter):
    """The courses the starter completed."""
    return {
        "starter_courses": [
            {
                "kind": course.kind,
                "completed_on": _plain(course.completed_on),
                "valid_until": _plain(course.valid_until),
            }
            for course in StarterCourse.objects.filter(starter=starter)
        ]
    }


def starter_assignment_data(starter):
    """The groups the starter started or accompanied: the group's name,
    place and time, never its members."""
    assignments = GroupStarter.objects.filter(starter=starter).select_related(
        "group__place", "group__time_slot"
    )
    return {
        "starter_groups": [
            {
                "group": assignment.group.name,
                "place": assignment.group.place.name,
                "time_slot": assignment.group.time_slot.name,
                "role": assignment.role,
                "from": _plain(assignment.since),
                "until": _plain(assignment.until),
                "planned_meetings": assignment.planned_meetings,
                "withdrawn_on": _plain(assignment.withdrawn_on),
                "withdrawal_reason": assignment.withdrawal_reason,
            }
            for assignment in assignments
        ]
    }


@dataclass(frozen=True)
class Mention:
    """Another registration's free text or note that names the person."""

    registration_id: int
    field_name: str
    label: str
    #: What matched: "name", "email", "phone".
    matched: tuple


#: A run of digits as people write phone numbers: "913 77 731", "+47 913-77-731".
PHONE_LIKE = re.compile(r"\+?\d[\d\s.\-()]{5,}\d")


def _phone_tail(value):
    """The last eight digits (a Norwegian number without its country code)."""
    digits = re.sub(r"\D", "", value or "")
    return digits[-8:] if len(digits) >= 8 else None


def _matches(text, registration):
    """What of ``registration``'s name, e-mail and phone ``text`` holds."""
    folded = " ".join(text.split()).casefold()
    matched = []
    name = " ".join((registration.name or "").split()).casefold()
    if name and name in folded:
        matched.append("name")
    if registration.email and registration.email.casefold() in folded:
        matched.append("email")
    tail = _phone_tail(registration.phone)
    if tail and any(_phone_tail(run) == tail for run in PHONE_LIKE.findall(text)):
        matched.append("phone")
    return tuple(matched)


def _encrypted_fields(model):
    return [
        model_field
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, EncryptedTextField)
    ]


def _mention(other, model_field, registration):
    text = model_field.value_from_object(other) or ""
    matched = _matches(text, registration) if text else ()
    if matched:
        return Mention(
            other.pk, model_field.name, str(model_field.verbose_name), matched
        )
    return None


def mentions_of(registration):
    """Free texts and coordinator notes of the page's other registrations
    that name the person behind ``registration`` (name, e-mail or phone).

    Encrypted fields cannot be searched in the database, so the page's
    texts are decrypted in memory here, for the erase page and the
    person's data export; nothing is stored. A site's subclass's encrypted
    fields are read too.
    """
    from . import AbstractGroupRegistrationPage, Registration

    page = registration.page.specific
    model = Registration
    if isinstance(page, AbstractGroupRegistrationPage):
        model = page.get_registration_model()
    encrypted = _encrypted_fields(model)
    others = model.objects.filter(page_id=registration.page_id).exclude(
        pk=registration.pk
    )
    found = []
    for other in others.order_by("pk"):
        for model_field in encrypted:
            mention = _mention(other, model_field, registration)
            if mention:
                found.append(mention)
    return found


def mention_in(registration, other, field_name):
    """The mention of ``registration``'s person in ``other``'s (specific)
    encrypted field ``field_name``, or None: another registration of the
    same page, and a text that still names them."""
    if other.pk == registration.pk or other.page_id != registration.page_id:
        return None
    for model_field in _encrypted_fields(type(other)):
        if model_field.name == field_name:
            return _mention(other, model_field, registration)
    return None
