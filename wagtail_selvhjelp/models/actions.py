"""Actions: every change of a person's or a group's state, in one place each.

Modelled on Wagtail's ``wagtail/actions/`` ("a single mutation … along with
its permission checks, audit logging, and signals … so that admin views, the
API, and code behave identically"), imitated here because Wagtail 7.0 has no
base class. An action is built with what it changes and who asks, and
:meth:`Action.execute` checks the permission against the page-scoped policy
(or, for a public link, that the signed link names the registration it
changes), writes in one transaction, logs with a log action from
``wagtail_selvhjelp.audit`` and sends :data:`~wagtail_selvhjelp.signals.action_executed`
after the commit.

Admin views, model methods, tasks and public routes call these actions;
nothing else writes a registration's status or a group membership. They live
in the models layer because public routes are methods of page models (the
self-service page), which may import nothing above it. Whether someone fits a
group is decided by the engine's ``check_proposal`` alone (:func:`misfits`).

Domain refusals (a full group, a closed group, a misfit without a reason)
raise ``ValidationError`` with messages for the user; a missing permission
raises :class:`ActionPermissionError`.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from .. import audit
from ..choices import (
    ACTIVE_STATUSES,
    AfterGroupEnds,
    FollowUpMeets,
    FollowUpUseful,
    GroupEndReason,
    GroupLifeMeasure,
    GroupStatus,
    LeaveReason,
    MentionKeptReason,
    Outcome,
    RegistrationStatus,
    StartReason,
)
from ..matching import MatchResult, ProposedGroup, check_proposal
from ..reason_texts import describe_misfit
from ..signals import action_executed
from .candidates import (
    avoid_map,
    candidate_for,
    open_group_for,
    prefetch_for_matching,
    rules_for,
)
from .group_life import (
    ANSWER_FIELDS,
    FollowUp,
    FollowUpCode,
    GroupLifeStatistic,
    hash_code,
)
from .groups import AvoidPair, GroupMembership
from .mentions import KeptMention, redacted, undecided
from .permissions import group_permission_policy, registration_permission_policy
from .personal_data import mention_in, mentions_of
from .privacy import forget
from .registrations import Registration


class ActionPermissionError(PermissionDenied):
    """The user (or link) may not carry out this action on this object."""


#: Statuses a coordinator records after talking to the person: like placing
#: them, they count as the person's answer to a pending re-confirmation.
CONTACT_STATUSES = (
    RegistrationStatus.CONTACTED,
    RegistrationStatus.WAITING,
    RegistrationStatus.PLACED,
)


def answered(now):
    """The fields that record the person's answer to a pending "do you still
    want a group?": confirming, being placed, or a coordinator's recorded
    contact all restart the wait and clear the question."""
    return {"confirmed_at": now, "reconfirmation_requested_at": None}


class Action:
    """One change: ``check()`` the permission, write, log, announce.

    ``user`` is the admin user who asks; ``link`` is the registration a
    signed public link names (the self-service page), for the actions a
    person takes on their own registration. Code paths with neither (the
    retention purge, a model method called by a script) pass
    ``skip_permission_checks=True``, as Wagtail's own model methods do.
    """

    #: The policy and the action name :meth:`check` asks it about.
    permission_policy = None
    permission_action = "change"
    #: Whether a person may take this action through a signed link to their
    #: own registration (the self-service page), without an admin user.
    link_may_act = False

    def __init__(self, *, user=None, link=None):
        self.user = user
        self.link = link

    def checked_instances(self):
        """The objects whose page the user must coordinate."""
        return []

    def check(self, skip_permission_checks=False):
        if skip_permission_checks:
            return
        instances = self.checked_instances()
        if self.link is not None:
            if (
                self.link_may_act
                and instances
                and all(
                    isinstance(instance, Registration) and instance.pk == self.link.pk
                    for instance in instances
                )
            ):
                return
            raise ActionPermissionError
        user = self.user
        if user is None:
            raise ActionPermissionError
        for instance in instances:
            if not self.permission_policy.user_has_permission_for_instance(
                user, self.permission_action, instance
            ):
                raise ActionPermissionError

    def execute(self, skip_permission_checks=False):
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            result = self._execute()
            transaction.on_commit(
                lambda: action_executed.send(sender=type(self), action=self),
                robust=True,
            )
        return result

    def _execute(self):
        raise NotImplementedError

    def log(self, instance, log_action, data=None):
        log(instance, log_action.code, user=self.user, data=data)


class RegistrationAction(Action):
    """An action on one registration, scoped by the registrations' policy."""

    permission_policy = registration_permission_policy

    def __init__(self, registration, **kwargs):
        super().__init__(**kwargs)
        self.registration = registration

    def checked_instances(self):
        return [self.registration]


