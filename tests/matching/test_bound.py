"""The Lagrangian bound (issue 21) is a proven bound: at any prices, and after
the search, it is never below the brute-force optimum, on small instances
with age spans, avoid pairs, single-gender wishes and open groups."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_selvhjelp.matching import engine, propose_groups
from wagtail_selvhjelp.matching._bound import PRICE_SCALE, LagrangianBound
from wagtail_selvhjelp.matching._problem import components, prepare, priority_order
from wagtail_selvhjelp.matching._select import Selector, branch_and_bound, build_types

from .helpers import assert_valid, brute_force_optimum, random_instance


def relaxations(people, rules, groups):
    """One (relaxation, selector) pair per component, built as the engine
    builds them."""
    problem = prepare(people, rules, groups)
    found = []
    for indices, open_indices in components(problem):
        order = priority_order(problem, indices)
        table = build_types(problem, order, [problem.shapes_of(i) for i in order])
        seats, pools = [], []
        for group_index in open_indices:
            group = problem.open_groups[group_index]
            seats.append(max(0, rules.max_size - len(group.member_ids)))
            pools.append(
                [
                    local
                    for local, index in enumerate(order)
                    if problem.open_group_fits(index, group)
                ]
            )
        relaxation = LagrangianBound(table.members, rules.min_size, seats, pools)
        mask_pools = [sum(1 << local for local in pool) for pool in pools]
        selector = Selector(table, len(order), rules.min_size, seats, mask_pools)
        found.append((relaxation, selector))
    return found


SEEDS = st.integers(0, 100_000)


@settings(max_examples=60, deadline=None)
@given(SEEDS, st.randoms(use_true_random=False))
def test_the_value_at_any_prices_is_at_least_the_optimum(seed, rng):
    people, rules, groups = random_instance(seed, size=6 + seed % 4)
    optimum = brute_force_optimum(people, rules, groups)
    total = 0
    for relaxation, _selector in relaxations(people, rules, groups):
        price = [
            rng.randrange(0, 3 * PRICE_SCALE) / PRICE_SCALE
            for _ in range(relaxation.size)
        ]
        value, taken = relaxation.evaluate(price)
        assert len(taken) == relaxation.size
        total += math.floor(value)
    assert total >= optimum


@settings(max_examples=60, deadline=None)
@given(SEEDS)
def test_the_searched_bound_is_at_least_the_optimum(seed):
    people, rules, groups = random_instance(seed, size=6 + seed % 4)
    optimum = brute_force_optimum(people, rules, groups)
    total = 0
    for relaxation, _selector in relaxations(people, rules, groups):
        bound = relaxation.search(-1, 200)
        price = relaxation.best_price
        assert math.floor(relaxation.evaluate(price)[0]) == bound
        # The split the branch and bound uses adds up to the same value.
        earnings = relaxation.type_values(price)
        split = relaxation.base(price) + sum(max(0.0, e) for e in earnings)
        assert split == relaxation.evaluate(price)[0]
        total += bound
    assert total >= optimum


@settings(max_examples=60, deadline=None)
@given(SEEDS)
def test_the_branch_and_bound_with_prices_still_finds_the_optimum(seed):
    people, rules, groups = random_instance(seed, size=6 + seed % 4)
    optimum = brute_force_optimum(people, rules, groups)
    total = 0
    for relaxation, selector in relaxations(people, rules, groups):
        selector.greedy()
        relaxation.search(selector.value()[0], 200)
        price = relaxation.best_price
        relaxed = (relaxation.base(price), relaxation.type_values(price))
        proven, best = branch_and_bound(selector, 100_000, relaxed)
        assert proven
        total += best
    # The type level ignores avoid pairs in pools big enough for two groups
    # and newcomers' ages in open groups: its optimum is at least the true one.
    assert total >= optimum


@pytest.fixture
def no_exact_search(monkeypatch):
    """The engine without its branch and bound, so the Lagrangian bound is
    the one it reports."""
    monkeypatch.setattr(engine, "EXACT_MAX_TYPES", -1)


@pytest.mark.usefixtures("no_exact_search")
@settings(max_examples=80, deadline=None)
@given(SEEDS)
def test_the_engine_bound_without_the_exact_search_is_proven(seed):
    people, rules, groups = random_instance(seed, size=6 + seed % 4)
    result = propose_groups(people, rules, groups)
    assert_valid(people, rules, groups, result)
    optimum = brute_force_optimum(people, rules, groups)
    assert result.placed_count <= optimum <= result.upper_bound


def test_a_candidate_whose_window_is_needed_elsewhere_is_not_counted():
    """Pools {0, 1, 2, 3} and {1, 2, 3, 4, 5} with groups of at least 4: the
    union holds 6, but at most 5 can be placed, and the bound finds that."""
    relaxation = LagrangianBound([[0, 1, 2, 3], [1, 2, 3, 4, 5]], 4)
    assert relaxation.evaluate([1.0] * 6)[0] == 6
    assert relaxation.search(-1, 300) == 5


def test_open_seats_are_counted_once():
    """Two candidates only an open group with one free seat can take."""
    relaxation = LagrangianBound([], 4, [1], [[0, 1]])
    assert relaxation.search(-1, 100) == 1
