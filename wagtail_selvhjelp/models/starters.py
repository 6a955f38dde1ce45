"""The starter register: trained volunteers (*igangsetter*) who start groups.

A :class:`Starter` helps a new group through its first meetings, explains
the group's frame and principles, and withdraws once the group runs itself.
The register holds who they are and how to reach them, the registration
pages they serve (which scope them, like everything else in the admin), the
places and time slots they can take, the topics of their own (kept only so
that they are never proposed for a group on their own topic), their courses
(:class:`StarterCourse`) and their status.

A group has one or two starters (:class:`GroupStarter`, the group's
``starter_assignments``): one lead and at most one co-starter at a time,
which partial unique constraints guarantee. Assigning and withdrawing are
actions (``models/starter_actions.py``); :func:`suggest_starters` ranks who
fits a group; :func:`group_has_current_starter` is what the start rule asks.

Starters are personal data: ``__str__`` is never the name (Wagtail's log
keeps an object's label after the object is gone), the notes are encrypted,
and erasure (:func:`forget_starters`) works by reference: the starter's row
and courses are deleted, their assignments stay, withdrawn and without the
starter, so that a group's history keeps that it had one.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel

from ..choices import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    OPEN_GROUP_STATUSES,
    PHONE_MAX_LENGTH,
    STARTER_MEETINGS_WARNING_ABOVE,
    STARTER_PLANNED_MEETINGS,
    StarterCourseKind,
    StarterRole,
    StarterStatus,
    StarterWithdrawalReason,
)
from ..fields import EncryptedTextField
from ..phone import format_phone, normalise_phone
from .groups import SelfHelpGroup
from .page_scoped import coordinated_page_ids


def current_assignment_q(prefix="", today=None):
    """The condition for an assignment that still runs: not withdrawn, its
    group open, its until-date not passed, and a starter behind it."""
    today = today or timezone.localdate()
    return Q(
        **{
            f"{prefix}withdrawn_on__isnull": True,
            f"{prefix}starter__isnull": False,
            f"{prefix}group__status__in": OPEN_GROUP_STATUSES,
        }
    ) & (Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": today}))


class StarterQuerySet(models.QuerySet):
    def for_user(self, user):
        """The starters of the registration pages ``user`` coordinates (a
        starter serving several pages is seen by the coordinators of each)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_active and user.is_superuser:
            return self  # a starter left without a page included
        served = Starter.pages.through.objects.filter(
            page_id__in=coordinated_page_ids(user)
        )
        return self.filter(pk__in=served.values("starter_id"))

    def serving(self, page):
        """The starters who serve ``page`` (a page or its id)."""
        return self.filter(pages=getattr(page, "pk", page))

    def with_load(self, today=None):
        """Annotate ``load``: the open groups each starter accompanies now."""
        return self.annotate(
            load=Count(
                "assignments",
                filter=current_assignment_q("assignments__", today),
                distinct=True,
            )
        )

    def with_valid_course(self, today=None):
        """Annotate ``has_valid_course``: a course without an end or valid
        until today or later."""
        today = today or timezone.localdate()
        return self.annotate(
            has_valid_course=Exists(
                StarterCourse.objects.filter(starter=OuterRef("pk")).filter(
                    Q(valid_until__isnull=True) | Q(valid_until__gte=today)
                )
            )
        )


