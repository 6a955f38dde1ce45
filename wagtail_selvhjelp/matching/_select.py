"""Choosing which kinds of group to form: the type-level core of the engine.

Reasoning per numbered group is hopeless: groups of the same kind are
interchangeable, and a solver wastes its time on their permutations. This
module reasons per *group type* instead. A type is a shape ``(place, slot,
topic, gender)`` plus, when the rules limit the age span, the earliest birth
year the group may hold (an *age window*). A type's *pool* is the set of candidates
who fit it.

The key fact: once a type is *active* (at least one group of it is formed), it
can take every candidate in its pool, because any number of candidates from
``min_size`` up can be split into groups of ``min_size..max_size`` when
``max_size >= 2 * min_size - 1`` (true for the default 4..8). So a choice of
active types ``A`` places everyone in the union of their pools, provided each
active type can be given ``min_size`` *seed* members of its own, disjoint from
the other types' seeds. That condition is a bipartite matching, kept up to date
with augmenting paths. Choosing ``A`` is then a coverage problem over a
matching constraint, solved here by a lazy greedy, a local search that trades
active types to unblock uncovered candidates, a seeded simulated annealing
that escapes its local optima, and, for small parts, an exact branch and bound
that also proves the upper bound reported to the coordinator.

Candidates are numbered from the lowest priority (0) to the highest, and sets
of candidates are Python integers used as bit sets. Comparing two equally large
sets as integers therefore compares them by who waited longest, which is the
engine's second objective.

The type-level model ignores avoid pairs, newcomers' ages in open groups and,
when ``max_size < 2 * min_size - 1``, the sizes no split can reach. It is a
relaxation: its optimum bounds every valid proposal from above. The assembly
step (``_assemble``) turns the chosen types into concrete, valid groups.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ._problem import Problem, Shape, shape_key


TypeKey = tuple[str, str, "str | None", "str | None", "int | None"]


def bits(mask: int) -> list[int]:
    """The members of a bit set, from the highest priority down."""
    found = []
    while mask:
        top = mask.bit_length() - 1
        found.append(top)
        mask ^= 1 << top
    return found


@dataclass
class TypeTable:
    """The live group types of one component and their pools."""

    keys: list[TypeKey]
    masks: list[int]
    members: list[list[int]]
    of_candidate: list[list[int]]
    """For each local candidate, the types whose pool holds it."""
    union: int
    """Every candidate in some pool."""


def build_types(
    problem: Problem, order: Sequence[int], shapes: Sequence[Sequence[Shape]]
) -> TypeTable:
    """Enumerate the types of one component.

    ``order`` maps local candidate numbers to problem indices and ``shapes``
    gives each local candidate's shapes. Types whose pool is smaller than
    ``min_size`` are dropped, as are age windows contained in the previous
    window and single-gender types no one asked for; among types with equal
    pools only the first is kept. None of this loses an optimum.
    """
    rules = problem.rules
    span = rules.max_age_span
    pools: dict[Shape, list[int]] = {}
    for local, local_shapes in enumerate(shapes):
        for shape in local_shapes:
            pools.setdefault(shape, []).append(local)

    candidates = [problem.candidates[index] for index in order]
    local_of = {
        problem.candidates[index].id: local for local, index in enumerate(order)
    }
    pairs = sorted(
        {
            (min(local, local_of[other]), max(local, local_of[other]))
            for local, index in enumerate(order)
            for other in problem.avoid[index]
            if other in local_of
        }
    )
    found: dict[int, TypeKey] = {}
    for shape in sorted(pools, key=shape_key):
        pool = pools[shape]
        if len(pool) < rules.min_size:
            continue
        gender = shape[3]
        wishers = 0
        if gender is not None:
            for local in pool:
                if candidates[local].single_gender:
                    wishers |= 1 << local
            if not wishers:
                continue
        for low, window in _windows(pool, candidates, span):
            for mask in _without_clashes(window, pairs, rules.min_size):
                if mask.bit_count() < rules.min_size:
                    continue
                if gender is not None and not mask & wishers:
                    continue
                found.setdefault(mask, (*shape, low))

    entries = sorted(found.items(), key=lambda item: _type_sort_key(item[1]))
    keys = [key for _, key in entries]
    masks = [mask for mask, _ in entries]
    members = [bits(mask) for mask in masks]
    of_candidate: list[list[int]] = [[] for _ in order]
    union = 0
    for type_index, mask in enumerate(masks):
        union |= mask
        for local in members[type_index]:
            of_candidate[local].append(type_index)
    return TypeTable(keys, masks, members, of_candidate, union)


MAX_SPLIT_PAIRS = 4
"""A pool with more avoid pairs than this inside is not split (see below)."""


def _without_clashes(mask: int, pairs, min_size: int) -> list[int]:
    """The pool ``mask`` as type pools that respect avoid pairs.

    A pool too small for two groups can only ever form one group, which may
    hold at most one side of each avoid pair inside it. Such a pool is replaced
    by its variants without one side of each pair, so that the type level
    already knows what one group can hold. Larger pools are kept whole: their
    groups can usually keep the pair apart, and the assembly step repairs the
    rest.
    """
    if mask.bit_count() >= 2 * min_size:
        return [mask]
    inside = [(a, b) for a, b in pairs if mask >> a & 1 and mask >> b & 1]
    if not inside or len(inside) > MAX_SPLIT_PAIRS:
        return [mask]
    variants = {mask}
    for a, b in inside:
        variants = {variant & ~(1 << side) for variant in variants for side in (a, b)}
    return sorted(variants, reverse=True)


def _type_sort_key(key: TypeKey) -> tuple:
    low = key[4]
    return (*shape_key(key[:4]), (0, 0) if low is None else (1, low))


def _windows(pool: list[int], candidates, span: int | None) -> list[tuple]:
    """The maximal age windows of a pool as ``(lowest year, mask)`` pairs."""
    if span is None:
        mask = 0
        for local in pool:
            mask |= 1 << local
        return [(None, mask)]
    unknown = 0
    dated = []
    for local in pool:
        year = candidates[local].birth_year
        if year is None:
            unknown |= 1 << local
        else:
            dated.append((year, local))
    if not dated:
        return [(None, unknown)]
    dated.sort()
    prefix = [0]
    for _, local in dated:
        prefix.append(prefix[-1] | 1 << local)
    years = [year for year, _ in dated]
    windows = []
    end = 0
    previous_end = -1
    start = 0
    while start < len(dated):
        low = years[start]
        while end < len(dated) and years[end] <= low + span:
            end += 1
        if end > previous_end:
            windows.append((low, unknown | (prefix[end] ^ prefix[start])))
            previous_end = end
        while start < len(dated) and years[start] == low:
            start += 1
    return windows


class Selector:
    """A set of active types with its seed matching, changed move by move."""

    def __init__(
        self,
        table: TypeTable,
        size: int,
        min_size: int,
        open_seats: Sequence[int] = (),
        open_pools: Sequence[int] = (),
    ) -> None:
        self.table = table
        self.min_size = min_size
        self.active = [False] * len(table.keys)
        self.active_set: set[int] = set()
        self.seed_of = [-1] * size
        self.seeds: dict[int, list[int]] = {}
        self.seed_mask = 0
        self.cover_count = [0] * size
        self.cover = 0
        self.open_seats = list(open_seats)
        self.open_pools = list(open_pools)
        self.open_union = 0
        for pool in self.open_pools:
            self.open_union |= pool
        self.last_reached: list[int] = []
        self.blocked: dict[int, list[int]] = {}
        self.blocks: dict[int, set[int]] = {}

    def active_types(self) -> list[int]:
        return sorted(self.active_set)

    def add(self, type_index: int) -> bool:
        """Activate a type if it can get its seeds; report whether it did.

        A failed search proves that the types it reached, with this one, need
        more seeds than their pools hold (Hall's condition fails). That stays
        true while those types are all active, so the failure is remembered
        until one of them is removed.
        """
        if type_index in self.blocked:
            self.last_reached = self.blocked[type_index]
            return False
        self.seeds[type_index] = []
        for _ in range(self.min_size):
            if not self._augment(type_index):
                for local in self.seeds.pop(type_index):
                    self.seed_of[local] = -1
                    self.seed_mask ^= 1 << local
                self.blocked[type_index] = self.last_reached
                for reached in self.last_reached:
                    if reached != type_index:
                        self.blocks.setdefault(reached, set()).add(type_index)
                return False
        self.active[type_index] = True
        self.active_set.add(type_index)
        for local in self.table.members[type_index]:
            if not self.cover_count[local]:
                self.cover |= 1 << local
            self.cover_count[local] += 1
        return True

    def remove(self, type_index: int) -> None:
        self.active[type_index] = False
        self.active_set.discard(type_index)
        for local in self.seeds.pop(type_index):
            self.seed_of[local] = -1
            self.seed_mask ^= 1 << local
        for local in self.table.members[type_index]:
            self.cover_count[local] -= 1
            if not self.cover_count[local]:
                self.cover ^= 1 << local
        for blocked in self.blocks.pop(type_index, ()):
            self.blocked.pop(blocked, None)

    def _augment(self, start: int) -> bool:
        """Find one more seed for ``start``, moving other seeds if needed."""
        masks = self.table.masks
        members = self.table.members
        parent: dict[int, tuple[int, int] | None] = {start: None}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            free = masks[current] & ~self.seed_mask
            if free:
                local = (free & -free).bit_length() - 1
                self.seed_mask |= 1 << local
                owner, taken = current, local
                while True:
                    previous = self.seed_of[taken]
                    if previous != -1:
                        self.seeds[previous].remove(taken)
                    self.seed_of[taken] = owner
                    self.seeds[owner].append(taken)
                    link = parent[owner]
                    if link is None:
                        return True
                    owner, taken = link
            for local in members[current]:
                holder = self.seed_of[local]
                if holder != current and holder not in parent:
                    parent[holder] = (current, local)
                    queue.append(holder)
        self.last_reached = sorted(parent)
        return False

    def open_fill(self, cover: int) -> int:
        """The candidates outside ``cover`` that open groups' seats can take,
        chosen by priority with augmenting paths (a maximum matching)."""
        if not self.open_pools:
            return 0
        seats = self.open_seats
        pools = self.open_pools
        taken: list[list[int]] = [[] for _ in pools]
        placed = 0
        for local in bits(self.open_union & ~cover):
            if self._place_open(local, taken, seats, pools, set()):
                placed |= 1 << local
        return placed

    def _place_open(self, local, taken, seats, pools, seen) -> bool:
        for group, pool in enumerate(pools):
            if group in seen or not pool >> local & 1:
                continue
            seen.add(group)
            if len(taken[group]) < seats[group]:
                taken[group].append(local)
                return True
            for position, other in enumerate(taken[group]):
                if self._place_open(other, taken, seats, pools, seen):
                    taken[group][position] = local
                    return True
        return False

    def value(self) -> tuple[int, int]:
        """``(number placed, placed set)``: compare two values with ``>``."""
        placed = self.cover | self.open_fill(self.cover)
        return placed.bit_count(), placed

    def greedy(self, allowed: Iterable[int] | None = None) -> list[int]:
        """Add the type that covers most new candidates until none does.

        Gains only shrink as types are added, so stale heap entries are
        re-scored lazily.
        """
        masks = self.table.masks
        candidates = range(len(masks)) if allowed is None else allowed
        heap = []
        for type_index in candidates:
            if not self.active[type_index]:
                gain = masks[type_index] & ~self.cover
                if gain:
                    heap.append((-gain.bit_count(), -gain, type_index))
        heapq.heapify(heap)
        added = []
        while heap:
            _, stale, type_index = heapq.heappop(heap)
            gain = masks[type_index] & ~self.cover
            if not gain or self.active[type_index]:
                continue
            if gain != -stale:
                heapq.heappush(heap, (-gain.bit_count(), -gain, type_index))
                continue
            if self.add(type_index):
                added.append(type_index)
        return added

    def touching(self, mask: int) -> list[int]:
        """The inactive types whose pools meet ``mask``."""
        found: set[int] = set()
        for local in bits(mask):
            found.update(self.table.of_candidate[local])
        return sorted(index for index in found if not self.active[index])

    def improve(self, budget: int) -> int:
        """Local search: trade active types for one that covers someone new.

        For every uncovered candidate and every type that could cover them but
        cannot get seeds, try removing each active type met on the failed
        augmenting search (then all of them at once), adding the blocked type
        and greedily refilling. Keep a change only if the value improves.
        Returns the unused budget.
        """
        best = self.value()
        improved = True
        while improved and budget > 0:
            improved = False
            for local in bits(self.table.union & ~self.cover):
                for blocked in self.table.of_candidate[local]:
                    if self.cover >> local & 1 or budget <= 0:
                        break
                    budget -= 1
                    if self.add(blocked):
                        self.greedy(self.touching(self.table.masks[blocked]))
                        best = self.value()
                        improved = True
                        continue
                    reached = [t for t in self.last_reached if self.active[t]]
                    options = [[t] for t in reached]
                    if len(reached) > 1:
                        options.append(reached)
                    for removed in options:
                        budget -= len(removed)
                        if self._try_swap(removed, blocked, best):
                            best = self.value()
                            improved = True
                            break
                        if budget <= 0:
                            break
        return budget

    def _try_swap(self, removed: list[int], added: int, best: tuple[int, int]) -> bool:
        before = self.active_types()
        region = self.table.masks[added]
        for type_index in removed:
            region |= self.table.masks[type_index]
            self.remove(type_index)
        if self.add(added):
            self.greedy(self.touching(region))
            if self.value() > best:
                return True
        self.restore(before)
        return False

    def restore(self, types: list[int]) -> None:
        """Make exactly ``types`` active again (a choice that was feasible)."""
        current = set(self.active_set)
        target = set(types)
        for type_index in sorted(current - target):
            self.remove(type_index)
        for type_index in sorted(target - current):
            if not self.add(type_index):
                raise AssertionError("a recorded choice of types lost its seeds")

    def shake(self, rounds: int, budget: int, seed: int = 0) -> None:
        """Iterated local search with simulated annealing.

        Each round picks a random uncovered candidate and one of its types,
        evicts the types holding seeds in that type's pool, adds it and
        refills greedily around it (then runs a short :meth:`improve`). A
        change that places fewer people is still kept with a probability that
        shrinks as the search cools, which lets the search leave local optima;
        the best choice seen is restored at the end. The generator is seeded,
        so the search is as deterministic as the rest of the engine.
        """
        rng = random.Random(seed)  # noqa: S311 (a search, not a secret)
        best = current = self.value()
        best_types = self.active_types()
        masks = self.table.masks
        for number in range(rounds):
            uncovered = bits(self.table.union & ~self.cover)
            if not uncovered:
                break
            temperature = 0.8 * (0.05 / 0.8) ** (number / rounds)
            local = uncovered[rng.randrange(len(uncovered))]
            options = self.table.of_candidate[local]
            added = options[rng.randrange(len(options))]
            before = self.active_types()
            holders = {self.seed_of[c] for c in bits(masks[added] & self.seed_mask)}
            region = masks[added]
            for type_index in sorted(holders):
                region |= masks[type_index]
                self.remove(type_index)
            self.add(added)
            self.greedy(self.touching(region))
            if budget:
                self.improve(budget)
            value = self.value()
            delta = value[0] - current[0]
            if delta >= 0 or rng.random() < math.exp(delta / temperature):
                current = value
                if value > best:
                    best, best_types = value, self.active_types()
            else:
                self.restore(before)
        self.restore(best_types)

    def bound(self) -> int:
        """An upper bound on the number any choice of types can place."""
        union = self.table.union
        return min(
            (union | self.open_union).bit_count(),
            union.bit_count() + sum(self.open_seats),
        )


class _Stop(Exception):
    pass


def branch_and_bound(
    selector: Selector,
    node_limit: int,
    relaxed: tuple[float, Sequence[float]] | None = None,
) -> tuple[bool, int]:
    """Search every choice of active types for the most candidates placed.

    Takes the selector's current choice as the incumbent, searches from the
    empty choice and leaves the best choice found active. Branches on the
    uncovered candidate with the fewest remaining types: either one of those
    types is active (the earlier ones excluded) or none is. The bound is the
    union of the pools still allowed and, when ``relaxed`` is given, the
    Lagrangian bound of the node (see ``_bound``): ``relaxed`` is the
    relaxation's value apart from the types and each type's earning when it
    is formed. A type whose forming alone brings the bound down to the
    incumbent is excluded before the search starts. Returns ``(proven, best
    count)``; ``proven`` is false when the node limit stopped the search.
    """
    table = selector.table
    masks = table.masks
    members = table.members
    excluded = [False] * len(masks)
    remaining = [len(types) for types in table.of_candidate]
    earnings: Sequence[float] = ()
    relaxation = math.inf
    if relaxed is not None:
        base, earnings = relaxed
        relaxation = base + sum(max(0.0, earning) for earning in earnings)
    state = {"allowed": table.union, "nodes": 0, "relaxation": relaxation}
    seats = sum(selector.open_seats)
    best_value = selector.value()
    best_types = selector.active_types()
    for type_index in best_types:
        selector.remove(type_index)

    def exclude(type_index: int) -> None:
        excluded[type_index] = True
        if earnings:
            state["relaxation"] -= max(0.0, earnings[type_index])
        for local in members[type_index]:
            remaining[local] -= 1
            if not remaining[local]:
                state["allowed"] ^= 1 << local

    def restore(type_index: int) -> None:
        excluded[type_index] = False
        if earnings:
            state["relaxation"] += max(0.0, earnings[type_index])
        for local in members[type_index]:
            if not remaining[local]:
                state["allowed"] ^= 1 << local
            remaining[local] += 1

    def activate(type_index: int) -> bool:
        if not selector.add(type_index):
            return False
        if earnings:
            earning = earnings[type_index]
            state["relaxation"] += earning - max(0.0, earning)
        return True

    def deactivate(type_index: int) -> None:
        selector.remove(type_index)
        if earnings:
            earning = earnings[type_index]
            state["relaxation"] -= earning - max(0.0, earning)

    def upper() -> int:
        allowed = state["allowed"]
        bound = min(
            (allowed | selector.open_union).bit_count(), allowed.bit_count() + seats
        )
        if earnings:
            bound = min(bound, math.floor(state["relaxation"]))
        return bound

    for type_index, earning in enumerate(earnings):
        if earning < 0 and math.floor(relaxation + earning) <= best_value[0]:
            exclude(type_index)

    def search() -> None:
        nonlocal best_value, best_types
        state["nodes"] += 1
        if state["nodes"] > node_limit:
            raise _Stop
        value = selector.value()
        if value > best_value:
            best_value = value
            best_types = selector.active_types()
        if upper() <= best_value[0]:
            return
        undo = []
        open_ = state["allowed"] & ~selector.cover
        for type_index in selector.touching(open_):
            if excluded[type_index]:
                continue
            if selector.add(type_index):
                selector.remove(type_index)
            else:
                exclude(type_index)
                undo.append(type_index)
        open_ = state["allowed"] & ~selector.cover
        if open_ and upper() > best_value[0]:
            choice = min(bits(open_), key=lambda local: remaining[local])
            options = [
                type_index
                for type_index in table.of_candidate[choice]
                if not excluded[type_index]
            ]
            options.sort(key=lambda t: -(masks[t] & ~selector.cover).bit_count())
            for type_index in options:
                if activate(type_index):
                    search()
                    deactivate(type_index)
                exclude(type_index)
                undo.append(type_index)
                if upper() <= best_value[0]:
                    break
            else:
                search()
        for type_index in reversed(undo):
            restore(type_index)

    proven = True
    try:
        search()
    except _Stop:
        proven = False
    selector.restore(best_types)
    return proven, best_value[0]
