"""Turning chosen group types into concrete, valid groups, then polishing them.

The type-level choice (``_select``) says which kinds of group to form and
guarantees each enough members. This step decides who goes where:

1. free seats in open groups go to candidates no chosen type covers;
2. covered candidates are spread over their chosen types so that group sizes
   come out near the middle of the bounds;
3. each type's members are split into groups, keeping avoid pairs apart and
   nobody the only one of their gender where a swap can help;
4. a group-level repair enforces everything the type level relaxed (avoid
   pairs, newcomers' ages, unreachable sizes) and a polish inserts, swaps and
   forms groups for whoever is still left out.

Every move here is checked against the full rules, so the result is valid by
construction; the tests check it again independently.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from ._keys import optional_key
from ._problem import Problem, Shape, ages_fit, fits, shape_key
from ._select import Selector, TypeKey, bits


@dataclass(eq=False)
class Group:
    """A group under construction; ``members`` are candidate indices."""

    shape: Shape
    members: list[int]
    minimum: int
    capacity: int
    open_index: int | None = None
    fixed_ids: frozenset[Hashable] = frozenset()
    fixed_years: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        return len(self.members) + len(self.fixed_ids)

    @property
    def has_room(self) -> bool:
        return self.size < self.capacity


class Assembler:
    """Builds and repairs the groups of one component."""

    def __init__(self, problem: Problem, rank: Sequence[int]) -> None:
        self.problem = problem
        self.rules = problem.rules
        self.candidates = problem.candidates
        self.rank = rank
        self.groups: list[Group] = []
        self.unplaced: set[int] = set()
        self._cost_cache: dict[int, list[tuple[int, int]]] = {}

    # -- rules -------------------------------------------------------------

    def group_ids(self, group: Group, without: int | None = None) -> set[Hashable]:
        ids = set(group.fixed_ids)
        ids.update(
            self.candidates[member].id for member in group.members if member != without
        )
        return ids

    def can_join(self, index: int, group: Group, without: int | None = None) -> bool:
        """Whether candidate ``index`` may join ``group`` (optionally in place
        of its member ``without``), by every rule except the size."""
        candidate = self.candidates[index]
        if not fits(candidate, group.shape):
            return False
        if self.problem.avoid[index] & self.group_ids(group, without):
            return False
        years = [
            self.candidates[member].birth_year
            for member in group.members
            if member != without
        ]
        return ages_fit(
            (*years, *group.fixed_years, candidate.birth_year),
            self.rules.max_age_span,
        )

    def size_options(self, load: int) -> list[tuple[int, int]]:
        """Every split of ``load`` members into ``min_size..max_size`` groups
        as ``(cost, number of groups)``, best first. The cost is the squared
        distance of each group's size from the middle of the bounds."""
        if load in self._cost_cache:
            return self._cost_cache[load]
        low, high = self.rules.min_size, self.rules.max_size
        options = []
        for count in range(max(1, -(-load // high)), load // low + 1):
            small, extra = divmod(load, count)
            cost = (
                extra * (2 * small + 2 - low - high) ** 2
                + (count - extra) * (2 * small - low - high) ** 2
            )
            options.append((cost, count))
        options.sort()
        self._cost_cache[load] = options
        return options

    def size_cost(self, load: int) -> tuple[int, int] | None:
        """The best of :meth:`size_options`, or ``None`` if there is none."""
        options = self.size_options(load)
        return options[0] if options else None

    def _load_cost(self, load: int) -> int:
        found = self.size_cost(load)
        return 10**9 if found is None else found[0]

    def penalty(self, members: Sequence[int]) -> int:
        """How bad a split is: avoid pairs weigh far more than lone genders."""
        ids = {self.candidates[member].id for member in members}
        clashes = sum(len(self.problem.avoid[member] & ids) for member in members)
        genders: dict[str, int] = {}
        for member in members:
            gender = self.candidates[member].gender
            if gender is not None:
                genders[gender] = genders.get(gender, 0) + 1
        lone = sum(1 for n in genders.values() if n == 1) if len(genders) > 1 else 0
        return 1000 * clashes + lone

    # -- building ----------------------------------------------------------

    def fill_open_groups(self, open_indices: Sequence[int], waiting: list[int]) -> None:
        """Give open groups' free seats to ``waiting`` candidates, by priority."""
        max_size = self.rules.max_size
        open_groups = []
        for index in open_indices:
            source = self.problem.open_groups[index]
            group = Group(
                shape=(source.place, source.slot, source.topic, source.gender),
                members=[],
                minimum=0,
                capacity=max_size,
                open_index=index,
                fixed_ids=source.member_ids,
                fixed_years=source.birth_years,
            )
            open_groups.append(group)
            self.groups.append(group)
        for index in waiting:
            options = [
                group
                for group in open_groups
                if group.has_room and self.can_join(index, group)
            ]
            if options:
                min(options, key=lambda group: group.size).members.append(index)
            else:
                self.unplaced.add(index)

    def build_new_groups(self, order: Sequence[int], selector: Selector) -> None:
        """Spread the covered candidates over the active types and split them."""
        table = selector.table
        active = selector.active_types()
        loads = {type_index: len(selector.seeds[type_index]) for type_index in active}
        chosen: dict[int, int] = {}
        for type_index in active:
            for local in selector.seeds[type_index]:
                chosen[local] = type_index
        options = {
            local: [t for t in table.of_candidate[local] if selector.active[t]]
            for local in bits(selector.cover)
        }
        pending = sorted(
            (local for local in options if local not in chosen),
            key=lambda local: (len(options[local]), -local),
        )
        for local in pending:
            best = min(
                options[local],
                key=lambda t: (
                    self._load_cost(loads[t] + 1) - self._load_cost(loads[t]),
                    t,
                ),
            )
            chosen[local] = best
            loads[best] += 1
        self._balance(chosen, loads, options)
        self._separate(order, chosen, loads, options)

        members: dict[int, list[int]] = {type_index: [] for type_index in active}
        for local in sorted(chosen):
            members[chosen[local]].append(order[local])
        for type_index in active:
            self._split(table.keys[type_index], members[type_index])

    def _balance(self, chosen, loads, options, passes: int = 20) -> None:
        """Move candidates between their active types while sizes improve."""
        low = self.rules.min_size
        cost = self._load_cost
        for _ in range(passes):
            moved = False
            for local in sorted(chosen):
                if len(options[local]) < 2:
                    continue
                here = chosen[local]
                if loads[here] <= low:
                    continue
                for there in options[local]:
                    if there == here:
                        continue
                    delta = (
                        cost(loads[here] - 1)
                        + cost(loads[there] + 1)
                        - cost(loads[here])
                        - cost(loads[there])
                    )
                    if delta < 0:
                        loads[here] -= 1
                        loads[there] += 1
                        chosen[local] = there
                        moved = True
                        break
            if not moved:
                return

    def _separate(self, order, chosen, loads, options) -> None:
        """Keep avoid pairs out of types too small to split into two groups.

        Such a type forms one group, so the repair would drop one side of the
        pair, and may leave the group too small. Move one side to another of
        its active types instead; when the type would fall below
        ``min_size``, bring in someone from a type that can spare them.
        """
        low = self.rules.min_size
        avoid = self.problem.avoid
        local_of = {self.candidates[order[local]].id: local for local in chosen}
        for local in sorted(chosen):
            here = chosen[local]
            if loads[here] >= 2 * low:
                continue
            if not any(
                other in local_of and chosen[local_of[other]] == here
                for other in avoid[order[local]]
            ):
                continue
            for there in options[local]:
                if there == here:
                    continue
                if loads[here] > low:
                    loads[here] -= 1
                    loads[there] += 1
                    chosen[local] = there
                    break
                stand_in = self._stand_in(order, chosen, loads, options, here, there)
                if stand_in is not None:
                    loads[chosen[stand_in]] -= 1
                    loads[here] += 1
                    chosen[stand_in] = here
                    loads[here] -= 1
                    loads[there] += 1
                    chosen[local] = there
                    break

    def _stand_in(self, order, chosen, loads, options, here, there) -> int | None:
        """Someone who can move into type ``here`` from a type that stays at
        ``min_size`` or above without them (``there`` gains a member)."""
        low = self.rules.min_size
        ids = {
            self.candidates[order[other]].id
            for other in chosen
            if chosen[other] == here
        }
        for other in sorted(chosen):
            source = chosen[other]
            if source == here or here not in options[other]:
                continue
            if loads[source] <= low and source != there:
                continue
            if self.problem.avoid[order[other]] & ids:
                continue
            return other
        return None

    def _split(self, key: TypeKey, members: list[int]) -> None:
        """Split one type's members into groups of balanced sizes."""
        shape: Shape = key[:4]
        by_priority = sorted(members, key=lambda index: -self.rank[index])
        while by_priority and self.size_cost(len(by_priority)) is None:
            self.unplaced.add(by_priority.pop())
        if not by_priority:
            return
        ordered = sorted(
            by_priority,
            key=lambda index: (
                optional_key(self.candidates[index].gender),
                self.candidates[index].birth_year or 0,
                index,
            ),
        )
        best = None
        for cost, count in self.size_options(len(ordered)):
            parts = self._initial_split(ordered, count)
            self._untangle(parts)
            penalty = sum(self.penalty(part) for part in parts)
            score = (penalty // 1000, cost, penalty)
            if best is None or score < best[0]:
                best = (score, parts)
            if penalty < 1000:
                break
        parts = best[1]
        for part in parts:
            self.groups.append(
                Group(
                    shape=shape,
                    members=sorted(part),
                    minimum=self.rules.min_size,
                    capacity=self.rules.max_size,
                )
            )

    def _initial_split(self, ordered: list[int], count: int) -> list[list[int]]:
        """Split ``ordered`` into ``count`` balanced parts: in runs (members of
        a gender together) or dealt in turn (genders spread), whichever leaves
        fewer avoid pairs and lone genders."""
        small, extra = divmod(len(ordered), count)
        chunked = []
        start = 0
        for number in range(count):
            size = small + (1 if number < extra else 0)
            chunked.append(ordered[start : start + size])
            start += size
        dealt: list[list[int]] = [[] for _ in range(count)]
        for position, index in enumerate(ordered):
            dealt[position % count].append(index)
        return min(
            (chunked, dealt),
            key=lambda split: sum(self.penalty(part) for part in split),
        )

    def _untangle(self, parts: list[list[int]], rounds: int = 4) -> None:
        """Swap members between groups of one type to separate avoid pairs and
        to leave nobody the only one of their gender."""
        if len(parts) < 2:
            return
        penalties = [self.penalty(part) for part in parts]
        for _ in range(rounds):
            changed = False
            for first in range(len(parts)):
                if not penalties[first]:
                    continue
                for second in range(len(parts)):
                    if second == first or not penalties[first]:
                        continue
                    if self._best_swap(parts, penalties, first, second):
                        changed = True
            if not changed:
                return

    def _best_swap(self, parts, penalties, first: int, second: int) -> bool:
        before = penalties[first] + penalties[second]
        for a_pos, a in enumerate(parts[first]):
            for b_pos, b in enumerate(parts[second]):
                new_first = [*parts[first][:a_pos], b, *parts[first][a_pos + 1 :]]
                new_second = [*parts[second][:b_pos], a, *parts[second][b_pos + 1 :]]
                first_penalty = self.penalty(new_first)
                second_penalty = self.penalty(new_second)
                if first_penalty + second_penalty < before:
                    parts[first], parts[second] = new_first, new_second
                    penalties[first], penalties[second] = first_penalty, second_penalty
                    return True
        return False

    # -- repair and polish -------------------------------------------------

    def repair(self) -> None:
        """Drop members until no group breaks a rule the types relaxed."""
        for group in self.groups:
            while True:
                ids = self.group_ids(group)
                clashing = [
                    member
                    for member in group.members
                    if self.problem.avoid[member] & ids
                ]
                if not clashing:
                    break
                clashing.sort(
                    key=lambda member: (
                        -len(self.problem.avoid[member] & ids),
                        self.rank[member],
                    )
                )
                for member in clashing:
                    group.members.remove(member)
                    if self._rehome(member, group):
                        break
                    group.members.append(member)
                else:
                    group.members.remove(clashing[0])
                    self.unplaced.add(clashing[0])
        for group in self.groups:
            if len(group.members) < group.minimum:
                self._refill(group)
        self.groups = [group for group in self.groups if group.members]

    def _rehome(self, index: int, source: Group) -> bool:
        """Move a candidate taken out of ``source`` to another group, directly
        or by swapping with one of its members; report whether it worked."""
        others = [group for group in self.groups if group is not source]
        for group in others:
            if group.has_room and self.can_join(index, group):
                group.members.append(index)
                return True
        for group in others:
            if not fits(self.candidates[index], group.shape):
                continue
            for member in sorted(group.members, key=lambda m: self.rank[m]):
                if self.can_join(index, group, without=member) and self.can_join(
                    member, source
                ):
                    group.members.remove(member)
                    group.members.append(index)
                    source.members.append(member)
                    return True
        return False

    def _refill(self, group: Group) -> None:
        for index in self.by_priority(self.unplaced):
            if len(group.members) >= group.minimum:
                return
            if self.can_join(index, group):
                group.members.append(index)
                self.unplaced.discard(index)
        for other in self.groups:
            if other is group or other.open_index is not None:
                continue
            for member in sorted(other.members, key=lambda m: self.rank[m]):
                if len(group.members) >= group.minimum:
                    return
                if len(other.members) > other.minimum and self.can_join(member, group):
                    other.members.remove(member)
                    group.members.append(member)
        if len(group.members) < group.minimum:
            self.unplaced.update(group.members)
            group.members.clear()

    def by_priority(self, indices) -> list[int]:
        return sorted(indices, key=lambda index: -self.rank[index])

    def polish(self) -> None:
        """Place whoever can still be placed, then prefer longer waits."""
        self._insert_all()
        while self._form_group():
            self._insert_all()
        self._upgrade()

    def _insert_all(self) -> None:
        for index in self.by_priority(self.unplaced):
            if self._insert(index):
                self.unplaced.discard(index)

    def _insert(self, index: int) -> bool:
        options = [
            group
            for group in self.groups
            if group.has_room and self.can_join(index, group)
        ]
        if options:
            target = min(options, key=lambda group: group.size)
            target.members.append(index)
            return True
        candidate = self.candidates[index]
        for group in self.groups:
            if group.has_room or not fits(candidate, group.shape):
                continue
            for member in sorted(group.members, key=lambda m: self.rank[m]):
                if not self.can_join(index, group, without=member):
                    continue
                for other in self.groups:
                    if (
                        other is not group
                        and other.has_room
                        and self.can_join(member, other)
                    ):
                        group.members.remove(member)
                        other.members.append(member)
                        group.members.append(index)
                        return True
        return False

    def _form_group(self) -> bool:
        """Form one new group from unplaced candidates, if any can form one."""
        low = self.rules.min_size
        pools: dict[Shape, list[int]] = {}
        for index in self.by_priority(self.unplaced):
            for shape in self.problem.shapes_of(index):
                pools.setdefault(shape, []).append(index)
        for shape in sorted(pools, key=lambda s: (-len(pools[s]), shape_key(s))):
            pool = pools[shape]
            if len(pool) < low:
                continue
            members = self._pick(shape, pool)
            if len(members) >= low:
                self.groups.append(
                    Group(
                        shape=shape,
                        members=members,
                        minimum=low,
                        capacity=self.rules.max_size,
                    )
                )
                self.unplaced.difference_update(members)
                return True
        return False

    def _pick(self, shape: Shape, pool: list[int]) -> list[int]:
        """The best valid group of ``shape`` from ``pool`` (in priority order),
        chosen greedily within each age window."""
        span = self.rules.max_age_span
        years = sorted(
            {self.candidates[i].birth_year for i in pool} - {None}, key=lambda y: y
        )
        windows = [None] if span is None or not years else years
        best: list[int] = []
        for low in windows:
            probe = Group(shape=shape, members=[], minimum=0, capacity=0)
            for index in pool:
                if len(probe.members) >= self.rules.max_size:
                    break
                year = self.candidates[index].birth_year
                if (
                    low is not None
                    and year is not None
                    and not low <= year <= low + span
                ):
                    continue
                if self.can_join(index, probe):
                    probe.members.append(index)
            if len(probe.members) > len(best):
                best = probe.members
        return best

    def _upgrade(self) -> None:
        """Swap a placed candidate for a longer-waiting unplaced one where the
        group stays valid, re-placing the one swapped out when possible."""
        for index in self.by_priority(self.unplaced):
            candidate = self.candidates[index]
            done = False
            for group in self.groups:
                if done or not fits(candidate, group.shape):
                    continue
                for member in sorted(group.members, key=lambda m: self.rank[m]):
                    if self.rank[member] >= self.rank[index]:
                        break
                    if self.can_join(index, group, without=member):
                        group.members.remove(member)
                        group.members.append(index)
                        self.unplaced.discard(index)
                        if not self._insert(member):
                            self.unplaced.add(member)
                        done = True
                        break
