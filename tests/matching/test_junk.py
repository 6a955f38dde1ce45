"""Arbitrary junk given to the engine's public API raises only ValueError.

Every argument of ``propose_groups`` and ``check_proposal`` and every field of
the input dataclasses is drawn either from good values or from junk (None,
numbers, NaN, strings, bytes, nested lists, dicts, sets, bare objects). Whatever
comes out, the engine either answers with a valid proposal or raises
``ValueError``: never ``TypeError``, ``AttributeError``, ``KeyError``.
"""

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wagtail_selvhjelp.matching import (
    Candidate,
    MatchResult,
    OpenGroup,
    ProposedGroup,
    Rules,
    check_proposal,
    propose_groups,
)

from .helpers import assert_valid


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.integers()
    | st.floats()
    | st.text(max_size=3)
    | st.binary(max_size=3)
    | st.builds(object)
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=2), inner, max_size=2)
        | st.frozensets(st.integers(0, 3) | st.text(max_size=2), max_size=3)
        | st.sets(st.integers(0, 3), max_size=2)
    ),
    max_leaves=5,
)
HASHABLE_IDS = (
    st.integers(0, 40)
    | st.sampled_from(["a", "b", "c"])
    | st.floats(allow_nan=True)
    | st.tuples(st.integers(0, 2), st.sampled_from(["x", "y"]))
    | st.frozensets(st.sampled_from(["x", "y", "z"]), max_size=2)
    | st.binary(max_size=1)
    | st.just(None)
)


def names(*choices):
    return st.frozensets(st.sampled_from(choices), max_size=len(choices))


def attempt(factory, draw, **fields):
    """``factory`` called with good values for ``fields``, except at most one
    field that gets junk; ``None`` if it refused them with ValueError."""
    spoiled = draw(st.none() | st.sampled_from(sorted(fields)))
    values = {
        name: draw(JUNK if name == spoiled else good) for name, good in fields.items()
    }
    try:
        return factory(**values)
    except ValueError:
        return None


@st.composite
def candidates(draw):
    return attempt(
        Candidate,
        draw,
        id=HASHABLE_IDS,
        places=names("Gol", "Ål"),
        slots=names("day", "evening"),
        topics=names("grief", "day"),
        kind=st.sampled_from(["themed", "mixed", "any"]),
        gender=st.sampled_from([None, "woman", "man"]),
        single_gender=st.booleans(),
        birth_year=st.none() | st.integers(1950, 2005),
        waited_days=st.integers(0, 5),
        avoid=st.frozensets(HASHABLE_IDS, max_size=2),
    )


@st.composite
def open_groups(draw):
    return attempt(
        OpenGroup,
        draw,
        id=HASHABLE_IDS,
        place=st.sampled_from(["Gol", "Ål"]),
        slot=st.sampled_from(["day", "evening"]),
        topic=st.sampled_from([None, "day"]),
        gender=st.sampled_from([None, "woman"]),
        member_ids=st.frozensets(HASHABLE_IDS, max_size=2),
        birth_years=st.lists(st.integers(1950, 2005), max_size=2),
    )


@st.composite
def rules(draw):
    low = draw(st.integers(1, 3))
    return attempt(
        Rules,
        draw,
        min_size=st.just(low),
        max_size=st.integers(low, low + 3),
        max_age_span=st.none() | st.integers(0, 20),
    )


def collection(items):
    """A list of the items that could be built, or one that also holds junk
    (``None`` where construction failed), or junk instead of a collection."""
    built = st.lists(items, max_size=8).map(
        lambda found: [item for item in found if item is not None]
    )
    mixed = st.lists(items | JUNK, max_size=4)
    return st.one_of(built, built, built, built, built, mixed, JUNK)


JUNK_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@JUNK_SETTINGS
@given(
    collection(candidates()),
    st.one_of(rules(), rules(), rules(), st.none(), JUNK),
    collection(open_groups()),
)
def test_junk_raises_only_value_error(people, rule_set, groups):
    try:
        result = propose_groups(people, rule_set, groups)
    except ValueError as error:
        assert str(error)
        event("refused")
        return
    event(f"proposed, {result.placed_count} placed")
    assert_valid(people, rule_set or Rules(), groups, result)
    assert check_proposal(people, rule_set or Rules(), groups, result) == []


@st.composite
def proposed_groups(draw):
    return attempt(
        ProposedGroup,
        draw,
        members=st.tuples(HASHABLE_IDS, HASHABLE_IDS),
        place=st.sampled_from(["Gol", "Ål"]),
        slot=st.sampled_from(["day", "evening"]),
        topic=st.sampled_from([None, "day"]),
        gender=st.sampled_from([None, "woman"]),
        open_group=st.none() | HASHABLE_IDS,
    )


@st.composite
def results(draw):
    return attempt(
        MatchResult,
        draw,
        groups=st.lists(proposed_groups() | JUNK, max_size=3),
        unplaced=st.dictionaries(HASHABLE_IDS, JUNK, max_size=2),
        upper_bound=st.integers(0, 10),
    )


@JUNK_SETTINGS
@given(
    collection(candidates()),
    st.one_of(rules(), rules(), rules(), JUNK),
    collection(open_groups()),
    st.one_of(results(), results(), results(), JUNK),
)
def test_junk_to_check_proposal_raises_only_value_error(
    people, rule_set, groups, result
):
    try:
        problems = check_proposal(people, rule_set, groups, result)
    except ValueError as error:
        assert str(error)
        event("refused")
        return
    event(f"checked, {'valid' if not problems else 'invalid'}")
    assert isinstance(problems, list)
    assert all(isinstance(problem, str) for problem in problems)