class GroupAction(Action):
    """An action on one group, scoped by the groups' policy."""

    permission_policy = group_permission_policy

    def __init__(self, group, **kwargs):
        super().__init__(**kwargs)
        self.group = group

    def checked_instances(self):
        return [self.group]


# Registrations


class ChangeStatus(Action):
    """Set the status of one or many registrations, logging each change."""

    permission_policy = registration_permission_policy

    def __init__(self, registrations, status, **kwargs):
        super().__init__(**kwargs)
        if isinstance(registrations, Registration):
            registrations = Registration.objects.filter(pk=registrations.pk)
        self.registrations = registrations
        self.status = RegistrationStatus(status)

    def check(self, skip_permission_checks=False):
        if skip_permission_checks:
            return
        if self.user is None:
            raise ActionPermissionError
        allowed = self.permission_policy.instances_user_has_permission_for(
            self.user, "change"
        )
        if self.registrations.exclude(pk__in=allowed.values("pk")).exists():
            raise ActionPermissionError

    def _execute(self):
        now = timezone.now()
        changed = []
        for registration in self.registrations.select_for_update(of=("self",)):
            if registration.status == self.status:
                continue
            before = registration.status
            registration.status = self.status
            fields = ["status", "updated_at"]
            if self.status in CONTACT_STATUSES:
                answer = answered(now)
                for name, value in answer.items():
                    setattr(registration, name, value)
                fields += answer
            registration.save(update_fields=fields)
            self.log(
                registration, audit.STATUS, data={"from": before, "to": self.status}
            )
            changed.append(registration)
        return changed


class ConfirmWaiting(RegistrationAction):
    """Record that the person still wants a group (restarts the wait).

    From the admin (a coordinator asked by phone) or from the person's own
    self-service link; each is logged as its own action.
    """

    link_may_act = True

    def _execute(self):
        registration = self.registration
        if registration.status not in ACTIVE_STATUSES:
            raise ValidationError(
                gettext(
                    "Only someone still on the waiting list can confirm that they still want a group."
                )
            )
        answer = answered(timezone.now())
        for name, value in answer.items():
            setattr(registration, name, value)
        registration.save(update_fields=list(answer))
        self.log(registration, audit.SELF_CONFIRM if self.link else audit.CONFIRM)
        return registration


class LinkAvoid(Action):
    """Record that two registrations of one page must never share a group."""

    permission_policy = registration_permission_policy

    def __init__(self, one, other, **kwargs):
        super().__init__(**kwargs)
        self.one, self.other = one, other

    def checked_instances(self):
        return [self.one, self.other]

    def _execute(self):
        pair = AvoidPair.objects.link(self.one, self.other)
        for first, second in ((self.one, self.other), (self.other, self.one)):
            self.log(first, audit.AVOID_LINK, data={"other": second.pk})
        return pair


class UnlinkAvoid(LinkAvoid):
    """Take back an avoid link; returns whether there was one."""

    def _execute(self):
        first, second = sorted([self.one.pk, self.other.pk])
        deleted, _rows = AvoidPair.objects.filter(
            first_id=first, second_id=second
        ).delete()
        if deleted:
            for one, other in ((self.one, self.other), (self.other, self.one)):
                self.log(one, audit.AVOID_UNLINK, data={"other": other.pk})
        return bool(deleted)


