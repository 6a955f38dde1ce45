"""Why a candidate is left out, in words a coordinator can act on.

Each reason has a stable ``code``, the facts behind it in ``params`` and an
English ``message``. The codes are:

``gender_missing``
    asked for a single-gender group without giving a gender;
``topic_missing``
    asked for a themed group without choosing a topic;
``too_few``
    too few other candidates can meet at any place and time with them;
``age_span``
    enough others can meet, but too few of them are close enough in age;
``avoid``
    the only possible groups would hold someone they must avoid;
``taken``
    the others who could meet with them are already placed in other groups;
``groups_full``
    every group they fit is full;
``no_valid_group``
    enough others are still waiting, but no valid group could be formed with
    them (their ages or avoid wishes clash with each other).
"""

from __future__ import annotations

from collections.abc import Sequence

from ._assemble import Group
from ._problem import Problem, Shape, ages_fit, fits, shape_key
from .types import UnplacedReason


def describe(shape: Shape) -> str:
    """``shape`` as English words, e.g. ``in Gol (weekday evening) in a mixed
    group``."""
    place, slot, topic, gender = shape
    text = f"in {place} ({slot})"
    text += " in a mixed group" if topic is None else f' in a group on "{topic}"'
    if gender is not None:
        text += f" for {gender} only"
    return text


def _others(count: int) -> str:
    if count == 0:
        return "no one else"
    if count == 1:
        return "only 1 other person"
    return f"only {count} others"


def _count(count: int) -> str:
    return "1 other person" if count == 1 else f"{count} others"


def _are(count: int) -> str:
    return f"{count} of them {'is' if count == 1 else 'are'}"


def _of_them(count: int) -> str:
    if count == 0:
        return "none of them is"
    if count == 1:
        return "only 1 of them is"
    return f"only {count} of them are"


def _shape_params(shape: Shape) -> dict:
    place, slot, topic, gender = shape
    return {"place": place, "slot": slot, "topic": topic, "gender": gender}


def make_reason(code: str, message: str, **params) -> UnplacedReason:
    return UnplacedReason(code=code, message=message, params=params)


class Explainer:
    """Explains every unplaced candidate against the final groups."""

    def __init__(self, problem: Problem, groups: Sequence[Group]) -> None:
        self.problem = problem
        self.groups = groups
        self.placed = {member for group in groups for member in group.members}
        self._pools: dict[Shape, list[int]] | None = None

    def pools(self) -> dict[Shape, list[int]]:
        if self._pools is None:
            self._pools = {}
            for index in range(len(self.problem.candidates)):
                for shape in self.problem.shapes_of(index):
                    self._pools.setdefault(shape, []).append(index)
        return self._pools

    def explain(self, index: int) -> UnplacedReason:
        candidate = self.problem.candidates[index]
        rules = self.problem.rules
        if candidate.single_gender and candidate.gender is None:
            return make_reason(
                "gender_missing",
                "asked for a single-gender group but gave no gender",
            )
        if candidate.kind == "themed" and not candidate.topics:
            return make_reason(
                "topic_missing",
                "asked for a group on one topic but chose no topic",
            )
        fitting = [group for group in self.groups if fits(candidate, group.shape)]
        if fitting:
            return self._explain_groups(index, fitting)

        shapes = self.problem.shapes_of(index)
        counts = []
        for shape in shapes:
            others = [other for other in self.pools()[shape] if other != index]
            friendly = [other for other in others if not self._avoids(index, other)]
            close = [other for other in friendly if self._close_in_age(index, other)]
            free = [other for other in close if other not in self.placed]
            counts.append((len(others), len(friendly), len(close), len(free), shape))
        needed = rules.min_size - 1
        if not counts:
            return make_reason(
                "too_few",
                f"no one else can meet with them; a group needs at least "
                f"{rules.min_size}",
                others=0,
                min_size=rules.min_size,
            )

        def best(position: int) -> tuple:
            # ``max`` keeps the first of equals: shapes come in canonical order.
            return max(counts, key=lambda count: count[position])

        raw = best(0)
        if raw[0] < needed:
            return make_reason(
                "too_few",
                f"{_others(raw[0])} can meet {describe(raw[4])}; a group needs "
                f"at least {rules.min_size}",
                others=raw[0],
                min_size=rules.min_size,
                **_shape_params(raw[4]),
            )
        friendly = best(1)
        if friendly[1] < needed:
            return make_reason(
                "avoid",
                "would have to share a group with someone they must avoid",
                **_shape_params(friendly[4]),
            )
        close = best(2)
        if close[2] < needed:
            return make_reason(
                "age_span",
                f"{_count(close[1])} can meet {describe(close[4])}, but "
                f"{_of_them(close[2])} within {rules.max_age_span} years of "
                f"their age; a group needs at least {rules.min_size}",
                others=close[1],
                close_in_age=close[2],
                max_age_span=rules.max_age_span,
                min_size=rules.min_size,
                **_shape_params(close[4]),
            )
        free = best(3)
        if free[3] < needed:
            return make_reason(
                "taken",
                f"{_count(free[2])} can meet {describe(free[4])}, but "
                f"{_are(free[2] - free[3])} already in another group; a group "
                f"needs at least {rules.min_size}",
                others=free[2],
                free=free[3],
                min_size=rules.min_size,
                **_shape_params(free[4]),
            )
        return make_reason(
            "no_valid_group",
            f"{free[3]} others who can meet {describe(free[4])} are still "
            f"waiting, but their ages or avoid wishes do not allow a group of "
            f"at least {rules.min_size} with them",
            free=free[3],
            min_size=rules.min_size,
            **_shape_params(free[4]),
        )

    def _explain_groups(self, index: int, fitting: list[Group]) -> UnplacedReason:
        rules = self.problem.rules
        with_room = [group for group in fitting if group.has_room]
        first = min(fitting, key=lambda group: shape_key(group.shape))
        if not with_room:
            return make_reason(
                "groups_full",
                f"every group that fits them is full, e.g. the one "
                f"{describe(first.shape)}",
                groups=len(fitting),
                max_size=rules.max_size,
                **_shape_params(first.shape),
            )
        candidates = self.problem.candidates
        for group in with_room:
            ids = {candidates[member].id for member in group.members}
            if self.problem.avoid[index] & (ids | group.fixed_ids):
                return make_reason(
                    "avoid",
                    "would have to share a group with someone they must avoid",
                    **_shape_params(group.shape),
                )
        for group in with_room:
            years = [candidates[member].birth_year for member in group.members]
            years.extend(group.fixed_years)
            if not ages_fit((*years, candidates[index].birth_year), rules.max_age_span):
                return make_reason(
                    "age_span",
                    f"the groups with room that fit them have a member more "
                    f"than {rules.max_age_span} years older or younger",
                    max_age_span=rules.max_age_span,
                    **_shape_params(group.shape),
                )
        return make_reason(
            "no_valid_group",
            "no group that fits them can take them without breaking a rule",
            **_shape_params(with_room[0].shape),
        )

    def _avoids(self, index: int, other: int) -> bool:
        return self.problem.candidates[other].id in self.problem.avoid[index]

    def _close_in_age(self, index: int, other: int) -> bool:
        candidates = self.problem.candidates
        return ages_fit(
            (candidates[index].birth_year, candidates[other].birth_year),
            self.problem.rules.max_age_span,
        )
