"""Independent checks and a brute-force optimum for the matching tests.

Nothing here uses the engine's internals: the rules are re-implemented from the
issue text so that a bug in the engine cannot hide in a shared helper.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Hashable, Sequence

from wagtail_selvhjelp.matching import Candidate, MatchResult, OpenGroup, Rules


def member_fits(candidate: Candidate, place, slot, topic, gender) -> bool:
    if place not in candidate.places or slot not in candidate.slots:
        return False
    if topic is None:
        if candidate.kind not in ("mixed", "any"):
            return False
    elif candidate.kind not in ("themed", "any") or topic not in candidate.topics:
        return False
    if gender is None:
        return not candidate.single_gender
    return candidate.gender == gender


def avoid_pairs(candidates: Sequence[Candidate]) -> set[frozenset]:
    return {
        frozenset((candidate.id, other))
        for candidate in candidates
        for other in candidate.avoid
        if other != candidate.id
    }


def years_ok(years, span) -> bool:
    known = [year for year in years if year is not None]
    return span is None or not known or max(known) - min(known) <= span


def assert_valid(
    candidates: Sequence[Candidate],
    rules: Rules,
    open_groups: Sequence[OpenGroup],
    result: MatchResult,
) -> None:
    """Assert every guarantee of the issue, computed from scratch."""
    by_id = {candidate.id: candidate for candidate in candidates}
    opens = {group.id: group for group in open_groups}
    pairs = avoid_pairs(candidates)
    placed: list[Hashable] = []
    for group in result.groups:
        members = [by_id[member] for member in group.members]
        placed.extend(group.members)
        ids = set(group.members)
        years = [member.birth_year for member in members]
        if group.open_group is None:
            assert rules.min_size <= len(members) <= rules.max_size, group
        else:
            source = opens[group.open_group]
            assert members, group
            assert len(members) + len(source.member_ids) <= rules.max_size, group
            assert (group.place, group.slot, group.topic, group.gender) == (
                source.place,
                source.slot,
                source.topic,
                source.gender,
            )
            ids |= source.member_ids
            years.extend(source.birth_years)
        for member in members:
            assert member_fits(
                member, group.place, group.slot, group.topic, group.gender
            ), (member, group)
        for first, second in itertools.combinations(sorted(ids, key=repr), 2):
            assert frozenset((first, second)) not in pairs, (first, second, group)
        assert years_ok(years, rules.max_age_span), group
    assert len(placed) == len(set(placed)), "someone is in two groups"
    assert set(placed).isdisjoint(result.unplaced)
    assert set(placed) | set(result.unplaced) == set(by_id)
    assert len(result.unplaced) == len(by_id) - len(placed)
    assert result.placed_count <= result.upper_bound
    for reason in result.unplaced.values():
        assert reason.code and str(reason) == reason.message and reason.message


def brute_force_optimum(
    candidates: Sequence[Candidate],
    rules: Rules,
    open_groups: Sequence[OpenGroup] = (),
) -> int:
    """The most candidates any valid proposal can place, by exhaustive search
    over every valid group (only for a handful of candidates)."""
    pairs = avoid_pairs(candidates)
    shapes = {
        (place, slot, topic, gender)
        for candidate in candidates
        for place in candidate.places
        for slot in candidate.slots
        for topic in (None, *candidate.topics)
        for gender in (None, candidate.gender)
    }

    def clash_free(ids) -> bool:
        return all(
            frozenset(pair) not in pairs
            for pair in itertools.combinations(sorted(ids, key=repr), 2)
        )

    options: list[tuple[frozenset, Hashable]] = []
    for size in range(rules.min_size, rules.max_size + 1):
        for members in itertools.combinations(candidates, size):
            ids = frozenset(member.id for member in members)
            if not clash_free(ids) or not years_ok(
                [member.birth_year for member in members], rules.max_age_span
            ):
                continue
            if any(
                all(member_fits(member, *shape) for member in members)
                for shape in shapes
            ):
                options.append((ids, None))
    for group in open_groups:
        seats = rules.max_size - len(group.member_ids)
        shape = (group.place, group.slot, group.topic, group.gender)
        fitting = [c for c in candidates if member_fits(c, *shape)]
        for size in range(1, seats + 1):
            for members in itertools.combinations(fitting, size):
                ids = frozenset(member.id for member in members)
                if not clash_free(ids | group.member_ids):
                    continue
                years = [m.birth_year for m in members] + list(group.birth_years)
                if years_ok(years, rules.max_age_span):
                    options.append((ids, group.id))

    order = sorted(candidates, key=lambda candidate: repr(candidate.id))
    best = 0

    def search(position: int, used: frozenset, opens: frozenset, count: int) -> None:
        nonlocal best
        best = max(best, count)
        remaining = sum(1 for c in order[position:] if c.id not in used)
        if count + remaining <= best:
            return
        while position < len(order) and order[position].id in used:
            position += 1
        if position == len(order):
            return
        first = order[position].id
        for ids, open_id in options:
            if first in ids and not ids & used and open_id not in opens:
                search(
                    position + 1,
                    used | ids,
                    opens | {open_id} if open_id is not None else opens,
                    count + len(ids),
                )
        search(position + 1, used | {first}, opens, count)

    search(0, frozenset(), frozenset(), 0)
    return best


def random_instance(seed: int, size: int):
    """A small random instance where many constraints bite."""
    rng = random.Random(seed)
    rules = rng.choice(
        [
            Rules(min_size=2, max_size=3),
            Rules(min_size=2, max_size=4, max_age_span=10),
            Rules(min_size=3, max_size=5),
            Rules(min_size=3, max_size=6, max_age_span=15),
        ]
    )
    candidates = []
    for number in range(size):
        gender = rng.choice(["f", "m", None])
        candidates.append(
            Candidate(
                id=number,
                places=frozenset(rng.sample(["A", "B"], rng.randint(1, 2))),
                slots=frozenset(rng.sample(["x", "y"], rng.randint(1, 2))),
                topics=frozenset(rng.sample(["t", "u"], rng.randint(0, 2))),
                kind=rng.choice(["themed", "mixed", "any", "any"]),
                gender=gender,
                single_gender=gender is not None and rng.random() < 0.2,
                birth_year=rng.choice([None, *range(1960, 1995, 3)]),
                waited_days=rng.randint(0, 30),
                avoid=frozenset([rng.randrange(size)] if rng.random() < 0.15 else []),
            )
        )
    open_groups = []
    if rng.random() < 0.4:
        open_groups.append(
            OpenGroup(
                id="open",
                place="A",
                slot="x",
                topic=rng.choice([None, "t"]),
                member_ids=frozenset({"old-1"}),
                birth_years=(1975,),
            )
        )
    return candidates, rules, open_groups