class ChangeChoices(RegistrationAction):
    """The person changes their places and time slots while they wait.

    Only until they are placed: a placed person's group was chosen by them.
    The log entry holds the choices' ids, never names.
    """

    link_may_act = True

    def __init__(self, registration, *, places, time_slots, **kwargs):
        super().__init__(registration, **kwargs)
        self.places = list(places)
        self.time_slots = list(time_slots)

    def _execute(self):
        registration = self.registration
        if not Registration.objects.waiting().filter(pk=registration.pk).exists():
            raise ValidationError(
                gettext(
                    "Places and times can be changed only while you wait for a group."
                )
            )
        if not (self.places and self.time_slots):
            raise ValidationError(gettext("Choose at least one place and one time."))
        registration.places.set(self.places)
        registration.time_slots.set(self.time_slots)
        Registration.objects.filter(pk=registration.pk).update(
            updated_at=timezone.now()
        )
        self.log(
            registration,
            audit.SELF_CHANGE_CHOICES,
            data={
                "places": [place.pk for place in self.places],
                "time_slots": [slot.pk for slot in self.time_slots],
            },
        )
        return registration


class Withdraw(RegistrationAction):
    """The person withdraws on their self-service page: deleted at once."""

    link_may_act = True

    def _execute(self):
        self.log(self.registration, audit.SELF_WITHDRAW)
        return forget(
            Registration.objects.filter(pk=self.registration.pk),
            outcome=Outcome.WITHDRAWN,
        )


class DeleteRegistration(RegistrationAction):
    """A coordinator deletes a registration, keeping only anonymous counts."""

    permission_action = "delete"
    #: Wagtail's own log action, as the generic delete view writes it.
    log_action_code = "wagtail.delete"

    def _execute(self):
        log(self.registration, self.log_action_code, user=self.user)
        return forget(Registration.objects.filter(pk=self.registration.pk))


class Erase(DeleteRegistration):
    """Erase the person behind a registration (GDPR art. 17), for real.

    Refused while another registration's text names the person with no
    decision (:class:`RedactMention` or :class:`KeepMention`): after the
    erasure their name is gone, and so is any way to find those texts.
    """

    permission_action = "erase"
    log_action_code = audit.ERASE.code

    def _execute(self):
        if undecided(self.registration, mentions_of(self.registration)):
            raise ValidationError(
                gettext(
                    "Other people's texts still name this person. Remove each "
                    "mention or record why it stays, then erase."
                )
            )
        return super()._execute()


class MentionAction(Action):
    """A decision on another registration's text that names someone being
    erased: part of the erasure, so it takes the ``erase`` permission on
    both registrations (which share a page). Logged on the other
    registration with the field, never the text or whom it named."""

    permission_policy = registration_permission_policy
    permission_action = "erase"

    def __init__(self, subject, registration, field_name, **kwargs):
        super().__init__(**kwargs)
        self.subject = subject
        self.registration = registration
        self.field_name = field_name

    def checked_instances(self):
        return [self.subject, self.registration]

    def locked_mention(self):
        """The other registration (its page's model, locked) and the
        mention, or a ``ValidationError`` when its text no longer names the
        person."""
        specific = self.registration.get_specific()
        other = type(specific).objects.select_for_update().get(pk=specific.pk)
        mention = mention_in(self.subject, other, self.field_name)
        if mention is None:
            raise ValidationError(gettext("This text no longer names the person."))
        return other, mention


class RedactMention(MentionAction):
    """Replace the person's name, e-mail and phone number in the other
    registration's text with a neutral marker, in that page's language."""

    def _execute(self):
        other, mention = self.locked_mention()
        language = getattr(other.page.locale, "language_code", None)
        text = getattr(other, self.field_name)
        with translation.override(language):
            setattr(other, self.field_name, redacted(text, self.subject))
        other.save(update_fields=[self.field_name, "updated_at"])
        KeptMention.objects.filter(
            subject=self.subject, registration=other, field_name=self.field_name
        ).delete()
        self.log(
            other,
            audit.MENTION_REDACT,
            data={"field": self.field_name, "matched": list(mention.matched)},
        )
        return mention


