"""One test or more for each guarantee of the engine."""

from wagtail_selvhjelp.matching import (
    Candidate,
    OpenGroup,
    Rules,
    check_proposal,
    propose_groups,
)

from .helpers import assert_valid


def person(id, places=("Gol",), slots=("evening",), **extra):
    return Candidate(id=id, places=frozenset(places), slots=frozenset(slots), **extra)


def solve(candidates, rules=None, open_groups=()):
    rules = rules or Rules()
    result = propose_groups(candidates, rules, open_groups)
    assert_valid(candidates, rules, list(open_groups), result)
    assert check_proposal(candidates, rules, open_groups, result) == []
    return result


def groups_of(result):
    return {frozenset(group.members) for group in result.groups}


# -- sizes -------------------------------------------------------------------


def test_one_candidate_is_unplaced_with_a_reason():
    result = solve([person(1)])
    assert result.groups == []
    reason = result.unplaced[1]
    assert reason.code == "too_few"
    assert str(reason) == (
        "no one else can meet in Gol (evening) in a mixed group; "
        "a group needs at least 4"
    )
    assert reason.params["place"] == "Gol"
    assert result.upper_bound == 0


def test_three_people_are_too_few():
    result = solve([person(n) for n in range(3)])
    assert result.groups == []
    assert {reason.code for reason in result.unplaced.values()} == {"too_few"}
    assert "only 2 others can meet in Gol (evening)" in str(result.unplaced[0])


def test_sizes_stay_within_bounds_and_near_the_middle():
    result = solve([person(n) for n in range(12)])
    assert sorted(len(group.members) for group in result.groups) == [6, 6]
    result = solve([person(n) for n in range(17)])
    assert sorted(len(group.members) for group in result.groups) == [5, 6, 6]
    assert result.unplaced == {}


def test_unreachable_sizes_leave_the_shortest_wait_out():
    # 4..5 cannot hold 6 or 7 people; 7 people give one group of 5.
    candidates = [person(n, waited_days=n) for n in range(7)]
    result = solve(candidates, Rules(min_size=4, max_size=5))
    assert result.placed_count == 5
    assert set(result.unplaced) == {0, 1}


# -- place, slot, topic, kind --------------------------------------------------


def test_place_and_slot_must_be_shared():
    candidates = [person(n, places=("Gol",)) for n in range(3)]
    candidates += [person(n, places=("Ål",)) for n in range(3, 6)]
    candidates += [person(6, places=("Gol", "Ål"), slots=("day",))]
    result = solve(candidates)
    assert result.groups == []


def test_themed_and_mixed_groups():
    themed = [person(n, kind="themed", topics={"grief"}) for n in range(4)]
    mixed = [person(n, kind="mixed") for n in range(4, 8)]
    result = solve(themed + mixed)
    by_topic = {group.topic: set(group.members) for group in result.groups}
    assert by_topic == {"grief": {0, 1, 2, 3}, None: {4, 5, 6, 7}}


def test_themed_group_needs_the_topic_and_a_themed_wish():
    candidates = [person(n, kind="themed", topics={"grief"}) for n in range(3)]
    candidates.append(person(3, kind="mixed", topics={"grief"}))
    candidates.append(person(4, kind="themed", topics={"anxiety"}))
    result = solve(candidates)
    assert result.groups == []


def test_any_kind_joins_either():
    candidates = [person(n, kind="themed", topics={"grief"}) for n in range(3)]
    candidates.append(person(3, kind="any", topics={"grief"}))
    candidates += [person(n, kind="mixed") for n in range(4, 7)]
    candidates.append(person(7, kind="any"))
    result = solve(candidates)
    assert groups_of(result) == {frozenset({0, 1, 2, 3}), frozenset({4, 5, 6, 7})}


def test_themed_wish_without_topic_is_explained():
    result = solve([person(1, kind="themed")])
    assert result.unplaced[1].code == "topic_missing"


# -- gender ----------------------------------------------------------------------


