"""The optional CP-SAT prover (``exact`` extra, issue 21): it only closes the
engine's gap with a proof, and a solution of its own is used only when it
places more people and passes ``check_proposal``.

Skipped, with the reason printed, where OR-Tools is not installed; the
behaviour without it is in ``test_exact_optional.py``."""

import pytest

from wagtail_selvhjelp.matching import check_proposal, engine, propose_groups
from wagtail_selvhjelp.matching._problem import prepare

from .helpers import assert_valid, brute_force_optimum, random_instance


pytest.importorskip(
    "ortools",
    reason="OR-Tools (the exact extra) is not installed: the prover is not tested",
)

from wagtail_selvhjelp.matching import _exact


SEEDS = range(40)


@pytest.fixture
def weak_engine(monkeypatch):
    """An engine without its Lagrangian bound and exact search, so that its
    own bound leaves a gap on small instances for the prover to close."""
    monkeypatch.setattr(engine, "BOUND_ROUNDS", 0)
    monkeypatch.setattr(engine, "EXACT_NODE_LIMIT", 0)
    monkeypatch.setattr(engine, "ANNEALING_ROUNDS", 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_model_is_exact_and_the_bound_never_below_it(seed):
    people, rules, groups = random_instance(seed, size=6 + seed % 4)
    optimum = brute_force_optimum(people, rules, groups)
    found = _exact.solve(prepare(people, rules, groups), 10, workers=1)
    assert found.status == "optimal"
    assert found.bound >= optimum
    if found.groups is not None:
        assert found.value == optimum
    result = propose_groups(people, rules, groups)
    assert result.upper_bound >= found.value
    proved = propose_groups(people, rules, groups, exact_seconds=10)
    assert_valid(people, rules, groups, proved)
    assert optimum <= proved.upper_bound <= result.upper_bound
    assert proved.placed_count >= result.placed_count


def _gapped(seeds=range(200), size=14):
    """Seeded instances on which the weakened engine leaves a gap."""
    for seed in seeds:
        people, rules, groups = random_instance(seed, size=size)
        result = propose_groups(people, rules, groups)
        if result.gap:
            yield people, rules, groups, result


def test_the_prover_closes_the_gap_with_a_proof(weak_engine):
    closed = 0
    for people, rules, groups, _alone in _gapped():
        optimum = brute_force_optimum(people, rules, groups)
        proved = propose_groups(people, rules, groups, exact_seconds=10)
        assert_valid(people, rules, groups, proved)
        assert proved.upper_bound >= optimum
        assert proved.gap == 0
        assert proved.placed_count == optimum
        closed += 1
        if closed == 5:
            break
    assert closed == 5


def test_a_better_solution_is_used_only_when_valid(monkeypatch):
    """The engine places nobody here (its assembly is stubbed out): the
    prover's valid solution replaces the proposal, with reasons for the rest."""
    people, rules, groups = random_instance(3, size=9)
    optimum = brute_force_optimum(people, rules, groups)
    assert optimum > 0

    def nobody(problem, rank, order, selector, open_indices):
        return [], set(order)

    monkeypatch.setattr(engine, "_assemble", nobody)
    alone = propose_groups(people, rules, groups)
    assert alone.placed_count == 0
    proved = propose_groups(people, rules, groups, exact_seconds=10)
    assert_valid(people, rules, groups, proved)
    assert proved.placed_count == optimum == proved.upper_bound
    assert set(proved.unplaced) == {person.id for person in people} - {
        member for group in proved.groups for member in group.members
    }


def test_an_invalid_solution_is_ignored(monkeypatch, weak_engine):
    """A solution that breaks a rule (here: one group of everyone, too big
    and mixing places) is never used, whatever it claims to place."""
    people, rules, groups, alone = next(_gapped())
    problem = prepare(people, rules, groups)
    everyone = list(range(len(problem.candidates)))
    claimed = _exact.ExactResult(
        status="optimal",
        value=len(everyone),
        bound=len(everyone),
        groups=[(("A", "x", None, None), everyone, None)],
    )
    monkeypatch.setattr(_exact, "solve", lambda *args, **kwargs: claimed)
    proved = propose_groups(people, rules, groups, exact_seconds=10)
    assert check_proposal(people, rules, groups, proved) == []
    assert proved == alone


def test_a_bound_below_the_proposal_is_not_believed(monkeypatch, weak_engine):
    """CP-SAT proving less than a valid proposal places would be a wrong
    model: its bound is then ignored, not clipped to the proposal."""
    people, rules, groups, alone = next(_gapped())
    wrong = _exact.ExactResult("optimal", 0, 0, None)
    monkeypatch.setattr(_exact, "solve", lambda *args, **kwargs: wrong)
    assert propose_groups(people, rules, groups, exact_seconds=10) == alone
