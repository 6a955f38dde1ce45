"""``propose_groups``: the engine's entry point.

The work is done per independent component (candidates who can never meet at
the same place and slot never interact):

1. enumerate the component's group types and their pools (``_select``);
2. choose active types with a lazy greedy, improve the choice with a local
   search and an annealing; while the choice may still be short of the
   union of the pools, tighten that bound with a Lagrangian relaxation
   (``_bound``), try the choice its prices suggest, and, when the component
   is small, search exactly with branch and bound pruned by the relaxation;
3. build concrete groups and repair and polish them (``_assemble``);
4. explain everyone left out (``reasons``).

All effort limits are counts of steps, never wall-clock time, so the same
input always gives the same proposal on any machine.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._assemble import Assembler, Group
from ._bound import LagrangianBound
from ._keys import canonical_key, optional_key
from ._problem import Problem, components, prepare, priority_order
from ._select import Selector, bits, branch_and_bound, build_types
from .reasons import Explainer
from .types import Candidate, MatchResult, OpenGroup, ProposedGroup, Rules
from .validation import check_proposal


SEARCH_BUDGET = 20_000
"""Moves the local search may try per component."""

ANNEALING_ROUNDS = 1_500
"""Rounds of the annealing search per component, at most."""

EXACT_NODE_LIMIT = 1_500
"""Nodes the branch and bound may visit per component."""

EXACT_MAX_TYPES = 150
"""Components with more live types than this skip the branch and bound."""

EXACT_MAX_CANDIDATES = 500
"""Components with more candidates than this skip it too (it recurses)."""

BOUND_ROUNDS = 300
"""Subgradient rounds of the Lagrangian bound per component, at most."""

BOUND_WORK = 900_000
"""Pool members the Lagrangian bound may visit per component, at most (a
round visits every member of every type once): 300 rounds for a municipality
of 300. Components too large for the branch and bound get a quarter of it,
so that a county-wide run stays fast."""


def propose_groups(
    candidates: Iterable[Candidate],
    rules: Rules | None = None,
    open_groups: Iterable[OpenGroup] = (),
    *,
    exact_seconds: float | None = None,
) -> MatchResult:
    """Propose groups for ``candidates`` under ``rules``.

    Free seats in ``open_groups`` are offered first to those no new group
    would take. With ``exact_seconds`` (and OR-Tools installed, the ``exact``
    extra), a gap the engine's own bound leaves is handed to CP-SAT for at
    most that long (:func:`_prove`); without OR-Tools, or at 0, it is
    ignored. Raises ``ValueError`` for input of the wrong shape (``None``
    or a single object where a collection belongs, elements that are not
    ``Candidate``/``OpenGroup``) and for inconsistent input (duplicate ids,
    ids with no stable order, a candidate who is already in an open group,
    ...). See the package documentation for the guarantees.
    """
    problem = prepare(candidates, Rules() if rules is None else rules, open_groups)
    if exact_seconds is not None and (
        isinstance(exact_seconds, bool)
        or not isinstance(exact_seconds, int | float)
        or not exact_seconds >= 0
    ):
        raise ValueError(
            f"exact_seconds must be a number of seconds or None, got {exact_seconds!r}"
        )
    rank = [0] * len(problem.candidates)
    for position, index in enumerate(
        priority_order(problem, range(len(problem.candidates)))
    ):
        rank[index] = position

    groups: list[Group] = []
    unplaced: set[int] = set()
    upper_bound = 0
    considered = 0
    for candidate_indices, open_indices in components(problem):
        part_groups, part_unplaced, part_bound, part_considered = _solve_component(
            problem, rank, candidate_indices, open_indices
        )
        groups.extend(part_groups)
        unplaced.update(part_unplaced)
        upper_bound += part_bound
        considered += part_considered

    if exact_seconds and upper_bound > _placed(groups):
        groups, unplaced, upper_bound = _prove(
            problem, groups, unplaced, upper_bound, exact_seconds
        )
    return _result(problem, groups, unplaced, upper_bound, considered)


def _result(problem, groups, unplaced, upper_bound, considered) -> MatchResult:
    explainer = Explainer(problem, groups)
    reasons = {
        problem.candidates[index].id: explainer.explain(index)
        for index in sorted(unplaced)
    }
    proposed = sorted(
        (_to_proposed(problem, group) for group in groups if group.members),
        key=_group_sort_key,
    )
    return MatchResult(
        groups=proposed,
        unplaced=reasons,
        upper_bound=upper_bound,
        options_considered=considered,
    )


def _solve_component(
    problem: Problem, rank: list[int], indices: list[int], open_indices: list[int]
) -> tuple[list[Group], set[int], int, int]:
    order = priority_order(problem, indices)
    shapes = [problem.shapes_of(index) for index in order]
    table = build_types(problem, order, shapes)
    max_size = problem.rules.max_size
    seats = []
    pools = []
    for group_index in open_indices:
        group = problem.open_groups[group_index]
        seats.append(max(0, max_size - len(group.member_ids)))
        pool = 0
        for local, index in enumerate(order):
            if problem.open_group_fits(index, group):
                pool |= 1 << local
        pools.append(pool)

    selector = Selector(table, len(order), problem.rules.min_size, seats, pools)
    selector.greedy()
    selector.improve(SEARCH_BUDGET)
    bound = selector.bound()
    if selector.value()[0] < bound:
        selector.shake(min(ANNEALING_ROUNDS, 5 * len(order)), 0)
    searched = selector.active_types()
    relaxed = None
    if selector.value()[0] < bound:
        relaxation = LagrangianBound(
            table.members,
            problem.rules.min_size,
            seats,
            [bits(pool) for pool in pools],
        )
        work = max(1, sum(map(len, table.members)))
        if len(order) > EXACT_MAX_CANDIDATES:
            work *= 4
        rounds = min(BOUND_ROUNDS, BOUND_WORK // work)
        bound = min(bound, relaxation.search(selector.value()[0], rounds))
        price = relaxation.best_price
        relaxed = (relaxation.base(price), relaxation.type_values(price))
    small = len(table.keys) <= EXACT_MAX_TYPES and len(order) <= EXACT_MAX_CANDIDATES
    if relaxed is not None and selector.value()[0] < bound:
        if len(order) <= EXACT_MAX_CANDIDATES:
            _follow_prices(selector, relaxed[1])
    if selector.value()[0] < bound and small:
        proven, best = branch_and_bound(selector, EXACT_NODE_LIMIT, relaxed)
        if proven:
            bound = min(bound, best)
        selector.improve(SEARCH_BUDGET)

    groups, unplaced = _assemble(problem, rank, order, selector, open_indices)
    if selector.active_types() != searched:
        # The type level ignores avoid pairs in big pools and newcomers' ages
        # in open groups, so a choice that covers more may still place fewer:
        # keep the search's own choice unless the new one places more.
        selector.restore(searched)
        before = _assemble(problem, rank, order, selector, open_indices)
        if _placed(before[0]) >= _placed(groups):
            groups, unplaced = before
    considered = sum(len(local_shapes) for local_shapes in shapes)
    return groups, unplaced, bound, considered


def _assemble(problem, rank, order, selector, open_indices):
    """Concrete groups for the selector's choice: ``(groups, unplaced)``."""
    assembler = Assembler(problem, rank)
    waiting = [
        order[local]
        for local in reversed(range(len(order)))
        if not selector.cover >> local & 1
    ]
    assembler.fill_open_groups(open_indices, waiting)
    assembler.build_new_groups(order, selector)
    assembler.repair()
    assembler.polish()
    return assembler.groups, assembler.unplaced