class KeepMention(MentionAction):
    """Record why the other registration's text stays as it is: a reason
    code, who and when, and nothing of what it says."""

    def __init__(self, subject, registration, field_name, reason, **kwargs):
        super().__init__(subject, registration, field_name, **kwargs)
        self.reason = MentionKeptReason(reason)

    def _execute(self):
        other, mention = self.locked_mention()
        KeptMention.objects.update_or_create(
            subject=self.subject,
            registration_id=other.pk,
            field_name=self.field_name,
            defaults={
                "reason": self.reason,
                "decided_by": self.user,
                "decided_at": timezone.now(),
            },
        )
        self.log(
            other,
            audit.MENTION_KEEP,
            data={"field": self.field_name, "reason": self.reason.value},
        )
        return mention


# Groups


def misfits(group, registrations, *, members=None):
    """{registration id: [messages]} for those of ``registrations`` who do
    not fit ``group``, decided by the engine's ``check_proposal``.

    ``members`` are the group's current members' registrations (read when not
    given). The messages name the rule broken (place, time, kind, topic,
    gender, age, avoid) in the active language.
    """
    page = group.registration_page()
    if members is None:
        members = [
            membership.registration
            for membership in group.current_memberships().select_related("registration")
        ]
    member_ids = {member.pk for member in members}
    newcomers = list(
        prefetch_for_matching(
            Registration.objects.filter(
                pk__in=[r.pk for r in registrations if r.pk not in member_ids]
            )
        )
    )
    problems = {}
    ready = []
    for registration in newcomers:
        missing = []
        if not registration.places.all():
            missing.append("place")
        if not registration.time_slots.all():
            missing.append("slot")
        if missing:
            problems[registration.pk] = missing
        else:
            ready.append(registration)
    if ready:
        ids = {registration.pk for registration in ready}
        partners = avoid_map(ids)
        known = ids | member_ids
        open_group = open_group_for(group, members)
        violations = check_proposal(
            [candidate_for(r, avoid=partners.get(r.pk, set()) & known) for r in ready],
            rules_for(page),
            [open_group],
            MatchResult(
                groups=[
                    ProposedGroup(
                        members=tuple(sorted(ids)),
                        place=open_group.place,
                        slot=open_group.slot,
                        topic=open_group.topic,
                        gender=open_group.gender,
                        open_group=group.pk,
                    )
                ],
                unplaced={},
                upper_bound=len(ids),
            ),
        )
        for violation in violations:
            if violation.rule in ("full", "size", "bookkeeping", "unknown"):
                continue  # structural: the actions say those themselves
            concerned = ids if violation.member is None else {violation.member}
            for pk in concerned:
                rules = problems.setdefault(pk, [])
                if violation.rule not in rules:
                    rules.append(violation.rule)
    return {
        pk: [
            describe_misfit(
                rule,
                mixed_group=group.topic_id is None,
                max_age_span=page.max_age_span,
            )
            for rule in rules
        ]
        for pk, rules in problems.items()
    }


class Misfit(ValidationError):
    """Someone does not fit the group and no reason to place them anyway was given."""


