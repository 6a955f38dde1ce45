"""An independent check of a proposal against every guarantee.

Used by the test suite and the benchmark, and available to callers who build
or edit proposals themselves (for example a coordinator moving someone by hand
in the admin): it recomputes every rule from the input rather than trusting the
engine's internal state.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

from ._keys import canonical_key
from ._problem import ages_fit, fits, prepare
from .types import (
    Candidate,
    MatchResult,
    OpenGroup,
    ProposedGroup,
    Rules,
    _check_hashable,
)


def check_proposal(
    candidates: Iterable[Candidate],
    rules: Rules,
    open_groups: Iterable[OpenGroup],
    result: MatchResult,
) -> list[str]:
    """Every way ``result`` breaks the rules for this input, as English
    sentences; an empty list means the proposal is valid.

    Raises ``ValueError`` for bad input, as :func:`propose_groups` does, and
    for a ``result`` that is not shaped like a :class:`MatchResult`.
    """
    problem = prepare(candidates, rules, open_groups)
    _check_shape(result)
    by_id = {candidate.id: index for index, candidate in enumerate(problem.candidates)}
    open_by_id = {group.id: group for group in problem.open_groups}
    problems: list[str] = []
    seen: dict[Hashable, int] = {}

    for number, group in enumerate(result.groups, start=1):
        label = f"group {number} ({group.place}, {group.slot})"
        members = []
        for member in group.members:
            if member not in by_id:
                problems.append(f"{label}: {member!r} is not a candidate")
                continue
            seen[member] = seen.get(member, 0) + 1
            members.append(by_id[member])
        ids = set(group.members)
        years = [problem.candidates[index].birth_year for index in members]
        size = len(group.members)
        shape = (group.place, group.slot, group.topic, group.gender)
        if group.open_group is None:
            if not rules.min_size <= size <= rules.max_size:
                problems.append(f"{label}: {size} members, outside the size bounds")
        else:
            source = open_by_id.get(group.open_group)
            if source is None:
                problems.append(f"{label}: unknown open group {group.open_group!r}")
                continue
            if shape != (source.place, source.slot, source.topic, source.gender):
                problems.append(f"{label}: does not match its open group")
            if size + len(source.member_ids) > rules.max_size:
                problems.append(f"{label}: open group would exceed max_size")
            ids |= source.member_ids
            years.extend(source.birth_years)
        for index in members:
            candidate = problem.candidates[index]
            if not fits(candidate, shape):
                problems.append(f"{label}: {candidate.id!r} does not fit the group")
            if problem.avoid[index] & ids:
                problems.append(
                    f"{label}: {candidate.id!r} shares it with someone to avoid"
                )
        if not ages_fit(years, rules.max_age_span):
            problems.append(f"{label}: members are more than max_age_span apart")

    for member, count in seen.items():
        if count > 1:
            problems.append(f"{member!r} is in {count} groups")
    for member in result.unplaced:
        if member in seen:
            problems.append(f"{member!r} is both placed and unplaced")
        if member not in by_id:
            problems.append(f"{member!r} is unplaced but not a candidate")
    missing = set(by_id) - set(seen) - set(result.unplaced)
    for member in sorted(missing, key=canonical_key):
        problems.append(f"{member!r} is neither placed nor unplaced")
    if result.upper_bound < result.placed_count:
        problems.append("upper_bound is below the number placed")
    return problems


def _check_shape(result: MatchResult) -> None:
    """Raise ``ValueError`` unless ``result`` holds what a proposal holds."""
    if not isinstance(result, MatchResult):
        raise ValueError(f"result must be a MatchResult, got {result!r}")
    if not isinstance(result.groups, list | tuple):
        raise ValueError(f"result.groups must be a list, got {result.groups!r}")
    for group in result.groups:
        if not isinstance(group, ProposedGroup):
            raise ValueError(f"result.groups: expected ProposedGroup, got {group!r}")
        owner = f"result.groups: {group!r}"
        if not isinstance(group.members, list | tuple):
            raise ValueError(f"{owner}: members must be a tuple of ids")
        for value in (*group.members, group.open_group):
            _check_hashable(value, owner)
        for what in ("place", "slot"):
            if not isinstance(getattr(group, what), str):
                raise ValueError(f"{owner}: {what} must be a string")
        for what in ("topic", "gender"):
            if not isinstance(getattr(group, what), str | None):
                raise ValueError(f"{owner}: {what} must be None or a string")
    if not isinstance(result.unplaced, Mapping):
        raise ValueError(f"result.unplaced must be a dict, got {result.unplaced!r}")
    if not isinstance(result.upper_bound, int) or isinstance(result.upper_bound, bool):
        raise ValueError(
            f"result.upper_bound must be an integer, got {result.upper_bound!r}"
        )
