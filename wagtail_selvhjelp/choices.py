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


class MentionKeptReason(models.TextChoices):
    """Why another person's text that names someone being erased stays as
    it is (a code, never free text, so the decision holds no name)."""

    OWN_ANSWER_SAFETY = (
        "own_answer_safety",
        _("The other person's own answer, kept for their safety"),
    )
    NOT_THIS_PERSON = (
        "not_this_person",
        _("It names someone else with the same name or number"),
    )
    LEGAL_DUTY = (
        "legal_duty",
        _("A record the municipality has a legal duty to keep"),
    )


class GroupEndReason(models.TextChoices):
    """Why a group ended."""

    DECIDED = "decided", _("The group decided to end")
    TOO_FEW = "too_few", _("Too few members were left")
    NEVER_STARTED = "never_started", _("The group never got started")
    OTHER = "other", _("Another reason")


class AfterGroupEnds(models.TextChoices):
    """What becomes of a group's members when it ends."""

    KEEP = "keep", _("Leave their status as it is (placed)")
    WAITING = "waiting", _("Put them back on the waiting list")
    WITHDRAWN = "withdrawn", _("Withdraw them from the waiting list")


class MemberNotice(models.TextChoices):
    """What a member may tell the group's contact through their own link."""

    ABSENT = "absent", _("I can't come next time")
    LEAVING = "leaving", _("I'm leaving the group")


class FollowUpMeets(models.TextChoices):
    """The follow-up's first question: does the group still meet?"""

    YES = "yes", _("Yes, the group still meets")
    NO = "no", _("No, the group no longer meets")
    UNSURE = "unsure", _("I don't know")


class FollowUpUseful(models.TextChoices):
    """The follow-up's second question: was the group useful?"""

    YES = "yes", _("Yes, useful")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No, not useful")


class GroupLifeMeasure(models.TextChoices):
    """What a row of the anonymous group statistics counts."""

    STARTED = "started", _("Groups started")
    ENDED = "ended", _("Groups ended")
    DEPARTED = "departed", _("Departures")
    DAYS_TO_GROUP = "days_to_group", _("Days from registration to a group")
    FOLLOW_UP = "follow_up", _("Follow-up answers: does the group still meet?")


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
    MUNICIPALITY = "municipality", _("Municipality")


class MeetingFrequency(models.TextChoices):
    """How often a group meets: a regular rhythm becomes a calendar ``RRULE``."""

    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every other week")
    IRREGULAR = "irregular", _("Irregularly, or not decided yet")


#: Minutes a group meeting lasts unless the coordinator sets another length.
DEFAULT_MEETING_MINUTES = 90


class StartReason(models.TextChoices):
    """Why a group starts without something it normally needs (a first
    meeting, a starter): recorded with the group, never free text."""

    MEMBERS_AGREE_MEETING = (
        "members_agree",
        _("The members agree on the first meeting among themselves"),
    )
    STARTER_LATER = "starter_later", _("A starter joins after the start")
    NO_STARTER_NEEDED = (
        "experienced",
        _("The members have been in a group before and need no starter"),
    )
    EXISTING_GROUP = "existing", _("The group already meets and is being recorded")
    OTHER = "other", _("Another reason")


class StarterStatus(models.TextChoices):
    """Whether a starter (*igangsetter*) can be asked to start a group."""

    ACTIVE = "active", _("Active")
    RESTING = "resting", _("Resting (not asked for now)")
    ARCHIVED = "archived", _("Archived (deleted after the retention time)")


class StarterRole(models.TextChoices):
    """A starter's part in a group: one lead, at most one co-starter."""

    LEAD = "lead", _("Lead starter")
    CO_STARTER = "co", _("Co-starter")


class StarterCourseKind(models.TextChoices):
    """The training a starter completed."""

    BASIC = "basic", _("Starter course")
    REFRESHER = "refresher", _("Refresher course")
    OTHER = "other", _("Other training")


class StarterWithdrawalReason(models.TextChoices):
    """Why a starter left a group (a code, never free text)."""

    GROUP_RUNS = "group_runs", _("The group runs on its own")
    OWN_WISH = "own_wish", _("The starter chose to stop")
    NOT_AVAILABLE = "not_available", _("The starter is no longer available")
    GROUP_ENDED = "group_ended", _("The group ended")
    OTHER = "other", _("Another reason")
    #: Set by the erasure of the starter, never chosen by hand.
    ERASED = "erased", _("The starter's data was erased")


#: Accompanied meetings planned for a new starter assignment, and the number
#: above which the admin warns (starters accompany a group for a few
#: meetings, then withdraw).
STARTER_PLANNED_MEETINGS = 3
STARTER_MEETINGS_WARNING_ABOVE = 8


class OfferState(models.TextChoices):
    """Where a member's offer of a seat in a forming group stands."""

    OFFERED = "offered", _("Offered, no answer yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("No answer by the deadline")
    WITHDRAWN = "withdrawn", _("Taken back by the coordinator")


#: Offers whose seat is no longer held: a declined, expired or taken-back
#: offer frees its seat for the next person.
FREED_OFFER_STATES = (OfferState.DECLINED, OfferState.EXPIRED, OfferState.WITHDRAWN)