class Starter(ClusterableModel):
    """A trained volunteer who starts self-help groups."""

    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    email = models.EmailField(_("e-mail"), max_length=EMAIL_MAX_LENGTH, blank=True)
    phone = models.CharField(_("phone"), max_length=PHONE_MAX_LENGTH, blank=True)
    pages = ParentalManyToManyField(
        "wagtailcore.Page",
        related_name="selvhjelp_starters",
        verbose_name=_("registration pages they serve"),
    )
    places = ParentalManyToManyField(
        "wagtail_selvhjelp.RegistrationPlace",
        related_name="+",
        blank=True,
        verbose_name=_("places they can take"),
    )
    time_slots = ParentalManyToManyField(
        "wagtail_selvhjelp.RegistrationTimeSlot",
        related_name="+",
        blank=True,
        verbose_name=_("time slots they can take"),
    )
    topics = ParentalManyToManyField(
        "wagtail_selvhjelp.RegistrationTopic",
        related_name="+",
        blank=True,
        verbose_name=_("topics of their own"),
        help_text=_(
            "Kept only so that they are never proposed for a group on their "
            "own topic. Leave empty unless they told you."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=StarterStatus.choices,
        default=StarterStatus.ACTIVE,
        db_index=True,
    )
    archived_at = models.DateTimeField(
        _("archived"), null=True, blank=True, editable=False
    )
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StarterQuerySet.as_manager()

    #: Fields a person's data export shows (the notes decrypted).
    export_fields = ("name", "email", "phone", "status", "notes", "created_at")

    class Meta:
        verbose_name = _("starter")
        verbose_name_plural = _("starters")
        ordering = ["name", "pk"]
        permissions = [("access_starter", _("Can export a starter's data"))]

    def __str__(self):
        # Never the person's name: this label outlives the starter in logs.
        return _("Starter %(number)s") % {"number": self.pk or "–"}

    @property
    def phone_display(self):
        return format_phone(self.phone)

    @property
    def contact_display(self):
        return ", ".join(part for part in (self.email, self.phone_display) if part)

    def clean(self):
        super().clean()
        errors = {}
        try:
            self.phone = normalise_phone(self.phone)
        except ValidationError as error:
            errors["phone"] = error.messages
        if not (self.email or self.phone or errors):
            errors["email"] = [
                gettext("Give an e-mail address, a phone number or both.")
            ]
        if errors:
            raise ValidationError(errors)


class StarterCourse(models.Model):
    """A course a starter completed, valid until a date or for good."""

    starter = ParentalKey(
        Starter,
        on_delete=models.CASCADE,
        related_name="courses",
        verbose_name=_("starter"),
    )
    kind = models.CharField(
        _("course"),
        max_length=12,
        choices=StarterCourseKind.choices,
        default=StarterCourseKind.BASIC,
    )
    completed_on = models.DateField(_("completed on"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: valid for good.")
    )

    class Meta:
        verbose_name = _("starter course")
        verbose_name_plural = _("starter courses")
        ordering = ["-completed_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.completed_on}"

    def clean(self):
        super().clean()
        if (
            self.valid_until
            and self.completed_on
            and self.valid_until < self.completed_on
        ):
            raise ValidationError(
                {"valid_until": gettext("A course cannot end before it was completed.")}
            )

    def is_valid(self, today=None):
        today = today or timezone.localdate()
        return self.valid_until is None or self.valid_until >= today


class GroupStarterQuerySet(models.QuerySet):
    def current(self, today=None):
        """Assignments that still run (see :func:`current_assignment_q`)."""
        return self.filter(current_assignment_q(today=today))

    def not_withdrawn(self):
        return self.filter(withdrawn_on__isnull=True)


class GroupStarter(models.Model):
    """A starter accompanying a group: lead or co-starter, for a time."""

    group = models.ForeignKey(
        SelfHelpGroup,
        on_delete=models.CASCADE,
        related_name="starter_assignments",
        verbose_name=_("group"),
    )
    # Null once the starter is erased: the group keeps that it had a starter.
    starter = models.ForeignKey(
        Starter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("starter"),
    )
    role = models.CharField(
        _("role"), max_length=4, choices=StarterRole.choices, default=StarterRole.LEAD
    )
    since = models.DateField(_("from"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)
    planned_meetings = models.PositiveSmallIntegerField(
        _("meetings they plan to accompany"),
        default=STARTER_PLANNED_MEETINGS,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    withdrawn_on = models.DateField(_("withdrew on"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        _("why they withdrew"),
        max_length=20,
        choices=StarterWithdrawalReason.choices,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupStarterQuerySet.as_manager()

    class Meta:
        verbose_name = _("group's starter")
        verbose_name_plural = _("groups' starters")
        ordering = ["role", "since", "pk"]
        constraints = [
            # One lead and at most one co-starter at a time: two at most.
            models.UniqueConstraint(
                fields=["group", "role"],
                condition=Q(withdrawn_on__isnull=True),
                name="selvhjelp_one_starter_per_role",
            ),
            models.UniqueConstraint(
                fields=["group", "starter"],
                condition=Q(withdrawn_on__isnull=True),
                name="selvhjelp_starter_once_per_group",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="selvhjelp_starter_until_after_since",
            ),
        ]

    def __str__(self):
        return f"{self.group_id}: {self.starter_id} ({self.role})"

    def clean(self):
        super().clean()
        if self.until and self.since and self.until < self.since:
            raise ValidationError(
                {"until": gettext("The last day cannot come before the first.")}
            )

    @property
    def many_meetings(self):
        """Whether more meetings are planned than a starter usually accompanies."""
        return self.planned_meetings > STARTER_MEETINGS_WARNING_ABOVE


def group_has_current_starter(group, today=None):
    """Whether ``group`` has a starter now: what the start rule asks."""
    return group.starter_assignments.current(today).exists()


# Suggestions


@dataclass
class Suggestion:
    """A starter who could start a group, and why they are proposed."""

    starter: Starter
    takes_place: bool
    takes_time_slot: bool
    valid_course: bool
    load: int
    reasons: list = field(default_factory=list)

    @property
    def fits(self):
        """Takes the place and the time, with a valid course."""
        return self.takes_place and self.takes_time_slot and self.valid_course

    def sort_key(self):
        return (
            not self.takes_place,
            not self.takes_time_slot,
            not self.valid_course,
            self.load,
            self.starter.name.casefold(),
            self.starter.pk,
        )


@dataclass
class Suggestions:
    """Starters for a group, best first, and how many were left out."""

    ranked: list
    #: Active starters of the page left out because the group's topic is
    #: their own.
    own_topic: int = 0

    @property
    def fitting(self):
        return [suggestion for suggestion in self.ranked if suggestion.fits]


def _reasons(group, suggestion, load):
    reasons = []
    reasons.append(
        gettext("takes %(place)s") % {"place": group.place.name}
        if suggestion.takes_place
        else gettext("does not take %(place)s") % {"place": group.place.name}
    )
    reasons.append(
        gettext("takes %(slot)s") % {"slot": group.time_slot.name}
        if suggestion.takes_time_slot
        else gettext("does not take %(slot)s") % {"slot": group.time_slot.name}
    )
    reasons.append(
        gettext("has a valid course")
        if suggestion.valid_course
        else gettext("no valid course")
    )
    reasons.append(
        gettext("starts no other group now")
        if not load
        else gettext("accompanies %(count)s open group(s)") % {"count": load}
    )
    return reasons


def suggest_starters(group, today=None):
    """The page's active starters for ``group``, ranked by fit.

    Best first: those who take the group's place, then its time slot, then
    those with a valid course, then the lowest load. Starters whose own
    topic is the group's topic are never proposed (only counted); resting
    and archived starters and those already with the group are left out.
    Four queries, whatever the number of starters.
    """
    today = today or timezone.localdate()
    starters = (
        Starter.objects.serving(group.page_id)
        .filter(status=StarterStatus.ACTIVE)
        .exclude(
            pk__in=group.starter_assignments.not_withdrawn()
            .exclude(starter=None)
            .values("starter_id")
        )
        .with_load(today)
        .with_valid_course(today)
        .prefetch_related("places", "time_slots", "topics")
    )
    ranked = []
    own_topic = 0
    for starter in starters:
        if group.topic_id and any(t.pk == group.topic_id for t in starter.topics.all()):
            own_topic += 1
            continue
        suggestion = Suggestion(
            starter=starter,
            takes_place=any(p.pk == group.place_id for p in starter.places.all()),
            takes_time_slot=any(
                s.pk == group.time_slot_id for s in starter.time_slots.all()
            ),
            valid_course=starter.has_valid_course,
            load=starter.load,
        )
        suggestion.reasons = _reasons(group, suggestion, starter.load)
        ranked.append(suggestion)
    ranked.sort(key=Suggestion.sort_key)
    return Suggestions(ranked=ranked, own_topic=own_topic)


# Erasure and retention


def forget_starters(starters, today=None):
    """Erase ``starters`` by reference: their rows, courses and page links
    are deleted; their assignments that still run are withdrawn (reason
    "erased") and every assignment loses its starter. Returns how many
    starters were deleted.
    """
    ids = list(starters.values_list("pk", flat=True))
    if not ids:
        return 0
    GroupStarter.objects.filter(starter__in=ids, withdrawn_on__isnull=True).update(
        withdrawn_on=today or timezone.localdate(),
        withdrawal_reason=StarterWithdrawalReason.ERASED,
    )
    GroupStarter.objects.filter(starter__in=ids).update(starter=None)
    Starter.objects.filter(pk__in=ids).delete()
    return len(ids)
