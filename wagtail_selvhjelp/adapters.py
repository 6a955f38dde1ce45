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

from django.utils import timezone

from .matching import Candidate, Rules, UnplacedReason


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
    today = today or timezone.localdate()
    return max(0, (today - timezone.localdate(registration.created_at)).days)


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
