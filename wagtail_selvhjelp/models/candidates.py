"""Registrations and groups as the matching engine sees them.

The engine (:mod:`wagtail_selvhjelp.matching`) knows no Django. These
builders turn rows into its plain input: a :class:`Candidate` per registration
(only the structured answers: never a name, contact detail or free text), an
:class:`OpenGroup` per existing group, the page's :class:`Rules`. They live in
the models layer so that the actions (which decide whether someone fits a
group with the engine's ``check_proposal``, the one rulebook) can reach them;
``adapters`` builds whole matching inputs from them.

Places, time slots and topics go to the engine as their primary keys (as
strings), so two choices with the same name stay apart and a renamed choice
keeps its registrations.
"""

from django.db.models import Q, QuerySet

from ..matching import Candidate, OpenGroup, Rules
from .groups import AvoidPair
from .registrations import days_since


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


def make_candidate(row, *, places, slots, topics, avoid, today=None):
    """A :class:`Candidate` from a registration or its ``values()`` row.

    ``row`` is read by key (``pk``, ``group_kind``, ``gender``,
    ``single_gender``, ``birth_year``, ``created_at``), so both builders below
    list the engine's fields once, here.
    """
    return Candidate(
        id=row["pk"],
        places=frozenset(places),
        slots=frozenset(slots),
        topics=frozenset(topics),
        kind=row["group_kind"],
        gender=row["gender"] or None,
        single_gender=row["single_gender"],
        birth_year=row["birth_year"],
        waited_days=days_since(row["created_at"], today),
        avoid=frozenset(avoid),
    )


#: The registration fields a candidate is built from (``values()`` names).
CANDIDATE_FIELDS = (
    "pk",
    "group_kind",
    "gender",
    "single_gender",
    "birth_year",
    "created_at",
)


def candidate_for(registration, *, avoid=frozenset(), today=None):
    """The engine's :class:`Candidate` for one registration.

    ``avoid`` holds the ids of registrations this one must never share a
    group with. Reads the choices through ``prefetch_for_matching``.
    """
    return make_candidate(
        {name: getattr(registration, name) for name in CANDIDATE_FIELDS},
        places=(choice_key(place) for place in registration.places.all()),
        slots=(choice_key(slot) for slot in registration.time_slots.all()),
        topics=(choice_key(topic) for topic in registration.topics.all()),
        avoid=avoid,
        today=today,
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
    """The engine's :class:`OpenGroup` for a group and its members' registrations."""
    return OpenGroup(
        id=group.pk,
        place=choice_key(group.place_id),
        slot=choice_key(group.time_slot_id),
        topic=None if group.topic_id is None else choice_key(group.topic_id),
        gender=group.gender or None,
        member_ids=frozenset(member.pk for member in members),
        birth_years=tuple(member.birth_year for member in members if member.birth_year),
    )
