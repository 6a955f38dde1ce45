"""Self-help groups, their members, and pairs who must never share a group.

The invariants, and who keeps each:

* a member can attend the group's place and time slot and fits its kind,
  topic, gender and age span, and shares it with no one they must avoid
  (the engine's ``check_proposal``, asked by the actions); a coordinator may
  place someone anyway only by recording a reason;
* an active group is closed: a newcomer needs the group's recorded consent;
* a group becomes active only within its page's size bounds, and with a
  starter and a first meeting unless a reason to start without is recorded
  (the requirements of ``StartGroup``);
* a registration is a current member of at most one group, which a partial
  unique constraint in the database guarantees even when two coordinators
  race.

Every change (placing, removing, starting, ending) is an action in
``models/actions.py``; the methods here delegate to them.

A group outlives its members' personal data: deleting a registration
deletes its memberships, never the group's own record.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import (
    DEFAULT_MEETING_MINUTES,
    OPEN_GROUP_STATUSES,
    Gender,
    GroupEndReason,
    GroupStatus,
    LeaveReason,
    MeetingFrequency,
    StartReason,
)
from ..fields import EncryptedTextField
from .page_scoped import PageScopedModel, PageScopedQuerySet
from .registrations import Registration


class SelfHelpGroupQuerySet(PageScopedQuerySet):
    def open(self):
        """Groups still forming or meeting (not ended)."""
        return self.filter(status__in=OPEN_GROUP_STATUSES)


class SelfHelpGroup(PageScopedModel):
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("For coordinators, e.g. “Gol, Tuesday evenings, grief”."),
    )
    place = models.ForeignKey(
        "wagtail_selvhjelp.RegistrationPlace",
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("place"),
    )
    time_slot = models.ForeignKey(
        "wagtail_selvhjelp.RegistrationTimeSlot",
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("time slot"),
    )
    topic = models.ForeignKey(
        "wagtail_selvhjelp.RegistrationTopic",
        on_delete=models.RESTRICT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("topic"),
        help_text=_("Empty for a mixed group."),
    )
    gender = models.CharField(
        _("only for"),
        max_length=10,
        choices=Gender.choices,
        blank=True,
        help_text=_("Empty unless the group is for one gender only."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GroupStatus.choices,
        default=GroupStatus.FORMING,
        db_index=True,
    )
    first_meeting_date = models.DateField(_("first meeting"), null=True, blank=True)
    first_meeting_time = models.TimeField(
        _("time of the first meeting"), null=True, blank=True
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    meeting_frequency = models.CharField(
        _("how often the group meets"),
        max_length=20,
        choices=MeetingFrequency.choices,
        default=MeetingFrequency.IRREGULAR,
        help_text=_(
            "A weekly or fortnightly rhythm repeats in the members' calendars "
            "from the first meeting on."
        ),
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("how long a meeting lasts (minutes)"),
        default=DEFAULT_MEETING_MINUTES,
        validators=[MinValueValidator(15), MaxValueValidator(600)],
    )
    # The calendar entry the members get: one identifier per group, made up
    # (never derived from anyone's data), and a counter raised on every
    # change so that calendars replace the entry instead of adding one.
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)
    start_reason = models.CharField(
        _("why it started without a first meeting or a starter"),
        max_length=20,
        choices=StartReason.choices,
        blank=True,
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_on = models.DateField(
        _("started on"), null=True, blank=True, editable=False
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
    end_reason = models.CharField(
        _("why it ended"),
        max_length=20,
        choices=GroupEndReason.choices,
        blank=True,
        editable=False,
    )
    # Members whose personal data has been deleted (retention or erasure):
    # the group's size outlives their names.
    former_member_count = models.PositiveSmallIntegerField(
        _("former members whose data is deleted"), default=0, editable=False
    )

    objects = SelfHelpGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-help group")
        verbose_name_plural = _("self-help groups")
        ordering = ["-created_at", "pk"]

    def __str__(self):
        return self.name

    @property
    def topic_label(self):
        return self.topic.name if self.topic_id else gettext("Mixed")

    def delete(self, *args, **kwargs):
        from .actions import free_current_members

        # Its current members wait for a group again.
        with transaction.atomic():
            free_current_members(self)
            return super().delete(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in OPEN_GROUP_STATUSES

    def current_memberships(self):
        return self.memberships.filter(is_current=True)

    def registration_page(self):
        """The group's registration page with its size and age rules."""
        return self.page.specific

    # Rules and state changes: delegates to the actions (models/actions.py),
    # which check, write and log; called from code, so without a user.

    def incompatibilities(self, registration, *, members=None):
        """Why ``registration`` does not fit this group: a list of messages,
        empty when it fits (the engine's ``check_proposal`` decides)."""
        from .actions import misfits

        return misfits(self, [registration], members=members).get(registration.pk, [])

    def add_member(self, registration, *, override_reason="", group_agreed=False):
        """Place ``registration`` in this group and return the membership
        (see :class:`~.actions.PlaceMembers`)."""
        from .actions import PlaceMembers

        (membership,) = PlaceMembers(
            self,
            [registration],
            override_reason=override_reason,
            group_agreed=group_agreed,
        ).execute(skip_permission_checks=True)
        registration.status = membership.registration.status
        return membership

    def remove_member(self, membership, *, today=None, reason=""):
        """Record that a member left; they wait for a group again."""
        from .actions import RemoveMember

        return RemoveMember(membership, reason=reason, today=today).execute(
            skip_permission_checks=True
        )

    def check_can_start(self, *, reason=""):
        """Raise ``ValidationError`` naming what the group still lacks to
        start with ``reason`` (see :class:`~.actions.StartGroup`)."""
        from .actions import StartGroup

        refusals = StartGroup(self, reason=reason).refusals()
        if refusals:
            raise ValidationError(
                [requirement.message(self) for requirement in refusals]
            )

    @property
    def has_first_meeting(self):
        return bool(self.first_meeting_date and self.first_meeting_time)

    def activate(self, *, reason=""):
        """Start the group (see :class:`~.actions.StartGroup` for what it needs)."""
        from .actions import StartGroup

        StartGroup(self, reason=reason).execute(skip_permission_checks=True)

    def end(self, *, today=None, reason=""):
        """End the group, recording the date; its memberships end."""
        from .actions import EndGroup

        EndGroup(self, reason=reason, today=today).execute(skip_permission_checks=True)


