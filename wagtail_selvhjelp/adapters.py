"""Between the models and the matching engine, both ways.

The engine (:mod:`wagtail_selvhjelp.matching`) knows no Django: it takes
plain dataclasses and answers with plain dataclasses. This module builds its
input from a registration page and its waiting registrations, and reads its
answer back in the page's own words. Places, time slots and topics go to the
engine as their primary keys (as strings), so two choices with the same name
stay apart and a renamed choice keeps its registrations; :class:`ChoiceNames`
turns them back into the names editors typed.
"""

from dataclasses import dataclass, replace

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from .choices import GroupStatus
from .matching import Candidate, OpenGroup, Rules, UnplacedReason
from .models import (
    AvoidPair,
    GroupMembership,
    Registration,
    RegistrationPlaceChoice,
    RegistrationTimeSlotChoice,
    RegistrationTopicChoice,
    SelfHelpGroup,
)
from .models.registrations import days_since


def choice_key(choice_or_pk):
    """The engine's name for a place, time slot or topic (or its pk)."""
    return str(getattr(choice_or_pk, "pk", choice_or_pk))


def rules_for(page):
    """The engine's :class:`Rules` from a registration page's settings."""
    return Rules(
        min_size=page.group_min_size,
        max_size=page.group_max_size,
        max_age_span=page.max_age_span,
    )


def waited_days(registration, today=None):
    """Whole days since the registration was made (0 on the day itself)."""
    return days_since(registration.created_at, today)


def prefetch_for_matching(registrations):
    """``registrations`` with everything :func:`candidate_for` reads, in 4 queries."""
    return registrations.prefetch_related("places", "time_slots", "topics")


def candidate_for(registration, *, avoid=frozenset(), today=None):
    """The engine's :class:`Candidate` for one registration.

    Only the structured answers go in: never the name, contact details or
    free texts. ``avoid`` holds the ids of registrations this one must never
    share a group with.
    """
    return Candidate(
        id=registration.pk,
        places=frozenset(choice_key(place) for place in registration.places.all()),
        slots=frozenset(choice_key(slot) for slot in registration.time_slots.all()),
        topics=frozenset(choice_key(topic) for topic in registration.topics.all()),
        kind=registration.group_kind,
        gender=registration.gender or None,
        single_gender=registration.single_gender,
        birth_year=registration.birth_year,
        waited_days=waited_days(registration, today),
        avoid=frozenset(avoid),
    )


@dataclass(frozen=True)
class ChoiceNames:
    """The names of a page's places, time slots and topics by engine key."""

    places: dict
    slots: dict
    topics: dict

    @classmethod
    def for_page(cls, page):
        def names(choices):
            return {choice_key(choice): choice.name for choice in choices}

        return cls(
            places=names(page.places.all()),
            slots=names(page.time_slots.all()),
            topics=names(page.topics.all()),
        )

    def place(self, key):
        return self.places.get(key, key)

    def slot(self, key):
        return self.slots.get(key, key)

    def topic(self, key):
        return None if key is None else self.topics.get(key, key)

    def reason(self, reason: UnplacedReason):
        """``reason`` with its place, slot and topic params given by name."""
        params = dict(reason.params)
        if params.get("place") is not None:
            params["place"] = self.place(params["place"])
        if params.get("slot") is not None:
            params["slot"] = self.slot(params["slot"])
        if params.get("topic") is not None:
            params["topic"] = self.topic(params["topic"])
        return replace(reason, params=params)


def waiting_registrations(page):
    """The page's registrations who still want a group and are in none."""
    return (
        Registration.objects.waiting()
        .filter(page_id=page.pk)
        .order_by("created_at", "pk")
    )


def avoid_map(registration_ids):
    """{registration id: ids to avoid} for these registrations, in one query.

    ``registration_ids`` is a collection of ids or a ``values("pk")`` queryset.
    """
    ids = registration_ids
    if not isinstance(ids, QuerySet):
        ids = set(ids)
    partners = {}
    for first, second in AvoidPair.objects.filter(
        Q(first_id__in=ids) | Q(second_id__in=ids)
    ).values_list("first_id", "second_id"):
        partners.setdefault(first, set()).add(second)
        partners.setdefault(second, set()).add(first)
    return partners


def open_group_for(group, members):
    """The engine's :class:`OpenGroup` for a forming group and its members."""
    return OpenGroup(
        id=group.pk,
        place=choice_key(group.place_id),
        slot=choice_key(group.time_slot_id),
        topic=None if group.topic_id is None else choice_key(group.topic_id),
        gender=group.gender or None,
        member_ids=frozenset(member.pk for member in members),
        birth_years=tuple(member.birth_year for member in members if member.birth_year),
    )


def open_groups_for(page):
    """The page's forming groups that have free seats, as :class:`OpenGroup`."""
    groups = (
        SelfHelpGroup.objects.filter(page_id=page.pk, status=GroupStatus.FORMING)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=GroupMembership.objects.filter(is_current=True).select_related(
                    "registration"
                ),
                to_attr="current",
            )
        )
        .order_by("pk")
    )
    result = []
    for group in groups:
        members = [membership.registration for membership in group.current]
        if len(members) < page.group_max_size:
            result.append(open_group_for(group, members))
    return result


def candidates_from(registrations, *, extra_known=(), today=None):
    """The engine's candidates for a queryset of registrations, in 5 queries.

    Reads plain rows (``values``) rather than model instances: at 5,000
    registrations this is several times faster than prefetching. Avoid pairs
    are kept when the other person is among ``registrations`` or in
    ``extra_known`` (members of open groups).
    """
    today = today or timezone.localdate()
    rows = list(
        registrations.values(
            "pk", "group_kind", "gender", "single_gender", "birth_year", "created_at"
        )
    )
    ids = registrations.values("pk")
    choices = {"places": {}, "slots": {}, "topics": {}}
    for key, through, field in [
        ("places", RegistrationPlaceChoice, "place_id"),
        ("slots", RegistrationTimeSlotChoice, "time_slot_id"),
        ("topics", RegistrationTopicChoice, "topic_id"),
    ]:
        for registration_id, choice_id in through.objects.filter(
            registration_id__in=ids
        ).values_list("registration_id", field):
            choices[key].setdefault(registration_id, set()).add(choice_key(choice_id))
    known = {row["pk"] for row in rows} | set(extra_known)
    partners = avoid_map(ids)
    candidates = []
    for row in rows:
        pk = row["pk"]
        candidates.append(
            Candidate(
                id=pk,
                places=frozenset(choices["places"].get(pk, ())),
                slots=frozenset(choices["slots"].get(pk, ())),
                topics=frozenset(choices["topics"].get(pk, ())),
                kind=row["group_kind"],
                gender=row["gender"] or None,
                single_gender=row["single_gender"],
                birth_year=row["birth_year"],
                waited_days=days_since(row["created_at"], today),
                avoid=frozenset(partners.get(pk, set()) & known),
            )
        )
    return candidates


def matching_input(page, *, exclude=(), today=None):
    """``(candidates, rules, open_groups)`` for a page's waiting registrations.

    ``exclude`` holds registration ids the coordinator left out of the run.
    Everything is loaded in a constant number of queries.
    """
    open_groups = open_groups_for(page)
    members = {member for group in open_groups for member in group.member_ids}
    candidates = candidates_from(
        waiting_registrations(page).exclude(pk__in=list(exclude)),
        extra_known=members,
        today=today,
    )
    return candidates, rules_for(page), open_groups
