"""The actions of an invitation round, and who is next for a freed seat.

Every change of an :class:`~.invitations.Offer` is one of these actions
(see :mod:`.actions` for the base): :class:`Invite`, :class:`AnswerOffer`
(accept or decline, from the person's signed link), :class:`RemindOffers`
and :class:`ExpireOffers` (the scheduled job), :class:`WithdrawOffer` (a
coordinator takes an offer back) and :class:`Backfill` (a freed seat goes to
the engine's best eligible waiting person). A decline, an expiry or a
withdrawal frees the seat through :class:`~.actions.RemoveMember`; a backfill
places through :class:`~.actions.PlaceMembers`, which checks every rule with
the engine. Log entries hold ids and codes only.

The actions that send messages (invite, remind, backfill) record the ids of
the offers concerned in ``offer_ids``; ``handlers`` enqueues the messages
once the action is committed, so the request renders none of them.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page

from .. import audit
from ..choices import (
    FREED_OFFER_STATES,
    GroupStatus,
    LeaveReason,
    OfferState,
    RegistrationStatus,
)
from ..conf import selvhjelp_settings
from ..matching import rank_for_seat
from .actions import Action, ActionPermissionError, PlaceMembers, RemoveMember
from .audit_log import SelfHelpLogEntry, page_id_of
from .candidates import (
    avoid_map,
    candidate_for,
    open_group_for,
    prefetch_for_matching,
    rules_for,
)
from .groups import GroupMembership, SelfHelpGroup
from .invitations import Offer
from .permissions import group_permission_policy, offer_permission_policy
from .registrations import Registration


def log_each(entries, log_action, *, user=None):
    """Log ``entries`` (pairs of an instance and its data), in one INSERT.

    As Wagtail's ``log()`` writes each (content type, label, the active log
    context's user and uuid), for a round that touches many groups at once.
    """
    context = get_active_log_context()
    now = timezone.now()
    SelfHelpLogEntry.objects.bulk_create(
        SelfHelpLogEntry(
            content_type=ContentType.objects.get_for_model(
                instance, for_concrete_model=False
            ),
            label=str(instance),
            action=log_action.code,
            timestamp=now,
            data=data,
            user=user or context.user,
            uuid=context.uuid,
            object_id=str(instance.pk),
            page_id=page_id_of(instance),
        )
        for instance, data in entries
    )


def offer_deadline(page, now):
    """The deadline of an offer made ``now`` on ``page``."""
    return now + timedelta(days=page.offer_days)


class OfferAction(Action):
    """An action on one offer, scoped by its page (the groups' permissions)."""

    permission_policy = offer_permission_policy

    def __init__(self, offer, **kwargs):
        super().__init__(**kwargs)
        self.offer = offer

    def checked_instances(self):
        return [self.offer]

    def lock(self):
        """The offer, locked, with its group."""
        return (
            Offer.objects.select_for_update(of=("self",))
            .select_related("group")
            .get(pk=self.offer.pk)
        )

    def release(self, offer, *, reason, then):
        release_seat(offer, reason=reason, then=then, user=self.user)


def expire(offers, *, user=None):
    """Offers left without an answer expire: their members leave the group
    and wait for a group again (they were not reached)."""
    for offer in offers:
        offer.state = OfferState.EXPIRED
        offer.save(update_fields=["state"])
        release_seat(
            offer,
            reason=LeaveReason.NOT_REACHED,
            then=RegistrationStatus.WAITING,
            user=user,
        )


def release_seat(offer, *, reason, then, user=None):
    """Free ``offer``'s seat: its member leaves the group, then ``then``."""
    membership = (
        GroupMembership.objects.filter(
            group_id=offer.group_id,
            registration_id=offer.registration_id,
            is_current=True,
        )
        .select_related("group")
        .first()
    )
    if membership is not None:
        RemoveMember(membership, reason=reason, then=then, user=user).execute(
            skip_permission_checks=True
        )


def offer_entries(offers, **extra):
    """Log entries on each offer's group, naming the offer and the person."""
    return [
        (
            offer.group,
            {"offer": offer.pk, "registration": offer.registration_id, **extra},
        )
        for offer in offers
    ]


class Invite(Action):
    """Offer every current member of forming groups their seat.

    Members who already hold an open or accepted offer for the group are
    left as they are, so inviting twice sends nothing twice. In a constant
    number of queries, whatever the number of groups and members.
    """

    permission_policy = group_permission_policy

    def __init__(self, groups, *, now=None, **kwargs):
        super().__init__(**kwargs)
        self.groups = list(groups)
        self.now = now
        self.offer_ids = []

    def check(self, skip_permission_checks=False):
        # One query for all the groups, however many.
        if skip_permission_checks:
            return
        if self.user is None or self.link is not None:
            raise ActionPermissionError
        allowed = self.permission_policy.instances_user_has_permission_for(
            self.user, "change"
        ).filter(pk__in=[group.pk for group in self.groups])
        if allowed.count() != len({group.pk for group in self.groups}):
            raise ActionPermissionError

    def _execute(self):
        now = self.now or timezone.now()
        groups = list(
            SelfHelpGroup.objects.select_for_update()
            .filter(pk__in=[group.pk for group in self.groups])
            .filter(status=GroupStatus.FORMING)
            .select_related("page")
        )
        pages = {
            page.pk: page
            for page in Page.objects.filter(
                pk__in={group.page_id for group in groups}
            ).specific()
        }
        held = Offer.objects.filter(
            group=OuterRef("group"),
            registration=OuterRef("registration"),
            state__in=(OfferState.OFFERED, OfferState.ACCEPTED),
        )
        memberships = (
            GroupMembership.objects.filter(group__in=groups, is_current=True)
            .exclude(Exists(held))
            .values_list("group_id", "registration_id")
        )
        by_id = {group.pk: group for group in groups}
        offers = Offer.objects.bulk_create(
            Offer(
                page_id=by_id[group_id].page_id,
                group_id=group_id,
                registration_id=registration_id,
                deadline=offer_deadline(pages[by_id[group_id].page_id], now),
            )
            for group_id, registration_id in memberships
        )
        self.offer_ids = [offer.pk for offer in offers]
        invited = {}
        for offer in offers:
            invited.setdefault(offer.group_id, []).append(offer)
        log_each(
            (
                (
                    by_id[pk],
                    {
                        "offers": [offer.pk for offer in made],
                        "registrations": [offer.registration_id for offer in made],
                    },
                )
                for pk, made in invited.items()
            ),
            audit.INVITE,
            user=self.user,
        )
        return offers


class AnswerOffer(OfferAction):
    """The person accepts or declines (``then``: waiting or withdrawn).

    From their signed link (``link=`` their registration) or recorded by a
    coordinator. The answer may change until the group starts: a decline
    frees the seat at once; accepting again afterwards takes the seat back
    only if it is still free.
    """

    link_may_act = True

    def __init__(self, offer, *, accept, then=RegistrationStatus.WAITING, **kwargs):
        super().__init__(offer, **kwargs)
        self.accept = accept
        self.then = Offer.Then(then)

    def checked_instances(self):
        if self.link is not None:
            return [self.offer.registration]
        return [self.offer]

    def _execute(self):
        offer = self.lock()
        group = offer.group
        if group.status != GroupStatus.FORMING:
            raise ValidationError(
                gettext(
                    "The group has started, so the answer can no longer be "
                    "changed here. Get in touch with us instead."
                )
            )
        if offer.state not in (
            OfferState.OFFERED,
            OfferState.ACCEPTED,
            OfferState.DECLINED,
        ):
            raise ValidationError(gettext("This offer is no longer open."))
        now = timezone.now()
        if self.accept:
            if offer.state == OfferState.ACCEPTED:
                return offer
            if offer.state == OfferState.DECLINED:
                self._take_seat_again(offer, group)
            offer.state = OfferState.ACCEPTED
            offer.then = ""
        else:
            if offer.state == OfferState.DECLINED:
                return offer
            offer.state = OfferState.DECLINED
            offer.then = self.then
        offer.answered_at = now
        offer.save(update_fields=["state", "then", "answered_at"])
        if offer.state == OfferState.DECLINED:
            self.release(offer, reason=LeaveReason.OWN_WISH, then=self.then)
        self.log(
            group,
            audit.OFFER_ACCEPT if self.accept else audit.OFFER_DECLINE,
            data={
                "offer": offer.pk,
                "registration": offer.registration_id,
                "link": self.link is not None,
                **({} if self.accept else {"then": offer.then}),
            },
        )
        return offer

    def _take_seat_again(self, offer, group):
        registration = Registration.objects.select_for_update(of=("self",)).get(
            pk=offer.registration_id
        )
        try:
            PlaceMembers(group, [registration], user=self.user).execute(
                skip_permission_checks=True
            )
        except (ValidationError, IntegrityError):
            raise ValidationError(
                gettext(
                    "Your place has been given to someone else meanwhile. "
                    "Get in touch with us if you still want a group."
                )
            ) from None


class WithdrawOffer(OfferAction):
    """A coordinator takes an offer back: its links close, its seat is freed
    and the person waits for a group again."""

    def _execute(self):
        offer = self.lock()
        if offer.state not in (OfferState.OFFERED, OfferState.ACCEPTED):
            raise ValidationError(
                gettext("Only an open or accepted offer can be taken back.")
            )
        if offer.group.status != GroupStatus.FORMING:
            raise ValidationError(gettext("The group has started."))
        offer.state = OfferState.WITHDRAWN
        offer.version += 1
        offer.save(update_fields=["state", "version"])
        self.release(offer, reason=LeaveReason.OTHER, then=RegistrationStatus.WAITING)
        self.log(
            offer.group,
            audit.OFFER_WITHDRAW,
            data={"offer": offer.pk, "registration": offer.registration_id},
        )
        return offer


class RemindOffers(Action):
    """The one reminder: offers without an answer whose deadline is within
    ``OFFER_REMINDER_HOURS``, sent at least a day ago and never reminded.

    Idempotent: a reminded offer is never picked again, and offers another
    run has locked are skipped.
    """

    def __init__(self, *, now=None, **kwargs):
        super().__init__(**kwargs)
        self.now = now
        self.offer_ids = []

    def _execute(self):
        now = self.now or timezone.now()
        due = list(
            Offer.objects.open()
            .filter(
                reminded_at__isnull=True,
                deadline__gt=now,
                deadline__lte=now
                + timedelta(hours=selvhjelp_settings.OFFER_REMINDER_HOURS),
                created_at__lte=now - timedelta(days=1),
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("group")
        )
        Offer.objects.filter(pk__in=[offer.pk for offer in due]).update(reminded_at=now)
        self.offer_ids = [offer.pk for offer in due]
        log_each(offer_entries(due), audit.OFFER_REMIND, user=self.user)
        return due


class ExpireOffers(Action):
    """Offers without an answer past their deadline expire; their members
    leave the group and wait for a group again. Idempotent."""

    def __init__(self, *, now=None, **kwargs):
        super().__init__(**kwargs)
        self.now = now

    def _execute(self):
        now = self.now or timezone.now()
        due = list(
            Offer.objects.open()
            .filter(deadline__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("group")
        )
        expire(due, user=self.user)
        log_each(offer_entries(due), audit.OFFER_EXPIRE, user=self.user)
        return due


# Backfill


def freed_offers(group):
    """The group's freed seats not refilled yet, oldest first."""
    return Offer.objects.filter(
        group=group, state__in=FREED_OFFER_STATES, replacement__isnull=True
    ).order_by("answered_at", "pk")


def rank_waiting(group, *, today=None):
    """The engine's order of the page's waiting people for a seat in ``group``.

    Those who can come to the group's place and time slot and were not
    offered a place in this group before are read (one query each for them,
    their choices and avoid pairs) and each is checked with the engine
    against the group's current members under every rule.
    """
    page = group.registration_page()
    members = [
        membership.registration
        for membership in group.current_memberships().select_related("registration")
    ]
    waiting = list(
        prefetch_for_matching(
            Registration.objects.waiting()
            .filter(
                page_id=group.page_id,
                places=group.place_id,
                time_slots=group.time_slot_id,
            )
            # Someone who was offered a place in this group already answered.
            .exclude(offers__group=group)
        )
    )
    ids = {registration.pk for registration in waiting}
    known = ids | {member.pk for member in members}
    partners = avoid_map(ids)
    ranking = rank_for_seat(
        [
            candidate_for(r, avoid=partners.get(r.pk, set()) & known, today=today)
            for r in waiting
        ],
        rules_for(page),
        open_group_for(group, members),
    )
    return ranking, {registration.pk: registration for registration in waiting}


def describe_rank(ranking, pk):
    """Why ``pk`` is next, in the user's language."""
    position = ranking.eligible.index(pk) + 1
    count = len(ranking.eligible)
    days = ranking.waited_days[pk]
    return ngettext(
        "Waited %(days)s day: number %(position)s of the %(count)s waiting who fit "
        "every rule of the group (place, time, kind of group, topic, gender, age "
        "span, people to avoid), longest wait first.",
        "Waited %(days)s days: number %(position)s of the %(count)s waiting who fit "
        "every rule of the group (place, time, kind of group, topic, gender, age "
        "span, people to avoid), longest wait first.",
        days,
    ) % {"days": days, "position": position, "count": count}


def proposals_for_seats(group, *, today=None):
    """[(freed offer, registration or None, reason)] for the group's page.

    The n-th freed seat is proposed the n-th best eligible person.
    """
    seats = list(freed_offers(group))
    if not seats:
        return []
    ranking, people = rank_waiting(group, today=today)
    proposals = []
    for index, seat in enumerate(seats):
        if index < len(ranking.eligible):
            pk = ranking.eligible[index]
            proposals.append((seat, people[pk], describe_rank(ranking, pk)))
        else:
            proposals.append((seat, None, ""))
    return proposals


class Backfill(OfferAction):
    """Give a freed seat to the best eligible waiting person and offer it.

    The person is picked under row locks with ``SKIP LOCKED``: a person
    another coordinator is picking at the same moment is skipped, so two
    seats are never offered to one person at once. ``expected`` is the
    person the coordinator was shown; when someone else is next by now, the
    action refuses rather than invite someone the coordinator did not see.
    """

    def __init__(self, offer, *, expected=None, today=None, **kwargs):
        super().__init__(offer, **kwargs)
        self.expected = expected
        self.today = today
        self.offer_ids = []

    def _execute(self):
        freed = self.lock()
        group = freed.group
        if (
            freed.state not in FREED_OFFER_STATES
            or Offer.objects.filter(replaces=freed).exists()
        ):
            raise ValidationError(gettext("This place has already been offered again."))
        if group.status != GroupStatus.FORMING:
            raise ValidationError(gettext("The group has started."))
        ranking, _people = rank_waiting(group, today=self.today)
        chosen = None
        for pk in ranking.eligible:
            chosen = (
                Registration.objects.waiting()
                .filter(pk=pk)
                .exclude(
                    Exists(Offer.objects.open().filter(registration=OuterRef("pk")))
                )
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if chosen is not None:
                break
        if chosen is None:
            raise ValidationError(
                gettext("Nobody on the waiting list fits this group now.")
            )
        if self.expected is not None and chosen.pk != self.expected:
            raise ValidationError(
                gettext(
                    "The waiting list changed meanwhile. The group's page now "
                    "shows who is next."
                )
            )
        PlaceMembers(group, [chosen], user=self.user).execute(
            skip_permission_checks=True
        )
        now = timezone.now()
        offer = Offer.objects.create(
            page_id=group.page_id,
            group=group,
            registration=chosen,
            deadline=offer_deadline(group.registration_page(), now),
            replaces=freed,
        )
        self.offer_ids = [offer.pk]
        self.log(
            group,
            audit.BACKFILL,
            data={
                "offer": offer.pk,
                "registration": chosen.pk,
                "replaces": freed.pk,
                "position": ranking.eligible.index(chosen.pk) + 1,
                "eligible": len(ranking.eligible),
            },
        )
        return offer


# Starting the group (called by StartGroup)


def accepted_count(group):
    """How many accepted an offer of ``group``, or None without a round."""
    states = list(Offer.objects.filter(group=group).values_list("state", flat=True))
    if not states:
        return None
    return states.count(OfferState.ACCEPTED)


def enough_accepted(group):
    """Whether ``group`` may start as far as its invitation round goes:
    no round was held, or at least the page's minimum accepted."""
    accepted = accepted_count(group)
    return accepted is None or accepted >= group.registration_page().group_min_size


def too_few_accepted_message(group, accepted=None):
    page = group.registration_page()
    if accepted is None:
        accepted = accepted_count(group) or 0
    return ngettext(
        "A group starts when at least %(min)s member has accepted; %(accepted)s have.",
        "A group starts when at least %(min)s members have accepted; "
        "%(accepted)s have.",
        page.group_min_size,
    ) % {"min": page.group_min_size, "accepted": accepted}


def settle_offers_at_start(group, *, user=None):
    """At the start of a group that had an invitation round: enough members
    must have accepted, and those who never answered are released (they wait
    for a group again; those who declined were released when they did).

    Raises ``ValidationError`` below the page's minimum. A group without any
    offer (no round was held) is left to the size check alone.
    """
    offers = list(
        Offer.objects.filter(group=group)
        .select_for_update(of=("self",))
        .select_related("group")
    )
    if not offers:
        return
    accepted = sum(1 for offer in offers if offer.state == OfferState.ACCEPTED)
    if accepted < group.registration_page().group_min_size:
        raise ValidationError(too_few_accepted_message(group, accepted))
    unanswered = [offer for offer in offers if offer.state == OfferState.OFFERED]
    if not unanswered:
        return
    expire(unanswered, user=user)
    log_each(offer_entries(unanswered, at_start=True), audit.OFFER_EXPIRE, user=user)
