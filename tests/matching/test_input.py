"""Input validation: bad values raise a clear ValueError."""

import pytest

from wagtail_selvhjelp.matching import (
    Candidate,
    MatchResult,
    OpenGroup,
    ProposedGroup,
    Rules,
    check_proposal,
    propose_groups,
)


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


# -- the shape of every public argument (issue 12, item 6.1) ----------------
#
# Each bad shape raises ValueError (never TypeError) with a message that names
# the argument.

GROUP = OpenGroup(id="g", place="Gol", slot="evening")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"candidates": None}, "candidates must be a collection"),
        ({"candidates": 5}, "candidates must be a collection"),
        ({"candidates": "abc"}, "candidates must be a collection"),
        ({"candidates": b"abc"}, "candidates must be a collection"),
        ({"candidates": make()}, "candidates must be a collection"),
        ({"candidates": {1: make()}}, "candidates must be .* not a mapping"),
        ({"candidates": [[make()]]}, "candidates: expected Candidate"),
        ({"candidates": [make(), None]}, "candidates: expected Candidate"),
        ({"candidates": [GROUP]}, "candidates: expected Candidate"),
        ({"candidates": [], "open_groups": None}, "open_groups must be a collection"),
        ({"candidates": [], "open_groups": 3}, "open_groups must be a collection"),
        ({"candidates": [], "open_groups": "g"}, "open_groups must be a collection"),
        ({"candidates": [], "open_groups": GROUP}, "open_groups must be a collection"),
        ({"candidates": [], "open_groups": {"g": GROUP}}, "open_groups .* mapping"),
        ({"candidates": [], "open_groups": [[GROUP]]}, "open_groups: expected"),
        ({"candidates": [], "open_groups": [make()]}, "open_groups: expected"),
        ({"candidates": [], "rules": "4..8"}, "rules must be a Rules instance"),
        ({"candidates": [], "rules": {"min_size": 4}}, "rules must be a Rules"),
        ({"candidates": [], "rules": [Rules()]}, "rules must be a Rules"),
    ],
)
def test_bad_arguments_to_propose_groups(arguments, message):
    with pytest.raises(ValueError, match=message):
        propose_groups(**arguments)


def test_any_iterable_of_candidates_is_accepted():
    people = [make(id=n) for n in range(4)]
    expected = propose_groups(people)
    assert propose_groups(tuple(people)) == expected
    assert propose_groups(person for person in people) == expected
    assert propose_groups(people, open_groups=iter(())) == expected