class GroupMembership(models.Model):
    group = models.ForeignKey(
        SelfHelpGroup,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("group"),
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("registration"),
    )
    joined_on = models.DateField(_("joined"), default=timezone.localdate)
    left_on = models.DateField(_("left"), null=True, blank=True)
    left_reason = models.CharField(
        _("why they left"),
        max_length=20,
        choices=LeaveReason.choices,
        blank=True,
        editable=False,
    )
    # True while the member is in a group that has not ended: the partial
    # unique constraint below reads it, since a constraint cannot follow the
    # foreign key to the group's status.
    is_current = models.BooleanField(default=True, editable=False)
    override_reason = EncryptedTextField(
        _("reason for placing despite a mismatch"), blank=True
    )
    group_agreed = models.BooleanField(
        _("the group agreed to take this member"), default=False
    )

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(is_current=True),
                name="selvhjelp_one_current_group_per_registration",
            )
        ]

    def __str__(self):
        return f"{self.group_id}: {self.registration}"


class AvoidPairQuerySet(models.QuerySet):
    def partners_of(self, registration):
        """Ids of the registrations ``registration`` must never share a group with."""
        pk = getattr(registration, "pk", registration)
        for first, second in self.filter(Q(first=pk) | Q(second=pk)).values_list(
            "first_id", "second_id"
        ):
            yield second if first == pk else first

    def link(self, one, other):
        """Record that ``one`` and ``other`` must never share a group."""
        if one.pk == other.pk:
            raise ValidationError(
                gettext("A registration cannot be linked with itself.")
            )
        if one.page_id != other.page_id:
            raise ValidationError(
                gettext("Both registrations must belong to the same page.")
            )
        first, second = sorted([one.pk, other.pk])
        pair, _created = self.get_or_create(first_id=first, second_id=second)
        return pair


class AvoidPair(models.Model):
    """Two registrations of one page that must never share a group.

    Symmetric: stored once with the smaller id first.
    """

    first = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AvoidPairQuerySet.as_manager()

    class Meta:
        verbose_name = _("avoid pair")
        verbose_name_plural = _("avoid pairs")
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"], name="selvhjelp_avoid_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")),
                name="selvhjelp_avoid_pair_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.first_id} / {self.second_id}"