def _prove(problem, groups, unplaced, upper_bound, seconds):
    """Hand the gap to the optional CP-SAT prover (``_exact``).

    Its proven bound replaces the engine's when lower, so the gap closes
    when it proves the proposal best. A solution placing more people is
    taken only if it passes ``check_proposal``, the same rulebook as the
    engine's own proposals; otherwise the engine's proposal stays. The
    prover is only imported here, so without OR-Tools nothing changes."""
    try:
        from . import _exact
    except ImportError:
        return groups, unplaced, upper_bound
    placed = _placed(groups)
    hint = _result(problem, groups, unplaced, upper_bound, 0)
    found = _exact.solve(problem, seconds, hint=hint)
    if found.bound is not None and found.bound >= placed:
        # A bound below a valid proposal would be a wrong model, not a proof.
        upper_bound = min(upper_bound, found.bound)
    if found.groups is None or found.value is None or found.value <= placed:
        return groups, unplaced, upper_bound
    better = _exact_groups(problem, found.groups)
    better_unplaced = set(range(len(problem.candidates))) - {
        member for group in better for member in group.members
    }
    trial = _result(problem, better, better_unplaced, upper_bound, 0)
    if trial.placed_count <= placed or check_proposal(
        problem.candidates, problem.rules, problem.open_groups, trial
    ):
        return groups, unplaced, upper_bound
    return better, better_unplaced, upper_bound


