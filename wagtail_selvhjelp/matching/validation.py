"""An independent check of a proposal against every guarantee.

Used by the test suite and the benchmark, and by every caller that builds or
edits groups itself (the admin placing someone by hand, "create groups" under
row locks): it recomputes every rule from the input rather than trusting the
engine's internal state, so it is the package's one rulebook for whether
people fit a group. Each problem is a :class:`Violation`: an English sentence
that also names the rule broken and the candidate concerned, so a caller can
say it in the user's own words.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

from ._keys import canonical_key
from ._problem import ages_fit, misfits, prepare
from .types import (
    Candidate,
    MatchResult,
    OpenGroup,
    ProposedGroup,
    Rules,
    _check_hashable,
)


class Violation(str):
    """One way a proposal breaks the rules: the English sentence, plus
    ``rule`` (a code) and ``member`` (the candidate's id, or None when the
    group as a whole breaks it).

    Codes: the fit rules ``place``, ``slot``, ``kind``, ``topic``, ``gender``,
    ``single_gender`` (see ``FIT_RULES``), then ``avoid``, ``age``, ``size``,
    ``full``, ``shape``, ``unknown`` and ``bookkeeping`` (a member placed
    twice, or neither placed nor unplaced, or a wrong bound).
    """

    rule: str
    member: Hashable | None

    def __new__(cls, text: str, rule: str, member: Hashable | None = None):
        violation = super().__new__(cls, text)
        violation.rule = rule
        violation.member = member
        return violation


def check_proposal(
    candidates: Iterable[Candidate],
    rules: Rules,
    open_groups: Iterable[OpenGroup],
    result: MatchResult,
) -> list[Violation]:
    """Every way ``result`` breaks the rules for this input, as
    :class:`Violation` sentences; an empty list means the proposal is valid.

    Raises ``ValueError`` for bad input, as :func:`propose_groups` does, and
    for a ``result`` that is not shaped like a :class:`MatchResult`.
    """
    problem = prepare(candidates, rules, open_groups)
    _check_shape(result)
    by_id = {candidate.id: index for index, candidate in enumerate(problem.candidates)}
    open_by_id = {group.id: group for group in problem.open_groups}
    problems: list[Violation] = []
    seen: dict[Hashable, int] = {}

    for number, group in enumerate(result.groups, start=1):
        label = f"group {number} ({group.place}, {group.slot})"
        members = []
        for member in group.members:
            if member not in by_id:
                problems.append(
                    Violation(
                        f"{label}: {member!r} is not a candidate", "unknown", member
                    )
                )
                continue
            seen[member] = seen.get(member, 0) + 1
            members.append(by_id[member])
        ids = set(group.members)
        years = [problem.candidates[index].birth_year for index in members]
        size = len(group.members)
        shape = (group.place, group.slot, group.topic, group.gender)
        if group.open_group is None:
            if not rules.min_size <= size <= rules.max_size:
                problems.append(
                    Violation(
                        f"{label}: {size} members, outside the size bounds", "size"
                    )
                )
        else:
            source = open_by_id.get(group.open_group)
            if source is None:
                problems.append(
                    Violation(
                        f"{label}: unknown open group {group.open_group!r}", "unknown"
                    )
                )
                continue
            if shape != (source.place, source.slot, source.topic, source.gender):
                problems.append(
                    Violation(f"{label}: does not match its open group", "shape")
                )
            if size + len(source.member_ids) > rules.max_size:
                problems.append(
                    Violation(f"{label}: open group would exceed max_size", "full")
                )
            ids |= source.member_ids
            years.extend(source.birth_years)
        for index in members:
            candidate = problem.candidates[index]
            for rule in misfits(candidate, shape):
                problems.append(
                    Violation(
                        f"{label}: {candidate.id!r} does not fit the group ({rule})",
                        rule,
                        candidate.id,
                    )
                )
            if problem.avoid[index] & ids:
                problems.append(
                    Violation(
                        f"{label}: {candidate.id!r} shares it with someone to avoid",
                        "avoid",
                        candidate.id,
                    )
                )
        if not ages_fit(years, rules.max_age_span):
            problems.append(
                Violation(f"{label}: members are more than max_age_span apart", "age")
            )

    for member, count in seen.items():
        if count > 1:
            problems.append(
                Violation(f"{member!r} is in {count} groups", "bookkeeping", member)
            )
    for member in result.unplaced:
        if member in seen:
            problems.append(
                Violation(
                    f"{member!r} is both placed and unplaced", "bookkeeping", member
                )
            )
        if member not in by_id:
            problems.append(
                Violation(
                    f"{member!r} is unplaced but not a candidate", "unknown", member
                )
            )
    missing = set(by_id) - set(seen) - set(result.unplaced)
    for member in sorted(missing, key=canonical_key):
        problems.append(
            Violation(
                f"{member!r} is neither placed nor unplaced", "bookkeeping", member
            )
        )
    if result.upper_bound < result.placed_count:
        problems.append(
            Violation("upper_bound is below the number placed", "bookkeeping")
        )
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