class PlaceMembers(GroupAction):
    """Place one or many registrations in a group.

    The group must be open and have room; a started group is closed unless
    ``group_agreed``; everyone must fit (:func:`misfits`) unless an
    ``override_reason`` is recorded, or the caller has just checked the
    whole proposal, size included, under row locks (``checked=True``,
    "create groups"). One log entry names everyone placed.
    Placing someone counts as their answer to a pending re-confirmation.
    Raises ``IntegrityError`` when someone is a current member elsewhere
    (the database constraint).
    """

    def __init__(
        self,
        group,
        registrations,
        *,
        override_reason="",
        group_agreed=False,
        joined_on=None,
        checked=False,
        **kwargs,
    ):
        super().__init__(group, **kwargs)
        self.registrations = list(registrations)
        self.override_reason = override_reason.strip()
        self.group_agreed = group_agreed
        self.joined_on = joined_on
        self.checked = checked

    def _check_room(self, page):
        group = self.group
        if not group.is_open:
            raise ValidationError(gettext("An ended group takes no new members."))
        count = group.current_memberships().count()
        if count + len(self.registrations) > page.group_max_size:
            raise ValidationError(
                ngettext(
                    "The group is full: it has %(count)s member.",
                    "The group is full: it has %(count)s members.",
                    count,
                )
                % {"count": count}
            )
        if group.status == GroupStatus.ACTIVE and not self.group_agreed:
            raise ValidationError(
                gettext(
                    "The group has started, so it is closed: confirm that the "
                    "group agreed to take a new member."
                )
            )

    def _execute(self):
        group = self.group
        problems = {}
        if not self.checked:
            self._check_room(group.registration_page())
            problems = misfits(group, self.registrations)
        if problems and not self.override_reason:
            raise Misfit([m for messages in problems.values() for m in messages])
        joined_on = self.joined_on or timezone.localdate()
        memberships = GroupMembership.objects.bulk_create(
            GroupMembership(
                group=group,
                registration=registration,
                joined_on=joined_on,
                override_reason=self.override_reason
                if registration.pk in problems
                else "",
                group_agreed=self.group_agreed,
            )
            for registration in self.registrations
        )
        now = timezone.now()
        ids = [registration.pk for registration in self.registrations]
        # Placed; being placed is their answer to a pending re-confirmation.
        # One UPDATE.
        Registration.objects.filter(pk__in=ids).update(
            status=RegistrationStatus.PLACED, updated_at=now, **answered(now)
        )
        for registration in self.registrations:
            registration.status = RegistrationStatus.PLACED
        self._count_days_to_group(group, ids, memberships, joined_on)
        # One entry for the placement; the overrides, rare, one each.
        self.log(
            group,
            audit.PLACE,
            data={
                "registrations": ids,
                "override": bool(problems),
                "group_agreed": self.group_agreed,
            },
        )
        for membership in memberships:
            if membership.override_reason:
                self.log(
                    group,
                    audit.OVERRIDE,
                    data={"registration": membership.registration.pk},
                )
        return memberships

    def _count_days_to_group(self, group, ids, memberships, joined_on):
        """Add the days from registration to a first group to the yearly
        statistics (a second group after leaving one is not counted again)."""
        placed_before = set(
            GroupMembership.objects.filter(registration_id__in=ids)
            .exclude(pk__in=[membership.pk for membership in memberships])
            .values_list("registration_id", flat=True)
        )
        days = Counter(
            (joined_on - timezone.localdate(registration.created_at)).days
            for registration in self.registrations
            if registration.pk not in placed_before
        )
        GroupLifeStatistic.add(
            group.page, GroupLifeMeasure.DAYS_TO_GROUP, days, on=joined_on
        )


def free_current_members(group, *, status=RegistrationStatus.WAITING):
    """Current members placed in ``group`` get ``status`` (waiting, or
    withdrawn): the one writer of "no longer placed" besides the purge."""
    return Registration.objects.filter(
        memberships__group=group,
        memberships__is_current=True,
        status=RegistrationStatus.PLACED,
    ).update(status=status, updated_at=timezone.now())


class RemoveMember(GroupAction):
    """A member leaves a group, with a reason code, and either waits for a
    group again (``then=WAITING``) or leaves the waiting list (``WITHDRAWN``).

    A coordinator removes them from the admin, or the person leaves through
    their own self-service link (``link=``, reason "they chose to leave").
    The departure is counted, by reason, in the yearly statistics.
    """

    link_may_act = True

    def __init__(
        self,
        membership,
        *,
        reason="",
        then=RegistrationStatus.WAITING,
        today=None,
        **kwargs,
    ):
        super().__init__(membership.group, **kwargs)
        self.membership = membership
        self.reason = reason
        self.then = RegistrationStatus(then)
        self.today = today
        if self.then not in (RegistrationStatus.WAITING, RegistrationStatus.WITHDRAWN):
            raise ValueError(f"A member leaves to waiting or withdrawn, not {then!r}")
        if reason and reason not in LeaveReason.values:
            raise ValueError(f"Not a reason to leave: {reason!r}")

    def checked_instances(self):
        if self.link is not None:
            # A person may end only their own membership.
            return [self.membership.registration]
        return super().checked_instances()

    def _execute(self):
        membership = self.membership
        if not membership.is_current:
            raise ValidationError(gettext("They are no longer in the group."))
        membership.left_on = self.today or timezone.localdate()
        membership.is_current = False
        membership.left_reason = self.reason
        membership.save(update_fields=["left_on", "is_current", "left_reason"])
        Registration.objects.filter(
            pk=membership.registration_id, status=RegistrationStatus.PLACED
        ).update(status=self.then, updated_at=timezone.now())
        GroupLifeStatistic.add(
            membership.group.page,
            GroupLifeMeasure.DEPARTED,
            {self.reason: 1},
            on=membership.left_on,
        )
        self.log(
            membership.group,
            audit.REMOVE,
            data={
                "registration": membership.registration_id,
                "reason": self.reason,
                "then": self.then,
            },
        )
        return membership


