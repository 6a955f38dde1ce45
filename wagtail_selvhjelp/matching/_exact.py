"""The optional second prover: the same problem as a CP-SAT model (OR-Tools).

Installed with ``pip install wagtail-selvhjelp[exact]`` and used by
:func:`~wagtail_selvhjelp.matching.propose_groups` only when it is given
``exact_seconds`` and its own bound leaves a gap; the benchmark uses the
same model as its yardstick. Nothing else in the package imports it, so the
engine stays pure Python.

The model reasons per group *type*: a shape (place, slot, topic or mixed,
gender or any) and, with an age span, the lowest birth year of the group.
Types that another type dominates (the same or fewer possible members) are
left out: their groups can always be relabelled as the other type. For each
type booleans assign candidates to it and an integer counts its groups,
``min_size * n <= assigned <= max_size * n``; open groups get their free
seats, pairwise age and avoid constraints. Everyone is in at most one type.

Every valid proposal is a solution of the model, so CP-SAT's proven bound is
a proven upper bound on what any proposal can place. The converse fails only
for avoid pairs: a type with two or more groups is assumed to split a pair
between them. A solution is therefore turned into concrete groups by a
second small model per type that holds a pair (:func:`_split`); if a split
fails the solution is not used, and a solution that is used must still pass
:func:`~wagtail_selvhjelp.matching.check_proposal`, the engine's rulebook.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from ._problem import Problem, Shape


WORKERS = 8
"""CP-SAT search workers. One worker with a deterministic time limit gives
the same answer on every machine, as the engine itself does."""


@dataclass
class ExactResult:
    status: str
    """``optimal`` (the value is proven best), ``feasible`` or ``unknown``."""
    value: int | None
    """What the model's best solution places (``None`` if it found none)."""
    bound: int | None
    """CP-SAT's proven upper bound on what any valid proposal places."""
    groups: list[tuple[Shape, list[int], int | None]] | None = None
    """The best solution as concrete groups ``(shape, candidate indices, open
    group index or None)``; ``None`` if it could not be split (avoid pairs)."""
    seconds: float = 0.0
    types: int = field(default=0, compare=False)


