"""Self-help groups, their members, and pairs who must never share a group.

The rules of the domain live here, so every path (the admin's forms, the
matching workflow, a script) keeps them:

* a member can attend the group's place and time slot and fits its kind,
  topic, gender and age span, and shares it with no one they must avoid;
  a coordinator may place someone anyway only by recording a reason;
* an active group is closed: a newcomer needs the group's recorded consent;
* a group becomes active only within its page's size bounds;
* a registration is a current member of at most one group, which a partial
  unique constraint in the database guarantees even when two coordinators
  race.

A group outlives its members' personal data: deleting a registration
deletes its memberships, never the group's own record.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from ..choices import OPEN_GROUP_STATUSES, Gender, GroupStatus, RegistrationStatus
from ..fields import EncryptedTextField
from .registrations import Registration


class SelfHelpGroupQuerySet(models.QuerySet):
    def open(self):
        """Groups still forming or meeting (not ended)."""
        return self.filter(status__in=OPEN_GROUP_STATUSES)


class SelfHelpGroup(models.Model):
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="selvhjelp_groups",
        verbose_name=_("registration page"),
    )
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
    starter_name = models.CharField(_("starter"), max_length=200, blank=True)
    starter_contact = models.CharField(
        _("starter's e-mail or phone"), max_length=200, blank=True
    )
    first_meeting_date = models.DateField(_("first meeting"), null=True, blank=True)
    first_meeting_time = models.TimeField(
        _("time of the first meeting"), null=True, blank=True
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)
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
        # Its current members wait for a group again.
        with transaction.atomic():
            Registration.objects.filter(
                memberships__group=self,
                memberships__is_current=True,
                status=RegistrationStatus.PLACED,
            ).update(status=RegistrationStatus.WAITING, updated_at=timezone.now())
            return super().delete(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in OPEN_GROUP_STATUSES

    def current_memberships(self):
        return self.memberships.filter(is_current=True)

    def registration_page(self):
        """The group's registration page with its size and age rules."""
        return self.page.specific

    # Rules

    def incompatibilities(self, registration, *, members=None):
        """Why ``registration`` does not fit this group: a list of messages.

        Empty when it fits. ``members`` are the current members' registrations
        (loaded when not given).
        """
        if members is None:
            members = [
                m.registration
                for m in self.current_memberships().select_related("registration")
            ]
        problems = []
        if not registration.places.filter(pk=self.place_id).exists():
            problems.append(gettext("They cannot attend at this place."))
        if not registration.time_slots.filter(pk=self.time_slot_id).exists():
            problems.append(gettext("They cannot attend at this time."))
        if self.topic_id is None:
            if registration.group_kind == "themed":
                problems.append(gettext("They asked for a group on one topic."))
        else:
            if registration.group_kind == "mixed":
                problems.append(gettext("They asked for a mixed group."))
            elif not registration.topics.filter(pk=self.topic_id).exists():
                problems.append(gettext("They did not choose this group's topic."))
        if self.gender and registration.gender != self.gender:
            problems.append(gettext("The group is for another gender."))
        if registration.single_gender and self.gender != registration.gender:
            problems.append(gettext("They asked for a single-gender group."))
        span = self.registration_page().max_age_span
        if span is not None:
            years = [m.birth_year for m in members if m.birth_year]
            if years and (
                max([*years, registration.birth_year])
                - min([*years, registration.birth_year])
                > span
            ):
                problems.append(
                    gettext(
                        "The age difference to another member is more than %(span)s "
                        "years."
                    )
                    % {"span": span}
                )
        member_ids = {m.pk for m in members}
        if member_ids & set(AvoidPair.objects.partners_of(registration)):
            problems.append(
                gettext("A member is someone they must not share a group with.")
            )
        return problems

    # State changes (callers log them; see wagtail_hooks for the actions)

    @transaction.atomic
    def add_member(self, registration, *, override_reason="", group_agreed=False):
        """Place ``registration`` in this group and return the membership.

        Raises ``ValidationError`` when the group is ended or full, when an
        active group has not agreed, or when the registration does not fit and
        no ``override_reason`` is given; ``IntegrityError`` when it is already
        a current member of a group (the database constraint).
        """
        if not self.is_open:
            raise ValidationError(gettext("An ended group takes no new members."))
        page = self.registration_page()
        count = self.current_memberships().count()
        if count >= page.group_max_size:
            raise ValidationError(
                ngettext(
                    "The group is full: it has %(count)s member.",
                    "The group is full: it has %(count)s members.",
                    count,
                )
                % {"count": count}
            )
        if self.status == GroupStatus.ACTIVE and not group_agreed:
            raise ValidationError(
                gettext(
                    "The group has started, so it is closed: confirm that the "
                    "group agreed to take a new member."
                )
            )
        problems = self.incompatibilities(registration)
        if problems and not override_reason.strip():
            raise ValidationError(problems)
        membership = GroupMembership.objects.create(
            group=self,
            registration=registration,
            override_reason=override_reason.strip() if problems else "",
            group_agreed=group_agreed,
        )
        Registration.objects.filter(pk=registration.pk).update(
            status=RegistrationStatus.PLACED, updated_at=timezone.now()
        )
        registration.status = RegistrationStatus.PLACED
        return membership

    @transaction.atomic
    def remove_member(self, membership, *, today=None):
        """Record that a member left; they wait for a group again."""
        membership.left_on = today or timezone.localdate()
        membership.is_current = False
        membership.save(update_fields=["left_on", "is_current"])
        Registration.objects.filter(
            pk=membership.registration_id, status=RegistrationStatus.PLACED
        ).update(status=RegistrationStatus.WAITING, updated_at=timezone.now())

    def check_can_start(self):
        """Raise ``ValidationError`` unless the size is within the page's bounds."""
        page = self.registration_page()
        count = self.current_memberships().count()
        if not page.group_min_size <= count <= page.group_max_size:
            raise ValidationError(
                gettext(
                    "A group can start with %(min)s to %(max)s members; this one "
                    "has %(count)s."
                )
                % {
                    "min": page.group_min_size,
                    "max": page.group_max_size,
                    "count": count,
                }
            )

    def activate(self):
        """Start the group; only within the page's size bounds."""
        self.check_can_start()
        self.status = GroupStatus.ACTIVE
        self.save(update_fields=["status"])

    @transaction.atomic
    def end(self, *, today=None):
        """End the group, recording the date; members are free again."""
        today = today or timezone.localdate()
        self.status = GroupStatus.ENDED
        self.ended_on = today
        self.save(update_fields=["status", "ended_on"])
        self.current_memberships().update(is_current=False, left_on=today)


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
