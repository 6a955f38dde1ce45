"""Between the models and the matching engine, both ways, for whole pages.

The engine (:mod:`wagtail_selvhjelp.matching`) knows no Django: it takes
plain dataclasses and answers with plain dataclasses. This module builds a
whole page's input (its waiting registrations in a constant number of
queries, its forming groups, its rules) from the builders in
:mod:`wagtail_selvhjelp.models.candidates`, and reads the answer back in the
page's own words: :class:`ChoiceNames` turns the engine's keys back into the
names editors typed.
"""

from dataclasses import dataclass, replace

from django.db.models import Prefetch, Q
from django.utils import timezone

from .choices import GroupStatus, RegistrationStatus
from .matching import UnplacedReason
from .models import (
    GroupMembership,
    Registration,
    RegistrationPlaceChoice,
    RegistrationTimeSlotChoice,
    RegistrationTopicChoice,
    SelfHelpGroup,
)
from .models.candidates import (
    CANDIDATE_FIELDS,
    avoid_map,
    choice_key,
    make_candidate,
    open_group_for,
    rules_for,
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


#: A group or a choice at an archived place, time slot or topic.
ARCHIVED_GROUP = (
    Q(place__archived=True) | Q(time_slot__archived=True) | Q(topic__archived=True)
)


def open_groups_for(page):
    """The page's forming groups that have free seats, as :class:`OpenGroup`.

    A group at an archived place, time slot or topic is not offered: the
    editor has taken that choice away.
    """
    groups = (
        SelfHelpGroup.objects.filter(page_id=page.pk, status=GroupStatus.FORMING)
        .exclude(ARCHIVED_GROUP)
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


def candidates_from(
    registrations, *, extra_known=(), today=None, active_only=False, stranded=None
):
    """The engine's candidates for a queryset of registrations, in 5 queries.

    Reads plain rows (``values``) rather than model instances: at 5,000
    registrations this is several times faster than prefetching. Avoid pairs
    are kept when the other person is among ``registrations`` or in
    ``extra_known`` (members of open groups).

    With ``active_only`` archived places, time slots and topics are left out
    of each candidate's choices; someone left with no place or no time slot
    is no candidate, and their id is added to the ``stranded`` set if given.
    """
    today = today or timezone.localdate()
    rows = list(registrations.values(*CANDIDATE_FIELDS))
    ids = registrations.values("pk")
    choices = {"places": {}, "slots": {}, "topics": {}}
    for key, through, field in [
        ("places", RegistrationPlaceChoice, "place"),
        ("slots", RegistrationTimeSlotChoice, "time_slot"),
        ("topics", RegistrationTopicChoice, "topic"),
    ]:
        chosen = through.objects.filter(registration_id__in=ids)
        if active_only:
            chosen = chosen.filter(**{f"{field}__archived": False})
        for registration_id, choice_id in chosen.values_list(
            "registration_id", f"{field}_id"
        ):
            choices[key].setdefault(registration_id, set()).add(choice_key(choice_id))
    known = {row["pk"] for row in rows} | set(extra_known)
    partners = avoid_map(ids)
    candidates = []
    for row in rows:
        pk = row["pk"]
        if active_only and not (pk in choices["places"] and pk in choices["slots"]):
            if stranded is not None:
                stranded.add(pk)
            continue
        candidates.append(
            make_candidate(
                row,
                places=choices["places"].get(pk, ()),
                slots=choices["slots"].get(pk, ()),
                topics=choices["topics"].get(pk, ()),
                avoid=partners.get(pk, set()) & known,
                today=today,
            )
        )
    return candidates


def matching_input(page, *, exclude=(), today=None, stranded=None, new=None):
    """``(candidates, rules, open_groups)`` for a page's waiting registrations.

    ``exclude`` holds registration ids the coordinator left out of the run.
    Archived choices are never proposed: the ids of people who chose only
    archived places or time slots go to the ``stranded`` set if given. On a
    page that proposes only people contacted, those with the status "new"
    are no candidates either; their ids go to the ``new`` set if given.
    Everything is loaded in a constant number of queries.
    """
    open_groups = open_groups_for(page)
    members = {member for group in open_groups for member in group.member_ids}
    registrations = waiting_registrations(page).exclude(pk__in=list(exclude))
    if not page.propose_new_registrations:
        not_contacted = registrations.filter(status=RegistrationStatus.NEW)
        if new is not None:
            new.update(not_contacted.values_list("pk", flat=True))
        registrations = registrations.exclude(status=RegistrationStatus.NEW)
    candidates = candidates_from(
        registrations,
        extra_known=members,
        today=today,
        active_only=True,
        stranded=stranded,
    )
    return candidates, rules_for(page), open_groups