def solve(
    problem: Problem,
    time_limit: float,
    hint=None,
    *,
    workers: int = WORKERS,
) -> ExactResult:
    """Solve ``problem`` (from ``_problem.prepare``) with CP-SAT.

    ``time_limit`` is in CP-SAT's deterministic time units (about a second
    each on a current machine) when ``workers`` is 1, else in seconds.
    ``hint`` (a ``MatchResult``, e.g. the engine's) only gives the solver a
    first solution: the bound is still CP-SAT's own proof.
    """
    rules = problem.rules
    low, high = rules.min_size, rules.max_size
    candidates = problem.candidates
    model = cp_model.CpModel()
    types = _types(problem)
    chosen: list[list] = [[] for _ in candidates]
    total = []
    # With max_size >= 2 * min_size - 1 every load from min_size up splits
    # into valid groups, so a type only needs to know whether it is used.
    no_gaps = high >= 2 * low - 1
    type_vars = []
    for number, (shape, members) in enumerate(types):
        assign = {index: model.NewBoolVar(f"x{number}_{index}") for index in members}
        load = sum(assign.values())
        count = None
        if no_gaps:
            used = model.NewBoolVar(f"used{number}")
            model.Add(load >= low).OnlyEnforceIf(used)
            for var in assign.values():
                model.AddImplication(var, used)
        else:
            count = model.NewIntVar(0, len(members) // low, f"n{number}")
            model.Add(load >= low * count)
            model.Add(load <= high * count)
            for var in assign.values():
                model.Add(var <= count)
        ids = {candidates[index].id: index for index in members}
        pairs = [
            (index, ids[other])
            for index in members
            for other in problem.avoid[index]
            if other in ids and index < ids[other]
        ]
        if pairs:
            several = model.NewBoolVar(f"several{number}")
            if no_gaps:
                model.Add(load >= 2 * low).OnlyEnforceIf(several)
                model.Add(load <= high).OnlyEnforceIf(several.Not())
            else:
                model.Add(count >= 2).OnlyEnforceIf(several)
                model.Add(count <= 1).OnlyEnforceIf(several.Not())
            for first, second in pairs:
                model.AddBoolOr([assign[first].Not(), assign[second].Not(), several])
        for index, var in assign.items():
            chosen[index].append(var)
            total.append(var)
        type_vars.append((shape, members, assign, count))

    open_vars = []
    span = rules.max_age_span
    for group_index, group in enumerate(problem.open_groups):
        seats = max(0, high - len(group.member_ids))
        pool = [
            index
            for index in range(len(candidates))
            if problem.open_group_fits(index, group)
        ]
        assign = {index: model.NewBoolVar(f"o{group_index}_{index}") for index in pool}
        model.Add(sum(assign.values()) <= seats)
        for position, first in enumerate(pool):
            for second in pool[position + 1 :]:
                if candidates[second].id in problem.avoid[first] or not _close(
                    candidates[first].birth_year, candidates[second].birth_year, span
                ):
                    model.AddBoolOr([assign[first].Not(), assign[second].Not()])
        for index, var in assign.items():
            chosen[index].append(var)
            total.append(var)
        open_vars.append((group_index, group, assign))
    if hint is not None:
        _add_hint(model, problem, hint, type_vars, open_vars)
    for variables in chosen:
        if len(variables) > 1:
            model.AddAtMostOne(variables)
    model.Maximize(sum(total))

    solver = _solver(time_limit, workers)
    started = time.perf_counter()
    status = solver.Solve(model)
    elapsed = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = None
        if status == cp_model.UNKNOWN and total:
            bound = round(solver.BestObjectiveBound())
        return ExactResult("unknown", None, bound, None, elapsed, len(types))
    groups: list[tuple[Shape, list[int], int | None]] | None = []
    for shape, members, assign, count in type_vars:
        picked = [index for index in members if solver.Value(assign[index])]
        if not picked:
            continue
        counts = (
            [solver.Value(count)]
            if count is not None
            else range(-(-len(picked) // high), len(picked) // low + 1)
        )
        split = None
        for groups_wanted in counts:
            split = _split(problem, picked, groups_wanted, workers)
            if split is not None:
                break
        if split is None:
            groups = None
            break
        groups.extend((shape, part, None) for part in split)
    if groups is not None:
        for group_index, group, assign in open_vars:
            picked = [index for index in assign if solver.Value(assign[index])]
            if picked:
                shape = (group.place, group.slot, group.topic, group.gender)
                groups.append((shape, picked, group_index))
    return ExactResult(
        "optimal" if status == cp_model.OPTIMAL else "feasible",
        round(solver.ObjectiveValue()),
        round(solver.BestObjectiveBound()),
        groups,
        elapsed,
        len(types),
    )


def _solver(time_limit: float, workers: int):
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    if workers == 1:
        solver.parameters.max_deterministic_time = time_limit
    else:
        solver.parameters.max_time_in_seconds = time_limit
    return solver


def _close(first: int | None, second: int | None, span: int | None) -> bool:
    return (
        span is None or first is None or second is None or abs(first - second) <= span
    )


def _types(problem: Problem) -> list[tuple[Shape, list[int]]]:
    """Every undominated group type: ``(shape, candidate indices)``, where the
    shape carries the window's first birth year as a fifth element."""
    low = problem.rules.min_size
    span = problem.rules.max_age_span
    candidates = problem.candidates
    pools: dict[Shape, list[int]] = {}
    for index in range(len(candidates)):
        for shape in problem.shapes_of(index):
            pools.setdefault(shape, []).append(index)
    found = []
    seen = set()
    for shape in sorted(pools, key=lambda s: tuple("" if x is None else x for x in s)):
        pool = pools[shape]
        if len(pool) < low:
            continue
        if shape[3] is not None and not any(
            candidates[index].single_gender for index in pool
        ):
            continue  # a group of the open shape can hold the same people
        years = sorted({candidates[index].birth_year for index in pool} - {None})
        windows = [None] if span is None or not years else years
        sets = {}
        for start in windows:
            members = [
                index
                for index in pool
                if start is None
                or candidates[index].birth_year is None
                or start <= candidates[index].birth_year <= start + span
            ]
            if len(members) >= low:
                sets[start] = members
        as_sets = {start: frozenset(members) for start, members in sets.items()}
        for start, members in sets.items():
            key = as_sets[start]
            if key in seen or any(key < other for other in as_sets.values()):
                continue  # another window holds everyone this one does
            seen.add(key)
            found.append(((*shape, start), members))
    return found


def _add_hint(model, problem, proposal, type_vars, open_vars) -> None:
    by_id = {c.id: index for index, c in enumerate(problem.candidates)}
    open_by_id = {group.id: assign for _, group, assign in open_vars}
    hinted = set()
    for group in proposal.groups:
        members = {by_id[member] for member in group.members if member in by_id}
        variables = []
        if group.open_group is not None:
            assign = open_by_id.get(group.open_group, {})
            variables = [assign[m] for m in members if m in assign]
        else:
            shape = (group.place, group.slot, group.topic)
            for key, _members, assign, _count in type_vars:
                if key[:3] == shape and members <= assign.keys():
                    variables = [assign[m] for m in members]
                    break
        for var in variables:
            if var.Index() not in hinted:
                model.AddHint(var, 1)
                hinted.add(var.Index())
    for _, _, assign, _ in type_vars:
        for var in assign.values():
            if var.Index() not in hinted:
                model.AddHint(var, 0)


def _split(problem: Problem, picked: list[int], groups: int, workers: int):
    """``picked`` (one type's members) as ``groups`` groups within the size
    bounds that keep every avoid pair apart, or ``None``."""
    low, high = problem.rules.min_size, problem.rules.max_size
    if groups < 1 or not low * groups <= len(picked) <= high * groups:
        return None
    ids = {problem.candidates[index].id for index in picked}
    if not any(problem.avoid[index] & ids for index in picked):
        return [picked[start::groups] for start in range(groups)]
    model = cp_model.CpModel()
    place = {
        (index, number): model.NewBoolVar(f"{index}-{number}")
        for index in picked
        for number in range(groups)
    }
    by_id = {problem.candidates[index].id: index for index in picked}
    for index in picked:
        model.AddExactlyOne(place[index, number] for number in range(groups))
    for number in range(groups):
        size = sum(place[index, number] for index in picked)
        model.Add(size >= low)
        model.Add(size <= high)
        for index in picked:
            for other in problem.avoid[index] & ids:
                if index < by_id[other]:
                    model.AddBoolOr(
                        [place[index, number].Not(), place[by_id[other], number].Not()]
                    )
    solver = _solver(10.0, workers)
    if solver.Solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [
        [index for index in picked if solver.Value(place[index, number])]
        for number in range(groups)
    ]
