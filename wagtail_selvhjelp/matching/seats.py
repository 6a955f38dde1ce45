"""Who is next for a freed seat in an open group: the engine's backfill order.

A seat freed in a forming group (a declined or expired offer) goes to the
waiting candidate the engine would give it to: one who fits the group under
every rule :func:`check_proposal` knows (place, time slot, kind, topic,
gender, age span with the group's members, avoid pairs with them), and among
those the one with the engine's highest priority (longest wait, ties to the
canonical id order, as :func:`propose_groups` ranks them).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from ._keys import canonical_key
from .types import Candidate, MatchResult, OpenGroup, ProposedGroup, Rules
from .validation import check_proposal


#: Violations about the group as a whole, not about the candidate: the
#: caller checks room and size itself.
STRUCTURAL_RULES = frozenset({"full", "size", "bookkeeping", "unknown"})


@dataclass(frozen=True)
class SeatRanking:
    """The candidates who fit a seat, best first, and how many were looked at."""

    #: Ids of the candidates who fit, in the engine's priority order.
    eligible: tuple[Hashable, ...]
    #: {candidate id: waited days} for the eligible ones.
    waited_days: dict
    #: How many candidates were checked.
    considered: int


def rank_for_seat(
    candidates: Iterable[Candidate], rules: Rules, group: OpenGroup
) -> SeatRanking:
    """Rank ``candidates`` for one free seat in ``group``.

    Each candidate is checked alone against the group with
    :func:`check_proposal`, so two candidates who must avoid each other, or
    whose ages are far apart, do not rule each other out: only one of them
    will take the seat.
    """
    candidates = list(candidates)
    eligible = []
    for candidate in candidates:
        violations = check_proposal(
            [candidate],
            rules,
            [group],
            MatchResult(
                groups=[
                    ProposedGroup(
                        members=(candidate.id,),
                        place=group.place,
                        slot=group.slot,
                        topic=group.topic,
                        gender=group.gender,
                        open_group=group.id,
                    )
                ],
                unplaced={},
                upper_bound=1,
            ),
        )
        if all(violation.rule in STRUCTURAL_RULES for violation in violations):
            eligible.append(candidate)
    eligible.sort(key=lambda c: (-c.waited_days, canonical_key(c.id)))
    return SeatRanking(
        eligible=tuple(c.id for c in eligible),
        waited_days={c.id: c.waited_days for c in eligible},
        considered=len(candidates),
    )