def test_single_gender_wish_is_only_met_in_a_single_gender_group():
    women = [person(n, gender="woman", single_gender=n == 0) for n in range(4)]
    result = solve(women)
    assert len(result.groups) == 1
    group = result.groups[0]
    assert group.gender == "woman"
    assert set(group.members) == {0, 1, 2, 3}


def test_single_gender_wish_is_never_put_in_a_mixed_gender_group():
    candidates = [person(0, gender="woman", single_gender=True)]
    candidates += [person(n, gender="man") for n in range(1, 5)]
    result = solve(candidates)
    assert 0 in result.unplaced
    assert groups_of(result) == {frozenset({1, 2, 3, 4})}


def test_single_gender_wish_without_gender_is_explained():
    candidates = [person(0, single_gender=True)] + [person(n) for n in range(1, 4)]
    result = solve(candidates)
    assert result.unplaced[0].code == "gender_missing"


def test_gender_label_only_when_someone_asked():
    candidates = [person(n, gender="woman") for n in range(4)]
    result = solve(candidates)
    assert result.groups[0].gender is None


def test_nobody_is_the_only_one_of_their_gender_when_avoidable():
    # 7 women and 5 men in two groups of six: a naive split by gender leaves
    # one woman with five men.
    candidates = [person(n, gender="woman") for n in range(7)]
    candidates += [person(n, gender="man") for n in range(7, 12)]
    result = solve(candidates, Rules(min_size=6, max_size=6))
    for group in result.groups:
        genders = [candidates[member].gender for member in group.members]
        assert genders.count("woman") != 1 and genders.count("man") != 1, genders


# -- avoid -----------------------------------------------------------------------


def test_avoid_is_symmetric():
    candidates = [person(n) for n in range(8)]
    candidates[5] = person(5, avoid={2})
    result = solve(candidates)
    assert result.placed_count == 8
    for group in result.groups:
        assert not {2, 5} <= set(group.members)


def test_avoid_can_leave_someone_out():
    candidates = [person(n, waited_days=10) for n in range(4)]
    candidates.append(person(4, avoid={0}, waited_days=1))
    result = solve(candidates)
    assert groups_of(result) == {frozenset({0, 1, 2, 3})}
    assert result.unplaced[4].code == "avoid"
    assert str(result.unplaced[4]) == (
        "would have to share a group with someone they must avoid"
    )


def test_avoid_applies_to_open_group_members():
    group = OpenGroup(
        id="g", place="Gol", slot="evening", member_ids={"old-1", "old-2"}
    )
    candidates = [person(1, avoid={"old-1"}), person(2)]
    result = solve(candidates, open_groups=[group])
    assert [g.members for g in result.groups] == [(2,)]
    assert result.unplaced[1].code == "avoid"


# -- age ---------------------------------------------------------------------------


def test_age_span_splits_groups():
    young = [person(n, birth_year=1995 + n) for n in range(4)]
    old = [person(n, birth_year=1950 + n) for n in range(4, 8)]
    result = solve(young + old, Rules(max_age_span=10))
    assert groups_of(result) == {frozenset({0, 1, 2, 3}), frozenset({4, 5, 6, 7})}
    result = solve(young[:3] + old[:1], Rules(max_age_span=10))
    assert result.groups == []
    assert result.unplaced[4].code == "age_span"


def test_unknown_birth_years_are_not_restricted():
    candidates = [person(n, birth_year=1990) for n in range(3)]
    candidates.append(person(3))
    result = solve(candidates, Rules(max_age_span=0))
    assert result.placed_count == 4


def test_age_span_includes_open_group_members():
    group = OpenGroup(
        id="g", place="Gol", slot="evening", member_ids={"a"}, birth_years=(1950,)
    )
    candidates = [person(1, birth_year=1955), person(2, birth_year=1990)]
    result = solve(candidates, Rules(max_age_span=10), [group])
    assert [g.members for g in result.groups] == [(1,)]


# -- open groups ----------------------------------------------------------------------