@dataclass(frozen=True)
class StartRequirement:
    """One thing a group needs before it starts.

    ``is_met(group)`` answers whether the group has it; ``message`` says
    what is missing, in the active language; a requirement that is
    ``waivable`` may be left unmet when the coordinator records a reason
    (``StartReason``). Each check reads the group on its own, so another
    requirement is one more entry in :attr:`StartGroup.requirements`.
    """

    code: str
    label: str
    message: Callable
    is_met: Callable
    waivable: bool = False
    #: Whether the requirement concerns ``group`` at all (an invitation
    #: round's answers only where a round was held).
    applies: Callable = lambda group: True


def _size_is_within_bounds(group):
    page = group.registration_page()
    count = group.current_memberships().count()
    return page.group_min_size <= count <= page.group_max_size


def _size_message(group):
    page = group.registration_page()
    return gettext(
        "A group can start with %(min)s to %(max)s members; this one has %(count)s."
    ) % {
        "min": page.group_min_size,
        "max": page.group_max_size,
        "count": group.current_memberships().count(),
    }


#: Enough members, within the page's size bounds (never waived).
MEMBERS = StartRequirement(
    code="members",
    label=_("Enough members"),
    message=_size_message,
    is_met=_size_is_within_bounds,
)


def _had_invitation_round(group):
    from .invitations import Offer

    return Offer.objects.filter(group=group).exists()


def _enough_accepted(group):
    from .invitation_actions import enough_accepted

    return enough_accepted(group)


def _too_few_accepted(group):
    from .invitation_actions import too_few_accepted_message

    return too_few_accepted_message(group)


#: After an invitation round, at least the page's minimum accepted (never
#: waived; members who never answered are released at the start).
ACCEPTED = StartRequirement(
    code="accepted",
    label=_("Enough members accepted the invitation"),
    message=_too_few_accepted,
    is_met=_enough_accepted,
    applies=_had_invitation_round,
)


def _has_starter(group):
    from .starters import group_has_current_starter

    return group_has_current_starter(group)


#: A starter from the register accompanies the group.
STARTER = StartRequirement(
    code="starter",
    label=_("A starter"),
    message=lambda group: gettext(
        "The group has no starter: add one, or choose why it starts without."
    ),
    is_met=_has_starter,
    waivable=True,
)

#: A first meeting with a date and a time.
FIRST_MEETING = StartRequirement(
    code="first_meeting",
    label=_("A first meeting"),
    message=lambda group: gettext(
        "The group has no first meeting (a date and a time): set one, or "
        "choose why it starts without."
    ),
    is_met=lambda group: group.has_first_meeting,
    waivable=True,
)


class ReportAbsence(Action):
    """A member tells the group's contact, through their own link, that they
    cannot come next time: logged on the group (ids only) and announced, so
    that ``handlers`` sends the contact a notice (the group's name and the
    registration number, nothing else)."""

    link_may_act = True

    def __init__(self, membership, **kwargs):
        super().__init__(**kwargs)
        self.membership = membership

    def checked_instances(self):
        return [self.membership.registration]

    def _execute(self):
        membership = self.membership
        if not membership.is_current:
            raise ValidationError(gettext("You are no longer in the group."))
        self.log(
            membership.group,
            audit.MEMBER_ABSENT,
            data={"registration": membership.registration_id},
        )
        return membership


