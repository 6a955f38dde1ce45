"""The group-matching engine: pure Python, no Django.

Build plain dataclasses from your data, call :func:`propose_groups`, read the
proposal back::

    from wagtail_selvhjelp.matching import Candidate, OpenGroup, Rules, propose_groups

    result = propose_groups(
        [
            Candidate(
                id=registration.pk,
                places=frozenset({"Gol"}),
                slots=frozenset({"weekday evening"}),
                topics=frozenset({"anxiety"}),
                kind="any",  # "themed", "mixed" or "any"
                birth_year=1980,
                waited_days=42,
                avoid=frozenset({other_registration.pk}),
            )
            for registration in waiting
        ],
        rules=Rules(min_size=4, max_size=8, max_age_span=None),
        open_groups=[
            OpenGroup(
                id=7,
                place="Gol",
                slot="weekday evening",
                topic=None,
                member_ids=frozenset({"a", "b", "c"}),
            )
        ],
    )
    result.groups  # [ProposedGroup(members, place, slot, topic, gender, open_group)]
    result.unplaced  # {candidate id: UnplacedReason(code, message, params)}
    result.upper_bound  # no valid proposal can place more than this many
    result.options_considered  # (candidate, group shape) pairs: the work done

Guarantees:

* **Valid**: every new group has ``min_size..max_size`` members and an open
  group never grows past ``max_size``; every member can attend the group's
  place and slot; a themed group (``topic`` set) holds only members with that
  topic who accept ``themed`` or ``any``, a mixed group (``topic=None``) only
  members who accept ``mixed`` or ``any``; a single-gender group (``gender``
  set) only members of that gender, and whoever asked for one is only placed
  in one; no avoid pair (symmetric, open-group members included) shares a
  group; with ``max_age_span`` no two members with known birth years, open
  group members included, are born further apart. Nobody is in two groups and
  every candidate is either placed or in ``unplaced``.
* **Objective**, in order: place as many candidates as possible; then prefer
  those who waited longest (a proposal is better if, comparing the placed
  candidates from the longest wait down, it places someone who waited longer);
  then group sizes near the middle of the bounds and no one the only member of
  their gender in a group.
* **Deterministic**: the same input in any order gives the same output. Ids may
  be any hashable values, of mixed types: numbers, strings, tuples and
  frozensets of them, or any other value its type and ``repr`` tell apart
  (UUIDs, dates, ...). Different ids that share their type and ``repr`` (or
  several NaNs) have no stable order and are refused.
* **Bounded work**: a place, time slot or topic that no other candidate and no
  open group has is not enumerated (only the first such one is kept), so one
  candidate ticking 10,000 places costs what the places others share cost.
* **Explained**: every unplaced candidate gets an :class:`UnplacedReason` with a
  stable ``code``, ``params`` and an English ``message``; ``str(reason)`` is
  the message. The codes are listed in :mod:`wagtail_selvhjelp.matching.reasons`.
* **Measured**: ``result.upper_bound`` is a proven upper bound on the number
  any valid proposal could place, so ``result.gap`` says how far from the best
  possible the proposal can be at most, and ``result.is_proven_optimal``
  whether it is the best possible. A gap above 0 means the engine could not
  prove the proposal best, not that a better one exists: on the benchmark's
  municipal instances the bound is at most 2 above the true optimum.
  With ``exact_seconds=...`` and OR-Tools installed (the ``exact`` extra),
  a gap is handed to CP-SAT, whose proven bound replaces the engine's when
  lower; a CP-SAT solution placing more people is used only if
  :func:`check_proposal` passes it. Its time limit is wall-clock time, so
  with it the result may depend on the machine (see docs/matching-exact.md).

Unknown ids in ``avoid`` are ignored. Bad input raises ``ValueError`` (never
``TypeError``) with a message naming the argument: an argument of the wrong
shape (``None``, a string or a mapping where a collection belongs, a nested
list, an element of the wrong type), bad values (empty places or slots, an
unknown kind, ``min_size > max_size``), duplicate ids, ids with no stable
order, a candidate who is also a member of an open group.
"""

from ._problem import FIT_RULES
from .engine import propose_groups
from .reasons import describe
from .seats import SeatRanking, rank_for_seat
from .types import (
    KINDS,
    Candidate,
    MatchResult,
    OpenGroup,
    ProposedGroup,
    Rules,
    UnplacedReason,
)
from .validation import Violation, check_proposal


__all__ = [
    "FIT_RULES",
    "KINDS",
    "Candidate",
    "MatchResult",
    "OpenGroup",
    "ProposedGroup",
    "Rules",
    "SeatRanking",
    "UnplacedReason",
    "Violation",
    "check_proposal",
    "describe",
    "propose_groups",
    "rank_for_seat",
]
