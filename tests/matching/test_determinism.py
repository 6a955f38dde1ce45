"""The proposal does not depend on input order or on hash randomisation."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wagtail_selvhjelp.matching import Candidate, OpenGroup, Rules, propose_groups


SCRIPT = """
import random
from wagtail_selvhjelp.matching import Candidate, Rules, propose_groups

rng = random.Random(3)
people = [
    Candidate(
        id=f"person-{n}",
        places=frozenset(rng.sample(["Gol", "Ål", "Hol"], rng.randint(1, 2))),
        slots=frozenset(rng.sample(["day", "evening"], rng.randint(1, 2))),
        topics=frozenset(rng.sample(["grief", "anxiety", "relatives"], 2)),
        kind=rng.choice(["themed", "mixed", "any"]),
        gender=rng.choice(["woman", "man", None]),
        birth_year=rng.randint(1950, 2000),
        waited_days=rng.randint(0, 3),
        avoid=frozenset({f"person-{rng.randrange(150)}"}),
    )
    for n in range(150)
]
result = propose_groups(people, Rules(max_age_span=15))
print(repr(result))
"""


@pytest.mark.parametrize("seeds", [("0", "1"), ("2", "12345")])
def test_same_output_under_different_hash_seeds(seeds):
    root = Path(__file__).resolve().parents[2]
    outputs = []
    for seed in seeds:
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        completed = subprocess.run(  # noqa: S603 (runs this interpreter on a fixed script)
            [sys.executable, "-c", SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
        )
        outputs.append(completed.stdout)
    assert outputs[0] == outputs[1]
    assert "ProposedGroup" in outputs[0]


# -- ids that no stable order can tell apart (issue 12, item 6.2) ------------


class SameRepr:
    """An id type whose different values all print alike."""

    def __init__(self, number):
        self.number = number

    def __eq__(self, other):
        return isinstance(other, SameRepr) and other.number == self.number

    def __hash__(self):
        return hash(self.number)

    def __repr__(self):
        return "SameRepr()"


def person(id, **extra):
    return Candidate(id=id, places={"Gol"}, slots={"evening"}, **extra)


def test_different_ids_with_the_same_repr_are_refused():
    people = [person(SameRepr(n)) for n in range(6)]
    with pytest.raises(ValueError, match="candidate ids SameRepr.* no stable order"):
        propose_groups(people)


def test_different_nan_ids_are_refused():
    people = [person(float("nan")) for _ in range(4)]
    with pytest.raises(ValueError, match="candidate ids nan and nan"):
        propose_groups(people)
    with pytest.raises(ValueError, match="no stable order"):
        propose_groups([person((float("nan"), 1)) for _ in range(4)])


def test_open_group_ids_with_the_same_repr_are_refused():
    groups = [
        OpenGroup(id=SameRepr(n), place="Gol", slot="evening", member_ids={n})
        for n in range(2)
    ]
    with pytest.raises(ValueError, match="open group ids SameRepr.* no stable order"):
        propose_groups([person("a")], open_groups=groups)


def test_the_same_repr_is_fine_when_the_ids_are_equal_or_alone():
    result = propose_groups([person(SameRepr(1)), person(2), person(3), person(4)])
    assert len(result.groups) == 1
    with pytest.raises(ValueError, match="given twice"):
        propose_groups([person(SameRepr(1)), person(SameRepr(1))])


# Ids of every kind the documentation allows, each told apart by its key.
EXOTIC_IDS = st.one_of(
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.text(max_size=2),
    st.binary(max_size=2),
    st.none(),
    st.booleans(),
    st.uuids(),
    st.dates(),
    st.tuples(st.integers(0, 3), st.text(max_size=1)),
    st.frozensets(st.integers(0, 3) | st.text(max_size=1), max_size=3),
    st.tuples(st.frozensets(st.integers(0, 2), max_size=2), st.none()),
)


@st.composite
def exotic_instances(draw):
    ids = draw(st.lists(EXOTIC_IDS, min_size=1, max_size=24, unique=True))
    people = [
        Candidate(
            id=id,
            places=draw(st.frozensets(st.sampled_from(["Gol", "Ål"]), min_size=1)),
            slots=draw(st.frozensets(st.sampled_from(["day", "evening"]), min_size=1)),
            topics=draw(st.frozensets(st.sampled_from(["grief", "anxiety"]))),
            kind=draw(st.sampled_from(["themed", "mixed", "any"])),
            waited_days=draw(st.integers(0, 2)),
            avoid=draw(st.frozensets(st.sampled_from(ids), max_size=1)),
        )
        for id in ids
    ]
    group_ids = draw(
        st.lists(EXOTIC_IDS.filter(lambda id: id is not None), max_size=3, unique=True)
    )
    groups = [
        OpenGroup(
            id=id,
            place="Gol",
            slot=draw(st.sampled_from(["day", "evening"])),
            member_ids={("member", number)},
        )
        for number, id in enumerate(group_ids)
    ]
    return people, groups


@settings(max_examples=80, deadline=None)
@given(exotic_instances(), st.randoms(use_true_random=False))
def test_ids_of_any_kind_give_the_same_proposal_in_any_order(instance, rng):
    people, groups = instance
    rules = Rules(min_size=2, max_size=4)
    first = propose_groups(people, rules, groups)
    outputs = set()
    for _ in range(5):
        rng.shuffle(people)
        rng.shuffle(groups)
        again = propose_groups(people, rules, groups)
        assert again == first
        outputs.add(repr(again))
    assert len(outputs) == 1


EXOTIC_SCRIPT = """
import random
from wagtail_selvhjelp.matching import Candidate, Rules, propose_groups

rng = random.Random(4)
ids = [frozenset({f"p{n}", f"q{n}", n}) for n in range(40)]
ids += [(frozenset({"x", f"y{n}"}), n) for n in range(40)]
people = [
    Candidate(
        id=id,
        places=frozenset(rng.sample(["Gol", "Ål"], rng.randint(1, 2))),
        slots=frozenset(rng.sample(["day", "evening"], rng.randint(1, 2))),
        waited_days=rng.randint(0, 2),
    )
    for id in ids
]
result = propose_groups(people, Rules(min_size=3, max_size=5))
print([[ids.index(member) for member in group.members] for group in result.groups])
print(sorted(ids.index(member) for member in result.unplaced))
"""


def test_frozenset_ids_give_the_same_output_under_different_hash_seeds():
    root = Path(__file__).resolve().parents[2]
    outputs = []
    for seed in ("0", "1", "98765"):
        environment = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        completed = subprocess.run(  # noqa: S603 (runs this interpreter on a fixed script)
            [sys.executable, "-c", EXOTIC_SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
        )
        outputs.append(completed.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert "[" in outputs[0]
