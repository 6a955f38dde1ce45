"""Choices no one else shares cost nothing (issue 12, item 6.3).

A place, time slot or topic that no other candidate and no open group has can
hold no group with anyone else, so the engine leaves it out before the search.
The work, measured by ``MatchResult.options_considered`` (a count, never
wall-clock time), grows with what candidates share, not with how many boxes
one of them ticks, and the proposal is the one without those choices.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wagtail_selvhjelp.matching import Candidate, OpenGroup, Rules, propose_groups

from .helpers import assert_valid
from .test_properties import instances


WIDE_PLACES = frozenset(f"place {number:05}" for number in range(10_000))
WIDE_SLOTS = frozenset(f"slot {number:03}" for number in range(100))


def person(id, places=("Gol",), slots=("evening",), **extra):
    return Candidate(id=id, places=frozenset(places), slots=frozenset(slots), **extra)


def others(count=5, **extra):
    return [person(number, places=("Gol", "Ål"), **extra) for number in range(count)]


def test_one_candidate_with_a_million_combinations():
    wide = person("wide", places=WIDE_PLACES | {"Gol"}, slots=WIDE_SLOTS | {"evening"})
    narrow = person("wide")
    rules = Rules(min_size=4, max_size=8)

    result = propose_groups([wide, *others()], rules)

    assert result == propose_groups([narrow, *others()], rules)
    assert [group.members for group in result.groups] == [(0, 1, 2, 3, 4, "wide")]
    assert_valid([wide, *others()], rules, [], result)
    # Each of the five others has 2 places x 1 slot; the wide candidate keeps
    # the place and slot the others share, and one of the rest (for a
    # reason's wording), out of 10,001 x 101.
    assert result.options_considered == 5 * 2 + 2 * 2


def test_a_wide_candidate_left_out_gets_the_same_reason():
    wide = person("wide", places=WIDE_PLACES | {"Gol"}, slots=WIDE_SLOTS | {"evening"})
    rules = Rules(min_size=7, max_size=8)

    result = propose_groups([wide, *others()], rules)

    assert result == propose_groups([person("wide"), *others()], rules)
    assert result.unplaced["wide"].code == "too_few"
    assert result.unplaced["wide"].params["place"] == "Gol"
    assert result.options_considered <= 5 * 2 + 2 * 2


def test_a_wide_candidate_alone_is_explained_at_its_first_choice():
    wide = person("wide", places=WIDE_PLACES, slots=WIDE_SLOTS)

    result = propose_groups([wide, *others()])

    reason = result.unplaced["wide"]
    assert (reason.code, reason.params["others"]) == ("too_few", 0)
    assert (reason.params["place"], reason.params["slot"]) == (
        "place 00000",
        "slot 000",
    )
    assert result.options_considered == 5 * 2 + 1


def test_many_topics_no_one_shares():
    topics = frozenset(f"topic {number:05}" for number in range(10_000))
    wide = person("wide", topics=topics | {"grief"}, kind="themed")
    people = others(topics=frozenset({"grief"}), kind="themed")

    result = propose_groups([wide, *people])

    narrow = person("wide", topics={"grief"}, kind="themed")
    assert result == propose_groups([narrow, *people])
    assert len(result.groups) == 1 and len(result.groups[0].members) == 6
    assert result.options_considered == 5 * 2 + 2


def test_a_choice_an_open_group_has_is_kept():
    wide = person("wide", places=WIDE_PLACES, slots=WIDE_SLOTS)
    group = OpenGroup(
        id="open", place="place 04711", slot="slot 042", member_ids={"m1", "m2"}
    )

    result = propose_groups([wide, *others()], open_groups=[group])

    assert [(g.members, g.open_group) for g in result.groups] == [
        ((0, 1, 2, 3, 4), None),
        (("wide",), "open"),
    ]
    assert result.options_considered == 5 * 2 + 2 * 2


def test_with_groups_of_one_the_first_lone_choice_stands_for_all():
    # min_size 1: a candidate can be a group alone anywhere they can attend,
    # and every such place is as good as the first of them.
    rules = Rules(min_size=1, max_size=3)
    wide = person("wide", places=WIDE_PLACES | {"Gol"}, slots=WIDE_SLOTS | {"evening"})
    narrow = person(
        "wide",
        places={"place 00000", "Gol"},
        slots={"slot 000", "evening"},
    )
    people = others(count=4)

    result = propose_groups([wide, *people], rules)

    assert result == propose_groups([narrow, *people], rules)
    assert result.options_considered <= 4 * 2 + 2 * 2
    assert_valid([wide, *people], rules, [], result)


LONE = "\uffff lone"
"""A prefix that sorts after every name the random instances use."""


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(instances(), st.data())
def test_choices_no_one_shares_change_nothing(instance, data):
    people, rules, groups = instance
    widened = []
    for number, candidate in enumerate(people):
        extra = data.draw(st.integers(0, 3))
        names = [f"{LONE} {number} {index}" for index in range(extra)]
        widened.append(
            Candidate(
                id=candidate.id,
                places=candidate.places | set(names),
                slots=candidate.slots | set(names[:2]),
                topics=candidate.topics | (set(names) if candidate.topics else set()),
                kind=candidate.kind,
                gender=candidate.gender,
                single_gender=candidate.single_gender,
                birth_year=candidate.birth_year,
                waited_days=candidate.waited_days,
                avoid=candidate.avoid,
            )
        )

    result = propose_groups(widened, rules, groups)

    assert result == propose_groups(people, rules, groups)
    assert list(result.unplaced) == list(propose_groups(people, rules, groups).unplaced)
    assert_valid(widened, rules, groups, result)