class StartGroup(GroupAction):
    """Start a forming group: it is then closed to newcomers.

    Every one of :attr:`requirements` must be met, except those that may be
    waived when a ``reason`` (a ``StartReason`` code) is given; the reason
    is kept with the group. After the commit, ``handlers`` sends the
    members and the starter the meeting details.

    After an invitation round, at least the page's minimum must have
    accepted, and members who never answered are released to the waiting
    list (``invitation_actions.settle_offers_at_start``).
    """

    #: What a group needs to start, checked in this order.
    requirements = (MEMBERS, ACCEPTED, STARTER, FIRST_MEETING)

    def __init__(self, group, *, reason="", **kwargs):
        super().__init__(group, **kwargs)
        if reason and reason not in StartReason.values:
            raise ValueError(f"Not a start reason: {reason!r}")
        self.reason = reason

    @classmethod
    def applicable(cls, group):
        """The requirements that concern ``group``, in order."""
        return [r for r in cls.requirements if r.applies(group)]

    @classmethod
    def unmet(cls, group):
        """The requirements ``group`` does not meet, in order."""
        return [
            requirement
            for requirement in cls.applicable(group)
            if not requirement.is_met(group)
        ]

    def refusals(self):
        """The unmet requirements this start may not go ahead without."""
        return [
            requirement
            for requirement in self.unmet(self.group)
            if not (requirement.waivable and self.reason)
        ]

    def _execute(self):
        group = self.group
        # The row is locked so that two coordinators starting the group at
        # once start it (and send its meeting) once.
        before = (
            type(group)
            .objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=group.pk)
        )
        if before != GroupStatus.FORMING:
            group.status = before
            raise ValidationError(gettext("Only a forming group can start."))
        # Invitations: enough members accepted; who never answered is released.
        from .invitation_actions import settle_offers_at_start

        settle_offers_at_start(group, user=self.user)
        group.check_can_start(reason=self.reason)
        unmet = self.unmet(group)
        group.status = GroupStatus.ACTIVE
        group.start_reason = self.reason if unmet else ""
        group.started_on = timezone.localdate()
        group.save(update_fields=["status", "start_reason", "started_on"])
        GroupLifeStatistic.add(
            group.page, GroupLifeMeasure.STARTED, {"": 1}, on=group.started_on
        )
        self.log(
            group,
            audit.GROUP_STATUS,
            data={
                "from": before,
                "to": group.status,
                "reason": group.start_reason,
                "waived": [requirement.code for requirement in unmet],
            },
        )
        return group


#: The group's fields that make up its meetings in the members' calendars.
MEETING_FIELDS = (
    "first_meeting_date",
    "first_meeting_time",
    "venue",
    "meeting_frequency",
    "meeting_minutes",
)


class ChangeMeeting(GroupAction):
    """Change when, where, how often or how long a group meets.

    Once the group has started, its members hold the meeting in their
    calendars: the calendar entry's ``SEQUENCE`` is raised and, after the
    commit, ``handlers`` sends everyone the update (same UID). Only the
    names of the changed fields are logged.
    """

    def __init__(self, group, changes, **kwargs):
        super().__init__(group, **kwargs)
        unknown = set(changes) - set(MEETING_FIELDS)
        if unknown:
            raise ValueError(f"Not meeting fields: {sorted(unknown)}")
        self.changes = changes
        self.changed = []

    @property
    def notifies(self):
        """Whether the members are sent the changed meeting."""
        return bool(self.changed) and self.group.status == GroupStatus.ACTIVE

    def _execute(self):
        group = self.group
        self.changed = [
            name
            for name, value in self.changes.items()
            if getattr(group, name) != value
        ]
        if not self.changed:
            return group
        for name in self.changed:
            setattr(group, name, self.changes[name])
        fields = list(self.changed)
        if group.status == GroupStatus.ACTIVE:
            # Raised in the database, so two changes at once count twice.
            group.calendar_sequence = F("calendar_sequence") + 1
            fields.append("calendar_sequence")
        group.save(update_fields=fields)
        group.refresh_from_db(fields=["calendar_sequence"])
        self.log(
            group,
            audit.MEETING_CHANGE,
            data={"fields": self.changed, "sequence": group.calendar_sequence},
        )
        return group


