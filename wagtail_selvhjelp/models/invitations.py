"""Invitations: the offer of a seat in a forming group, one per member.

A created group is not yet a group: each member is asked, with a deadline,
whether they want the place. An :class:`Offer` records that question and its
answer. Its state changes only through the actions in
:mod:`.invitation_actions` (invite, accept, decline, remind, expire, take
back, backfill), which log each change with ids and codes.

What the database guarantees, whoever races:

* one person never holds two open offers (a partial unique constraint on
  the registration where the state is "offered");
* a freed seat is offered again at most once (``replaces`` is one-to-one);
* a seat is never given twice (the membership's own partial unique
  constraint: one current group per registration).

The answer link is a :class:`~wagtail_selvhjelp.tokens.SignedLink` of its
own purpose, bound to the offer's creation time and its ``version``; taking
an offer back raises the version, which revokes every link sent for it. A
link also closes ``OFFER_LINK_GRACE_DAYS`` after the offer's deadline.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import OfferState, RegistrationStatus
from ..conf import selvhjelp_settings
from ..tokens import SignedLink
from .groups import SelfHelpGroup
from .page_scoped import PageScopedModel, PageScopedQuerySet
from .registrations import Registration


#: The longest deadline a registration page may set, in days.
MAX_OFFER_DAYS = 30


def offer_version(offer):
    """The offer's version for its links: its creation time and its counter."""
    return f"{int(offer.created_at.timestamp())}.{offer.version}"


#: The answer link of one offer: valid at most until the longest deadline
#: plus the grace period; :meth:`Offer.link_is_open` narrows it to the
#: offer's own deadline.
OFFER_LINK = SignedLink(
    "wagtail_selvhjelp.invitation.answer",
    max_age=lambda: timedelta(
        days=MAX_OFFER_DAYS + selvhjelp_settings.OFFER_LINK_GRACE_DAYS
    ),
    version_of=offer_version,
)


class OfferQuerySet(PageScopedQuerySet):
    def open(self):
        """Offers waiting for an answer."""
        return self.filter(state=OfferState.OFFERED)


class Offer(PageScopedModel):
    """The offer of a seat in a forming group to one of its members."""

    class Then(models.TextChoices):
        """What someone who declines chose to do next."""

        WAITING = RegistrationStatus.WAITING.value, _("Stay on the waiting list")
        WITHDRAWN = RegistrationStatus.WITHDRAWN.value, _("Leave the waiting list")

    group = models.ForeignKey(
        SelfHelpGroup,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("group"),
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="offers",
        verbose_name=_("registration"),
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=OfferState.choices,
        default=OfferState.OFFERED,
        db_index=True,
    )
    deadline = models.DateTimeField(_("answer by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    then = models.CharField(
        _("after declining"), max_length=10, choices=Then.choices, blank=True
    )
    #: Raised when the offer is taken back: every link sent for it closes.
    version = models.PositiveIntegerField(default=1, editable=False)
    #: The freed offer whose seat this one refills (a backfill).
    replaces = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replacement",
        verbose_name=_("refills the seat of"),
    )

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer of a place")
        verbose_name_plural = _("offers of a place")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(state=OfferState.OFFERED),
                name="selvhjelp_one_open_offer_per_registration",
            )
        ]

    def __str__(self):
        # No name: Wagtail's log keeps labels.
        return f"{self.group_id}/{self.registration_id} ({self.state})"

    @property
    def is_open(self):
        return self.state == OfferState.OFFERED

    def link_closes_at(self):
        return self.deadline + timedelta(days=selvhjelp_settings.OFFER_LINK_GRACE_DAYS)

    def link_is_open(self, now=None):
        """Whether the offer's answer link still opens it."""
        return (now or timezone.now()) <= self.link_closes_at()

    def time_left(self, now=None):
        """Time until the deadline (zero once it has passed)."""
        return max(self.deadline - (now or timezone.now()), timedelta(0))


def make_offer_token(offer):
    """A signed token for ``offer``'s answer page, URL-path safe."""
    return OFFER_LINK.make_for(offer)


def read_offer_token(token, *, now=None):
    """The offer ``token`` opens, or None (whatever went wrong).

    None for a tampered, foreign or expired token, an offer taken back or
    deleted, and an offer whose link closed after its deadline.
    """
    offer = OFFER_LINK.get_object(
        token,
        Offer.objects.select_related(
            "group__place", "group__time_slot", "registration"
        ),
    )
    if offer is None or not offer.link_is_open(now):
        return None
    return offer
