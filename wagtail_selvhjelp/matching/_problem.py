"""The prepared problem: validated input, compatibility tests and components.

A *shape* is what a group is defined by: ``(place, slot, topic, gender)``, with
``topic=None`` for a mixed group and ``gender=None`` for a group open to every
gender. Candidates are numbered once, in canonical id order, and every later
step refers to them by that number.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from ._keys import canonical_key, optional_key
from .types import Candidate, OpenGroup, Rules


Shape = tuple[str, str, "str | None", "str | None"]


def shape_key(shape: Shape) -> tuple:
    """A total order on shapes (``None`` topic and gender first)."""
    place, slot, topic, gender = shape
    return (place, slot, optional_key(topic), optional_key(gender))


def fits(candidate: Candidate, shape: Shape) -> bool:
    """Whether ``candidate`` may be in a group of ``shape``, ignoring other members."""
    place, slot, topic, gender = shape
    if place not in candidate.places or slot not in candidate.slots:
        return False
    if topic is None:
        if candidate.kind == "themed":
            return False
    elif candidate.kind == "mixed" or topic not in candidate.topics:
        return False
    if gender is None:
        return not candidate.single_gender
    return candidate.gender == gender


def ages_fit(years: Iterable[int | None], span: int | None) -> bool:
    """Whether the known birth years lie within ``span`` years of each other."""
    if span is None:
        return True
    known = [year for year in years if year is not None]
    return not known or max(known) - min(known) <= span


@dataclass
class Problem:
    """Validated input in canonical order, with the symmetric avoid relation."""

    candidates: list[Candidate]
    rules: Rules
    open_groups: list[OpenGroup]
    avoid: list[frozenset[Hashable]]
    """For each candidate, every known id it must not share a group with."""
    wished_genders: frozenset[str]
    """Genders for which some candidate wants a single-gender group."""

    def shapes_of(self, index: int) -> list[Shape]:
        """Every shape candidate ``index`` fits, in canonical order."""
        candidate = self.candidates[index]
        if candidate.single_gender:
            if candidate.gender is None:
                return []
            genders: list[str | None] = [candidate.gender]
        else:
            genders = [None]
            if candidate.gender in self.wished_genders:
                genders.append(candidate.gender)
        topics: list[str | None] = []
        if candidate.kind != "mixed":
            topics.extend(sorted(candidate.topics))
        if candidate.kind != "themed":
            topics.append(None)
        return [
            (place, slot, topic, gender)
            for place in sorted(candidate.places)
            for slot in sorted(candidate.slots)
            for topic in topics
            for gender in genders
        ]

    def open_group_fits(self, index: int, group: OpenGroup) -> bool:
        """Whether candidate ``index`` may join ``group`` as its existing members
        stand (newcomers are not considered here)."""
        candidate = self.candidates[index]
        shape = (group.place, group.slot, group.topic, group.gender)
        if not fits(candidate, shape):
            return False
        if self.avoid[index] & group.member_ids:
            return False
        return ages_fit(
            (*group.birth_years, candidate.birth_year), self.rules.max_age_span
        )


def prepare(
    candidates: Iterable[Candidate], rules: Rules, open_groups: Iterable[OpenGroup]
) -> Problem:
    """Validate the input as a whole and put it in canonical order."""
    if not isinstance(rules, Rules):
        raise ValueError("rules must be a Rules instance")
    candidate_list = list(candidates)
    group_list = list(open_groups)
    for candidate in candidate_list:
        if not isinstance(candidate, Candidate):
            raise ValueError(f"expected Candidate objects, got {candidate!r}")
    for group in group_list:
        if not isinstance(group, OpenGroup):
            raise ValueError(f"expected OpenGroup objects, got {group!r}")
    candidate_list.sort(key=lambda candidate: canonical_key(candidate.id))
    group_list.sort(key=lambda group: canonical_key(group.id))

    ids: set[Hashable] = set()
    for candidate in candidate_list:
        if candidate.id in ids:
            raise ValueError(f"candidate id {candidate.id!r} is given twice")
        ids.add(candidate.id)
    group_ids: set[Hashable] = set()
    members: dict[Hashable, Hashable] = {}
    for group in group_list:
        if group.id in group_ids:
            raise ValueError(f"open group id {group.id!r} is given twice")
        group_ids.add(group.id)
        for member in group.member_ids:
            if member in ids:
                raise ValueError(
                    f"candidate {member!r} is already a member of open group "
                    f"{group.id!r}"
                )
            if member in members:
                raise ValueError(
                    f"{member!r} is a member of both open group {members[member]!r} "
                    f"and open group {group.id!r}"
                )
            members[member] = group.id

    known = ids | members.keys()
    avoid: dict[Hashable, set[Hashable]] = {
        candidate.id: set() for candidate in candidate_list
    }
    for candidate in candidate_list:
        for other in candidate.avoid:
            if other == candidate.id or other not in known:
                continue
            avoid[candidate.id].add(other)
            if other in avoid:
                avoid[other].add(candidate.id)
    wished = frozenset(
        candidate.gender
        for candidate in candidate_list
        if candidate.single_gender and candidate.gender is not None
    )
    return Problem(
        candidates=candidate_list,
        rules=rules,
        open_groups=group_list,
        avoid=[frozenset(avoid[candidate.id]) for candidate in candidate_list],
        wished_genders=wished,
    )


def components(problem: Problem) -> list[tuple[list[int], list[int]]]:
    """Split the problem into independent parts.

    Two candidates interact only if they can meet at the same place and slot,
    so the connected components of "shares a (place, slot)" are solved
    separately. Returns ``(candidate indices, open group indices)`` pairs in a
    canonical order.
    """
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(node: tuple[str, str]) -> tuple[str, str]:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def union(first: tuple[str, str], second: tuple[str, str]) -> None:
        parent.setdefault(first, first)
        parent.setdefault(second, second)
        a, b = find(first), find(second)
        if a != b:
            parent[max(a, b)] = min(a, b)

    anchors: list[tuple[str, str] | None] = []
    for candidate in problem.candidates:
        nodes = [
            (place, slot)
            for place in sorted(candidate.places)
            for slot in sorted(candidate.slots)
        ]
        for node in nodes:
            union(nodes[0], node)
        anchors.append(nodes[0])
    for group in problem.open_groups:
        node = (group.place, group.slot)
        union(node, node)

    parts: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for index, node in enumerate(anchors):
        parts.setdefault(find(node), ([], []))[0].append(index)
    for index, group in enumerate(problem.open_groups):
        parts.setdefault(find((group.place, group.slot)), ([], []))[1].append(index)
    return [parts[root] for root in sorted(parts)]


def priority_order(problem: Problem, indices: Sequence[int]) -> list[int]:
    """``indices`` from the lowest priority to the highest.

    Priority is waiting time, longest first; ties go to the canonical id order,
    so the candidate whose id sorts first wins a tie.
    """
    return sorted(
        indices,
        key=lambda index: (problem.candidates[index].waited_days, -index),
    )