class EndGroup(GroupAction):
    """End a group with a reason code, recording the date; its memberships end.

    ``then`` says what becomes of the current members (``AfterGroupEnds``):
    they keep the status "placed" (they were placed, and the retention rule
    for former members counts from the day the group ended), go back on the
    waiting list, or are withdrawn. The end is counted, by reason, in the
    yearly statistics.
    """

    def __init__(
        self, group, *, reason="", then=AfterGroupEnds.KEEP, today=None, **kwargs
    ):
        super().__init__(group, **kwargs)
        self.reason = reason
        self.then = AfterGroupEnds(then)
        self.today = today
        if reason and reason not in GroupEndReason.values:
            raise ValueError(f"Not a reason to end a group: {reason!r}")

    def _execute(self):
        group = self.group
        before = group.status
        if before == GroupStatus.ENDED:
            raise ValidationError(gettext("The group has already ended."))
        today = self.today or timezone.localdate()
        if self.then != AfterGroupEnds.KEEP:
            free_current_members(group, status=RegistrationStatus(self.then))
        group.status = GroupStatus.ENDED
        group.ended_on = today
        group.end_reason = self.reason
        group.save(update_fields=["status", "ended_on", "end_reason"])
        members = group.current_memberships().update(is_current=False, left_on=today)
        GroupLifeStatistic.add(
            group.page,
            GroupLifeMeasure.ENDED,
            {self.reason: 1},
            on=today,
        )
        self.log(
            group,
            audit.GROUP_STATUS,
            data={
                "from": before,
                "to": group.status,
                "reason": self.reason,
                "members": members,
                "then": self.then,
            },
        )
        return group


# The follow-up


class OpenFollowUp(GroupAction):
    """Open a started group's anonymous follow-up, once: one code per current
    member, returned in memory as ``{registration id: code}`` for the
    messages; only the codes' hashes are stored, with the group and no
    registration (see ``models/group_life.py``). Returns None when the
    group's follow-up already exists (the scheduled job is idempotent)."""

    def _execute(self):
        group = self.group
        follow_up, created = FollowUp.objects.get_or_create(group=group)
        if not created:
            return None
        # The question goes by e-mail; codes only for those who get one.
        member_ids = list(
            group.current_memberships()
            .exclude(registration__email="")
            .values_list("registration_id", flat=True)
        )
        codes = follow_up.create_codes(len(member_ids))
        follow_up.sent_count = len(member_ids)
        follow_up.save(update_fields=["sent_count"])
        self.log(group, audit.FOLLOW_UP_SENT, data={"count": len(member_ids)})
        return dict(zip(member_ids, codes, strict=True))


class AnswerFollowUp(Action):
    """Count one anonymous answer to a follow-up, given its one-time code.

    The code is the permission: a bad or used code raises
    :class:`ActionPermissionError`. The code's row is deleted and the
    answers only added to the group's counts (and "does the group still
    meet?" to the yearly statistics); nothing records who answered.
    """

    def __init__(self, code, *, meets="", useful="", **kwargs):
        super().__init__(**kwargs)
        self.code = code
        self.meets = meets
        self.useful = useful
        if meets and meets not in FollowUpMeets.values:
            raise ValueError(f"Not an answer: {meets!r}")
        if useful and useful not in FollowUpUseful.values:
            raise ValueError(f"Not an answer: {useful!r}")

    def check(self, skip_permission_checks=False):
        """The code is checked (and spent) inside the transaction."""

    def _execute(self):
        row = (
            FollowUpCode.objects.select_for_update()
            .select_related("follow_up__group__page")
            .filter(code_hash=hash_code(self.code))
            .first()
        )
        if row is None:
            raise ActionPermissionError
        follow_up = row.follow_up
        row.delete()
        increments = {"answer_count": F("answer_count") + 1}
        for question, answer in (("meets", self.meets), ("useful", self.useful)):
            if answer:
                name = ANSWER_FIELDS[(question, answer)]
                increments[name] = F(name) + 1
        FollowUp.objects.filter(pk=follow_up.pk).update(**increments)
        group = follow_up.group
        if self.meets:
            GroupLifeStatistic.add(
                group.page,
                GroupLifeMeasure.FOLLOW_UP,
                {self.meets: 1},
                on=follow_up.sent_on,
            )
        self.log(group, audit.FOLLOW_UP_ANSWER)
        return follow_up