@pytest.mark.parametrize("field", ["places", "slots", "topics"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "must be a collection of names, not None"),
        (5, "must be a collection of names, not 5"),
        (b"Gol", "must be a collection of names, not the string"),
        ({"Gol": 1}, "must be a collection of names, not a mapping"),
        ([["Gol"]], r"must be non-empty strings, got \['Gol'\]"),
        ([{"Gol"}], "must be non-empty strings, got {'Gol'}"),
        ([1], "must be non-empty strings, got 1"),
        ([None], "must be non-empty strings, got None"),
        ([""], "must be non-empty strings"),
    ],
)
def test_bad_name_collections(field, value, message):
    with pytest.raises(ValueError, match=f"candidate 1: {field} {message}"):
        make(**{field: value})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "avoid must be a collection of ids, not None"),
        (7, "avoid must be a collection of ids, not 7"),
        ({2: "sister"}, "avoid must be a collection of ids, not a mapping"),
        ([[2]], r"avoid must be hashable ids, got \[2\]"),
        ([{2}], r"avoid must be hashable ids, got \{2\}"),
        ([(2, [3])], "avoid must be hashable ids"),
    ],
)
def test_bad_avoid(value, message):
    with pytest.raises(ValueError, match=f"candidate 1: {message}"):
        make(avoid=value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id": None, "places": None}, "candidate None: places"),
        ({"id": {"a": 1}}, "candidate: id {'a': 1} is not hashable"),
        ({"id": (1, [2])}, "not hashable"),
        ({"kind": None}, "unknown kind None"),
        ({"kind": ["any"]}, "unknown kind"),
        ({"gender": 3}, "gender must be None or a non-empty string"),
        ({"gender": ["woman"]}, "gender must be None or a non-empty string"),
        ({"single_gender": None}, "single_gender must be True or False"),
        ({"single_gender": 1}, "single_gender must be True or False"),
        ({"birth_year": 1980.0}, "birth_year must be None or an integer"),
        ({"birth_year": True}, "birth_year must be None or an integer"),
        ({"waited_days": None}, "waited_days must be a non-negative integer"),
        ({"waited_days": 1.5}, "waited_days must be a non-negative integer"),
        ({"waited_days": [3]}, "waited_days must be a non-negative integer"),
    ],
)
def test_bad_candidate_scalars(overrides, message):
    with pytest.raises(ValueError, match=message):
        make(**overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id": [1]}, "open group: id \\[1\\] is not hashable"),
        ({"id": None}, "open group: id must not be None"),
        ({"place": None}, "place must be a non-empty string"),
        ({"place": ["Gol"]}, "place must be a non-empty string"),
        ({"slot": 5}, "slot must be a non-empty string"),
        ({"topic": ["grief"]}, "topic must be None or a non-empty string"),
        ({"gender": ""}, "gender must be None or a non-empty string"),
        ({"member_ids": None}, "member_ids must be a collection of ids, not None"),
        ({"member_ids": 4}, "member_ids must be a collection of ids, not 4"),
        ({"member_ids": "abc"}, "member_ids must be a collection of ids, not the"),
        ({"member_ids": {1: 2}}, "member_ids must be .* not a mapping"),
        ({"member_ids": [[1]]}, "member_ids must be hashable ids"),
        ({"birth_years": None}, "birth_years must be a collection of years, not None"),
        ({"birth_years": 1980}, "birth_years must be a collection of years, not 1980"),
        ({"birth_years": "1980"}, "birth_years must be a collection of years, not the"),
        ({"birth_years": {1980: 1}}, "birth_years must be .* not a mapping"),
        ({"birth_years": [[1980]]}, "birth_years must be integers"),
        ({"birth_years": [1980.5]}, "birth_years must be integers"),
    ],
)
def test_bad_open_group_values(overrides, message):
    values = {"id": 1, "place": "Gol", "slot": "evening"}
    values.update(overrides)
    with pytest.raises(ValueError, match=message):
        OpenGroup(**values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"min_size": None}, "min_size must be a positive integer"),
        ({"min_size": "4"}, "min_size must be a positive integer"),
        ({"min_size": 4.0}, "min_size must be a positive integer"),
        ({"min_size": True}, "min_size must be a positive integer"),
        ({"max_size": None}, "max_size must be an integer"),
        ({"max_size": [8]}, "max_size must be an integer"),
        ({"max_age_span": "10"}, "max_age_span must be None or a non-negative"),
        ({"max_age_span": 1.5}, "max_age_span must be None or a non-negative"),
    ],
)
def test_bad_rule_values(values, message):
    with pytest.raises(ValueError, match=message):
        Rules(**values)


def _result(**overrides):
    group = ProposedGroup(members=(1, 2), place="Gol", slot="evening")
    values = {"groups": [group], "unplaced": {}, "upper_bound": 2}
    values.update(overrides)
    return MatchResult(**values)


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (None, "result must be a MatchResult, got None"),
        ({"groups": []}, "result must be a MatchResult"),
        (_result(groups=None), "result.groups must be a list"),
        (_result(groups=[None]), "result.groups: expected ProposedGroup"),
        (
            _result(groups=[ProposedGroup(members=None, place="Gol", slot="e")]),
            "members must be a tuple of ids",
        ),
        (
            _result(groups=[ProposedGroup(members=([1],), place="Gol", slot="e")]),
            "is not hashable",
        ),
        (
            _result(groups=[ProposedGroup(members=(1,), place=None, slot="e")]),
            "place must be a string",
        ),
        (
            _result(groups=[ProposedGroup(members=(1,), place="Gol", slot=["e"])]),
            "slot must be a string",
        ),
        (
            _result(
                groups=[ProposedGroup(members=(1,), place="Gol", slot="e", topic=1)]
            ),
            "topic must be None or a string",
        ),
        (
            _result(
                groups=[
                    ProposedGroup(members=(1,), place="Gol", slot="e", open_group=[1])
                ]
            ),
            "is not hashable",
        ),
        (_result(unplaced=None), "result.unplaced must be a dict"),
        (_result(unplaced=[1]), "result.unplaced must be a dict"),
        (_result(upper_bound=None), "result.upper_bound must be an integer"),
        (_result(upper_bound="2"), "result.upper_bound must be an integer"),
    ],
)
def test_bad_arguments_to_check_proposal(result, message):
    people = [make(id=1), make(id=2)]
    with pytest.raises(ValueError, match=message):
        check_proposal(people, Rules(min_size=2), [], result)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"candidates": None}, "candidates must be a collection"),
        ({"rules": None}, "rules must be a Rules instance, got None"),
        ({"open_groups": None}, "open_groups must be a collection"),
        ({"open_groups": [[GROUP]]}, "open_groups: expected OpenGroup"),
    ],
)
def test_bad_input_to_check_proposal(arguments, message):
    values = {
        "candidates": [make(id=1), make(id=2)],
        "rules": Rules(min_size=2),
        "open_groups": [],
        "result": _result(),
    }
    values.update(arguments)
    with pytest.raises(ValueError, match=message):
        check_proposal(**values)
