"""Input validation: bad values raise a clear ValueError."""

import pytest

from wagtail_selvhjelp.matching import Candidate, OpenGroup, Rules, propose_groups


def make(**overrides):
    values = {"id": 1, "places": {"Gol"}, "slots": {"evening"}}
    values.update(overrides)
    return Candidate(**values)


def test_collections_are_normalised_to_frozensets():
    candidate = make(places=["Gol", "Ål"], topics=("grief",), avoid=[2])
    assert candidate.places == frozenset({"Gol", "Ål"})
    assert candidate.topics == frozenset({"grief"})
    assert candidate.avoid == frozenset({2})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"places": set()}, "has no places"),
        ({"slots": frozenset()}, "has no time slots"),
        ({"places": "Gol"}, "not the string"),
        ({"kind": "themed-ish"}, "unknown kind"),
        ({"gender": ""}, "gender"),
        ({"birth_year": "1980"}, "birth_year"),
        ({"waited_days": -1}, "waited_days"),
        ({"id": ["not", "hashable"]}, "not hashable"),
        ({"avoid": "abc"}, "not the string"),
    ],
)
def test_bad_candidate_values(overrides, message):
    with pytest.raises(ValueError, match=message):
        make(**overrides)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"min_size": 5, "max_size": 4}, "larger than max_size"),
        ({"min_size": 0}, "positive"),
        ({"max_age_span": -1}, "max_age_span"),
    ],
)
def test_bad_rules(values, message):
    with pytest.raises(ValueError, match=message):
        Rules(**values)


def test_bad_open_group():
    with pytest.raises(ValueError, match="place"):
        OpenGroup(id=1, place="", slot="evening")
    with pytest.raises(ValueError, match="birth_years"):
        OpenGroup(id=1, place="Gol", slot="evening", birth_years=("x",))


def test_duplicate_candidate_ids():
    with pytest.raises(ValueError, match="given twice"):
        propose_groups([make(), make()])


def test_candidate_already_in_an_open_group():
    group = OpenGroup(id="g", place="Gol", slot="evening", member_ids={1})
    with pytest.raises(ValueError, match="already a member"):
        propose_groups([make()], open_groups=[group])


def test_rules_must_be_rules():
    with pytest.raises(ValueError, match="Rules"):
        propose_groups([make()], rules={"min_size": 4})


def test_candidates_must_be_candidates():
    with pytest.raises(ValueError, match="Candidate"):
        propose_groups([{"id": 1}])


def test_empty_input():
    result = propose_groups([])
    assert result.groups == []
    assert result.unplaced == {}
    assert result.upper_bound == 0
    assert result.is_proven_optimal


def test_unknown_ids_in_avoid_are_ignored():
    candidates = [make(id=n, avoid={"gone", 99}) for n in range(4)]
    result = propose_groups(candidates)
    assert [group.members for group in result.groups] == [(0, 1, 2, 3)]


def test_mixed_id_types():
    candidates = [make(id=n) for n in (1, "b", (2, "x"), 3.5)]
    result = propose_groups(candidates)
    assert len(result.groups) == 1
    assert set(result.groups[0].members) == {1, "b", (2, "x"), 3.5}
