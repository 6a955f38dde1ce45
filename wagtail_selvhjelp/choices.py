"""Choices and field lengths shared by the models, the forms and the admin.

A plain module: it imports no model, so every layer can use it without an
import cycle (see ``docs/architecture.md``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


#: Limits on a registrant's free-text answers, shared by the public form and
#: the ``Registration`` model's ``max_length``.
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 20
AVOID_MAX_LENGTH = 200
ACCESS_NEEDS_MAX_LENGTH = 500
MESSAGE_MAX_LENGTH = 1000


class GroupKind(models.TextChoices):
    THEMED = "themed", _("A group where everyone shares one topic")
    MIXED = "mixed", _("A mixed group")
    ANY = "any", _("Either is fine")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    OTHER = "other", _("Other or non-binary")


class RegistrationStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    WAITING = "waiting", _("Waiting for a group")
    PLACED = "placed", _("Placed in a group")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SPAM = "spam", _("Spam")


#: Statuses of people who still want a group; duplicates are looked for here.
ACTIVE_STATUSES = (
    RegistrationStatus.NEW,
    RegistrationStatus.CONTACTED,
    RegistrationStatus.WAITING,
)


class GroupStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class LeaveReason(models.TextChoices):
    """Why a member left a group (kept with the membership, never free text)."""

    OWN_WISH = "own_wish", _("They chose to leave")
    NOT_SUITED = "not_suited", _("The group did not suit them")
    CANNOT_ATTEND = (
        "cannot_attend",
        _("They can no longer come (moved, new working hours)"),
    )
    NOT_REACHED = "not_reached", _("They could not be reached or never came")
    OTHER = "other", _("Another reason")


class GroupEndReason(models.TextChoices):
    """Why a group ended."""

    DECIDED = "decided", _("The group decided to end")
    TOO_FEW = "too_few", _("Too few members were left")
    NEVER_STARTED = "never_started", _("The group never got started")
    OTHER = "other", _("Another reason")


#: Statuses of groups a registration can be a current member of.
OPEN_GROUP_STATUSES = (GroupStatus.FORMING, GroupStatus.ACTIVE)


class CoordinatorReason(models.TextChoices):
    """Why someone is out of a stored proposal by the coordinator's hand.

    The engine's reason codes (``matching/reasons.py``) say why it could not
    place someone; these say what the coordinator did, and share the
    ``unplaced`` entries of a matching run with them, so their values must
    never equal an engine code. ``reason_texts`` renders both.
    """

    LEFT_OUT = "left_out", _("Left out")
    DROPPED = "dropped", _("Proposal dropped")
    #: Every place or every time slot the person chose is archived: they are
    #: not given to the engine (an editor's hand, not the coordinator's).
    ARCHIVED = "archived", _("Only archived choices")
    #: Not contacted yet, on a page that proposes only people contacted.
    NOT_CONTACTED = "not_contacted", _("Not contacted yet")


class NotReady(models.TextChoices):
    """Why someone in a proposed group may not be ready for it: a warning on
    the proposal page, not a rule (the coordinator decides)."""

    NEW = "new", _("Not contacted yet (status “New”)")
    UNANSWERED = "unanswered", _("Has not answered whether they still want a group")
    AVOID_UNLINKED = (
        "avoid_unlinked",
        _("Wrote whom they should not be grouped with, but no avoid link is made"),
    )


class Outcome(models.TextChoices):
    """What became of a registration, as counted by the anonymous statistics."""

    WAITING = "waiting", _("Still waiting")
    PLACED = "placed", _("Placed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    SPAM = "spam", _("Spam")


class StatisticDimension(models.TextChoices):
    """What a row of the anonymous statistics counts by."""

    TOTAL = "total", _("All registrations")
    PLACE = "place", _("Place")
    TOPIC = "topic", _("Topic")
    GROUP_KIND = "group_kind", _("Group wanted")