def _exact_groups(problem: Problem, found) -> list[Group]:
    """The prover's ``(shape, members, open group)`` triples as the engine's
    groups, open groups with their members and years as the assembler
    builds them."""
    max_size = problem.rules.max_size
    groups = []
    for shape, members, open_index in found:
        if open_index is None:
            groups.append(
                Group(shape[:4], list(members), problem.rules.min_size, max_size)
            )
            continue
        source = problem.open_groups[open_index]
        groups.append(
            Group(
                shape=shape,
                members=list(members),
                minimum=0,
                capacity=max_size,
                open_index=open_index,
                fixed_ids=source.member_ids,
                fixed_years=source.birth_years,
            )
        )
    return groups


def _placed(groups: list[Group]) -> int:
    return sum(len(group.members) for group in groups)


GUIDED_BUDGET = 2_000
"""Moves of the local search after following the relaxation's prices."""

GUIDED_ROUNDS = 100
"""Rounds of the annealing search after following the relaxation's prices."""


def _follow_prices(selector: Selector, earnings) -> None:
    """Try the choice the relaxation's prices suggest: the types that earn
    most at those prices first, then the usual greedy, local search and a
    short annealing; keep it if it covers more."""
    trial = Selector(
        selector.table,
        len(selector.seed_of),
        selector.min_size,
        selector.open_seats,
        selector.open_pools,
    )
    for type_index in sorted(range(len(earnings)), key=lambda t: (-earnings[t], t)):
        if earnings[type_index] <= 0:
            break
        trial.add(type_index)
    trial.greedy()
    trial.improve(GUIDED_BUDGET)
    trial.shake(min(GUIDED_ROUNDS, 5 * len(selector.seed_of)), 0, seed=1)
    if trial.value() > selector.value():
        selector.restore(trial.active_types())


def _to_proposed(problem: Problem, group: Group) -> ProposedGroup:
    place, slot, topic, gender = group.shape
    members = [problem.candidates[index] for index in group.members]
    open_id = None
    if group.open_index is not None:
        open_id = problem.open_groups[group.open_index].id
    elif gender is not None and not any(member.single_gender for member in members):
        gender = None
    return ProposedGroup(
        members=tuple(sorted((member.id for member in members), key=canonical_key)),
        place=place,
        slot=slot,
        topic=topic,
        gender=gender,
        open_group=open_id,
    )


def _group_sort_key(group: ProposedGroup) -> tuple:
    return (
        group.place,
        group.slot,
        optional_key(group.topic),
        optional_key(group.gender),
        group.open_group is not None,
        canonical_key(group.open_group),
        tuple(canonical_key(member) for member in group.members),
    )
