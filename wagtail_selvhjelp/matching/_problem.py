"""The prepared problem: validated input, compatibility tests and components.

A *shape* is what a group is defined by: ``(place, slot, topic, gender)``, with
``topic=None`` for a mixed group and ``gender=None`` for a group open to every
gender. Candidates are numbered once, in canonical id order, and every later
step refers to them by that number.

Only the choices someone shares are enumerated: a place, time slot or topic
that no other candidate and no open group has can hold no group but the
candidate's own (a group of one, when ``min_size`` is 1), and every such group
is as good as any other, so only the first of them in name order is kept (it
also names the place in a reason when nobody can meet the candidate anywhere).
One candidate ticking thousands of places therefore costs no more than the
places the others tick.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._keys import canonical_key, key_collision, optional_key
from .types import Candidate, OpenGroup, Rules


Shape = tuple[str, str, "str | None", "str | None"]


def shape_key(shape: Shape) -> tuple:
    """A total order on shapes (``None`` topic and gender first)."""
    place, slot, topic, gender = shape
    return (place, slot, optional_key(topic), optional_key(gender))


#: The rules a candidate can break alone, in the order they are checked.
FIT_RULES = ("place", "slot", "kind", "topic", "gender", "single_gender")


def misfits(candidate: Candidate, shape: Shape) -> list[str]:
    """The rules of :data:`FIT_RULES` that keep ``candidate`` out of ``shape``.

    The explaining twin of :func:`fits` (which the search calls millions of
    times, so it stays a short-circuiting test): ``fits`` is true exactly when
    this is empty, a property the test suite checks on random input.
    """
    place, slot, topic, gender = shape
    broken = []
    if place not in candidate.places:
        broken.append("place")
    if slot not in candidate.slots:
        broken.append("slot")
    if topic is None:
        if candidate.kind == "themed":
            broken.append("kind")
    elif candidate.kind == "mixed":
        broken.append("kind")
    elif topic not in candidate.topics:
        broken.append("topic")
    if gender is None:
        if candidate.single_gender:
            broken.append("single_gender")
    elif candidate.gender != gender:
        broken.append("gender")
    return broken


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
    places: list[tuple[str, ...]]
    """For each candidate, the places worth enumerating, sorted (see above)."""
    slots: list[tuple[str, ...]]
    """For each candidate, the time slots worth enumerating, sorted."""
    topics: list[tuple[str, ...]]
    """For each candidate, the topics worth enumerating, sorted."""

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
            topics.extend(self.topics[index])
        if candidate.kind != "themed":
            topics.append(None)
        return [
            (place, slot, topic, gender)
            for place in self.places[index]
            for slot in self.slots[index]
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
        raise ValueError(f"rules must be a Rules instance, got {rules!r}")
    candidate_list = _objects(candidates, "candidates", Candidate)
    group_list = _objects(open_groups, "open_groups", OpenGroup)
    candidate_list.sort(key=lambda candidate: canonical_key(candidate.id))
    group_list.sort(key=lambda group: canonical_key(group.id))

    ids: set[Hashable] = set()
    for candidate in candidate_list:
        if candidate.id in ids:
            raise ValueError(f"candidate id {candidate.id!r} is given twice")
        ids.add(candidate.id)
    group_ids: set[Hashable] = set()
    for group in group_list:
        if group.id in group_ids:
            raise ValueError(f"open group id {group.id!r} is given twice")
        group_ids.add(group.id)
    _check_orderable([candidate.id for candidate in candidate_list], "candidate")
    _check_orderable([group.id for group in group_list], "open group")
    members: dict[Hashable, Hashable] = {}
    for group in group_list:
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
    places = _shared(candidate_list, "places", [g.place for g in group_list])
    slots = _shared(candidate_list, "slots", [g.slot for g in group_list])
    topics = _shared(candidate_list, "topics", [g.topic for g in group_list])
    return Problem(
        candidates=candidate_list,
        rules=rules,
        open_groups=group_list,
        avoid=[frozenset(avoid[candidate.id]) for candidate in candidate_list],
        wished_genders=wished,
        places=places,
        slots=slots,
        topics=topics,
    )


def _objects(value: Any, what: str, kind: type) -> list:
    """The argument ``value`` as a list of ``kind`` instances, or a clear
    ``ValueError`` naming the argument."""
    name = kind.__name__
    if value is None or isinstance(value, str | bytes | kind):
        raise ValueError(
            f"{what} must be a collection of {name} objects, not {value!r}"
        )
    if isinstance(value, Mapping):
        raise ValueError(
            f"{what} must be a collection of {name} objects, not a mapping "
            f"(pass its values)"
        )
    try:
        items = list(value)
    except TypeError:
        raise ValueError(
            f"{what} must be a collection of {name} objects, not {value!r}"
        ) from None
    for item in items:
        if not isinstance(item, kind):
            raise ValueError(f"{what}: expected {name} objects, got {item!r}")
    return items


def _check_orderable(ids: list[Hashable], what: str) -> None:
    """Refuse different ids that no stable order can tell apart: their order,
    and so the proposal, would depend on the order of the input."""
    collision = key_collision(ids)
    if collision is not None:
        first, second = collision
        raise ValueError(
            f"{what} ids {first!r} and {second!r} are different but of the "
            f"same type and repr, so they have no stable order; use ids that "
            f"their repr tells apart (for example integers, strings or UUIDs)"
        )


def _shared(
    candidates: list[Candidate], field: str, fixed: Iterable[str | None]
) -> list[tuple[str, ...]]:
    """For each candidate, the names of ``field`` worth enumerating, sorted:
    those another candidate or an open group (``fixed``) has too, and the first
    of the others."""
    counts = Counter(
        name for candidate in candidates for name in getattr(candidate, field)
    )
    fixed_names = set(fixed)
    kept = []
    for candidate in candidates:
        shared = []
        alone = None
        for name in getattr(candidate, field):
            if counts[name] > 1 or name in fixed_names:
                shared.append(name)
            elif alone is None or name < alone:
                alone = name
        if alone is not None:
            shared.append(alone)
        kept.append(tuple(sorted(shared)))
    return kept


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
    for index in range(len(problem.candidates)):
        nodes = [
            (place, slot)
            for place in problem.places[index]
            for slot in problem.slots[index]
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
