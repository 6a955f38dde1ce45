"""Property tests: random instances, validity, accounting, determinism and the
brute-force optimum on small instances."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wagtail_selvhjelp.matching import Candidate, OpenGroup, Rules, propose_groups

from .helpers import assert_valid, brute_force_optimum, random_instance


PLACES = ["Gol", "Ål", "Hol"]
SLOTS = ["day", "evening"]
TOPICS = ["grief", "anxiety", "relatives"]
IDS = st.one_of(st.integers(0, 60), st.sampled_from(["a", "b", "c", "d", "e", "f"]))


def subset(items, min_size=0):
    return st.frozensets(st.sampled_from(items), min_size=min_size, max_size=len(items))


@st.composite
def candidates(draw):
    gender = draw(st.sampled_from(["woman", "man", None]))
    return Candidate(
        id=draw(IDS),
        places=draw(subset(PLACES, 1)),
        slots=draw(subset(SLOTS, 1)),
        topics=draw(subset(TOPICS)),
        kind=draw(st.sampled_from(["themed", "mixed", "any"])),
        gender=gender,
        single_gender=draw(st.booleans()) if gender else False,
        birth_year=draw(st.one_of(st.none(), st.integers(1950, 2005))),
        waited_days=draw(st.integers(0, 5)),
        avoid=draw(st.frozensets(IDS | st.just("old-1"), max_size=2)),
    )


@st.composite
def instances(draw):
    people = draw(
        st.lists(candidates(), max_size=40, unique_by=lambda candidate: candidate.id)
    )
    low = draw(st.integers(2, 5))
    rules = Rules(
        min_size=low,
        max_size=draw(st.integers(low, low + 5)),
        max_age_span=draw(st.one_of(st.none(), st.integers(0, 30))),
    )
    groups = []
    for number in range(draw(st.integers(0, 2))):
        members = frozenset(f"old-{number}-{i}" for i in range(draw(st.integers(0, 4))))
        if number == 0:
            members |= {"old-1"}
        groups.append(
            OpenGroup(
                id=f"open-{number}",
                place=draw(st.sampled_from(PLACES)),
                slot=draw(st.sampled_from(SLOTS)),
                topic=draw(st.sampled_from([None, *TOPICS])),
                gender=draw(st.sampled_from([None, "woman"])),
                member_ids=members,
                birth_years=tuple(
                    draw(st.lists(st.integers(1950, 2005), max_size=len(members)))
                ),
            )
        )
    return people, rules, groups


PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PROPERTY_SETTINGS
@given(instances())
def test_every_proposal_is_valid_and_accounts_for_everyone(instance):
    people, rules, groups = instance
    result = propose_groups(people, rules, groups)
    assert_valid(people, rules, groups, result)


@PROPERTY_SETTINGS
@given(instances(), st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_proposal(instance, rng):
    people, rules, groups = instance
    first = propose_groups(people, rules, groups)
    shuffled = list(people)
    rng.shuffle(shuffled)
    reordered_groups = list(reversed(groups))
    second = propose_groups(shuffled, rules, reordered_groups)
    assert first == second
    assert list(first.unplaced) == list(second.unplaced)


@pytest.mark.parametrize("seed", range(40))
def test_small_instances_reach_the_brute_force_optimum(seed):
    people, rules, groups = random_instance(seed, size=5 + seed % 5)
    result = propose_groups(people, rules, groups)
    assert_valid(people, rules, groups, result)
    optimum = brute_force_optimum(people, rules, groups)
    assert result.upper_bound >= optimum
    assert result.placed_count == optimum


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_upper_bound_is_never_below_the_brute_force_optimum(seed):
    people, rules, groups = random_instance(seed, size=6 + seed % 3)
    result = propose_groups(people, rules, groups)
    optimum = brute_force_optimum(people, rules, groups)
    assert result.placed_count <= optimum <= result.upper_bound


def test_thousands_of_candidates():
    rng = random.Random(5)
    people = [
        Candidate(
            id=number,
            places=frozenset(rng.sample(PLACES, rng.randint(1, 2))),
            slots=frozenset(rng.sample(SLOTS, rng.randint(1, 2))),
            topics=frozenset(rng.sample(TOPICS, rng.randint(0, 2))),
            kind=rng.choice(["themed", "mixed", "any"]),
            gender=rng.choice(["woman", "man", None]),
            birth_year=rng.randint(1950, 2005),
            waited_days=rng.randint(0, 400),
            avoid=frozenset({rng.randrange(2000)}) if rng.random() < 0.03 else (),
        )
        for number in range(2000)
    ]
    rules = Rules(max_age_span=20)
    result = propose_groups(people, rules)
    assert_valid(people, rules, [], result)
    assert result.placed_count > 1700
    assert result.gap <= result.upper_bound // 100


@given(
    candidates(),
    st.sampled_from(PLACES + ["Nes"]),
    st.sampled_from(SLOTS),
    st.sampled_from([None, *TOPICS]),
    st.sampled_from([None, "woman", "man"]),
)
def test_misfits_names_a_rule_exactly_when_someone_does_not_fit(
    candidate, place, slot, topic, gender
):
    """The explaining rulebook (``misfits``) and the search's ``fits`` agree,
    and ``check_proposal`` reports each broken rule for the member."""
    from wagtail_selvhjelp.matching import FIT_RULES, MatchResult, ProposedGroup
    from wagtail_selvhjelp.matching import check_proposal as check
    from wagtail_selvhjelp.matching._problem import fits, misfits

    shape = (place, slot, topic, gender)
    broken = misfits(candidate, shape)
    assert set(broken) <= set(FIT_RULES)
    assert fits(candidate, shape) == (not broken)
    person = Candidate(
        id="x",
        places=candidate.places,
        slots=candidate.slots,
        topics=candidate.topics,
        kind=candidate.kind,
        gender=candidate.gender,
        single_gender=candidate.single_gender,
    )
    result = MatchResult(
        groups=[
            ProposedGroup(
                members=("x",), place=place, slot=slot, topic=topic, gender=gender
            )
        ],
        unplaced={},
        upper_bound=1,
    )
    violations = check([person], Rules(min_size=1, max_size=2), [], result)
    assert [v.rule for v in violations if v.member == "x"] == broken
    assert all(isinstance(v, str) for v in violations)