def test_open_group_takes_newcomers_up_to_max_size():
    group = OpenGroup(
        id="g", place="Gol", slot="evening", member_ids={"a", "b", "c", "d", "e"}
    )
    candidates = [person(n, waited_days=n) for n in range(3)]
    result = solve(candidates, open_groups=[group])
    assert len(result.groups) == 1
    assert result.groups[0].open_group == "g"
    assert result.groups[0].members == (0, 1, 2)
    full = OpenGroup(
        id="g", place="Gol", slot="evening", member_ids={"a", "b", "c", "d", "e", "f"}
    )
    result = solve(candidates, open_groups=[full])
    assert result.groups[0].members == (1, 2)
    assert result.unplaced[0].code == "groups_full"


def test_open_group_topic_and_gender_apply_to_newcomers():
    group = OpenGroup(id="g", place="Gol", slot="evening", topic="grief", gender="man")
    candidates = [
        person(1, kind="themed", topics={"grief"}, gender="man"),
        person(2, kind="themed", topics={"grief"}, gender="woman"),
        person(3, kind="mixed", gender="man"),
    ]
    result = solve(candidates, open_groups=[group])
    assert [g.members for g in result.groups] == [(1,)]


def test_new_groups_come_first_and_open_groups_take_the_rest():
    group = OpenGroup(id="g", place="Gol", slot="evening", member_ids={"a"})
    result = solve([person(n) for n in range(9)], open_groups=[group])
    assert result.placed_count == 9
    assert result.unplaced == {}


# -- objective ----------------------------------------------------------------------


def test_longest_waiting_are_preferred():
    candidates = [person(n, waited_days=100 - n) for n in range(10)]
    result = solve(candidates, Rules(min_size=4, max_size=4))
    assert result.placed_count == 8
    assert set(result.unplaced) == {8, 9}


def test_flexible_candidates_go_where_they_are_needed():
    candidates = [person(0, slots=("day", "evening"), waited_days=500)]
    candidates += [person(n, slots=("day",), waited_days=1) for n in range(1, 4)]
    candidates += [person(n, slots=("evening",), waited_days=1) for n in range(4, 8)]
    result = solve(candidates)
    assert result.placed_count == 8


def test_flexible_candidates_are_shared_between_groups():
    candidates = [person(n, slots=("day", "evening")) for n in range(4)]
    candidates += [person(n, slots=("day",)) for n in range(4, 7)]
    candidates += [person(n, slots=("evening",)) for n in range(7, 10)]
    result = solve(candidates, Rules(min_size=4, max_size=5))
    assert result.placed_count == 10
    assert result.is_proven_optimal


def test_upper_bound_and_gap():
    result = solve([person(n) for n in range(6)])
    assert result.upper_bound == 6
    assert result.gap == 0


# -- reasons ---------------------------------------------------------------------------


def test_reason_when_the_others_are_taken():
    # 0..3 can only meet in the evening and fill the group; 4 can meet with
    # them only on days, where no one else is.
    candidates = [person(n, waited_days=5) for n in range(4)]
    candidates += [person(n, slots=("day",)) for n in range(4, 6)]
    candidates.append(person(6, slots=("day",), places=("Ål",)))
    result = solve(candidates)
    assert result.unplaced[4].code == "too_few"
    assert "only 1 other person can meet in Gol (day)" in str(result.unplaced[4])


def test_reason_codes_are_documented():
    from wagtail_selvhjelp.matching import reasons

    for code in (
        "gender_missing",
        "topic_missing",
        "too_few",
        "age_span",
        "avoid",
        "taken",
        "groups_full",
        "no_valid_group",
    ):
        assert f"``{code}``" in reasons.__doc__


def test_reason_when_the_others_are_in_another_group():
    grief = [person(n, kind="any", topics={"grief"}) for n in range(4)]
    mixed = [person(n, kind="mixed") for n in range(5, 7)]
    themed = person(4, kind="themed", topics={"grief"})
    result = solve([*grief, themed, *mixed])
    assert result.placed_count == 6
    reason = result.unplaced[4]
    assert reason.code == "taken"
    assert str(reason) == (
        '4 others can meet in Gol (evening) in a group on "grief", but 4 of them '
        "are already in another group; a group needs at least 4"
    )
    assert reason.params["free"] == 0
