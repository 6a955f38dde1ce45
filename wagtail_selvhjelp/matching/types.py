"""The plain data the matching engine takes and returns.

Everything here is a frozen dataclass of built-in values, so the admin can build
the input from its models and read the result back without the engine knowing
anything about Django. Constructors validate and normalise their arguments:
collections become ``frozenset``/``tuple`` and bad values raise ``ValueError``
with a message that names the offending object.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


KINDS = ("themed", "mixed", "any")
"""The group kinds a candidate may ask for."""


def _items(value: Any, what: str, owner: str, kind: str) -> list:
    """The elements of a collection argument, or a ``ValueError`` that says
    what was wrong with it (a string, a mapping, ``None``, not a collection)."""
    if isinstance(value, str | bytes):
        raise ValueError(
            f"{owner}: {what} must be a collection of {kind}, not the string {value!r}"
        )
    if isinstance(value, Mapping):
        raise ValueError(
            f"{owner}: {what} must be a collection of {kind}, not a mapping"
        )
    try:
        return list(value)
    except TypeError:
        raise ValueError(
            f"{owner}: {what} must be a collection of {kind}, not {value!r}"
        ) from None


def _names(value: Iterable[str], what: str, owner: str) -> frozenset[str]:
    names = value if type(value) is frozenset else _items(value, what, owner, "names")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"{owner}: {what} must be non-empty strings, got {name!r}")
    return frozenset(names)


def _ids(value: Iterable[Hashable], what: str, owner: str) -> frozenset[Hashable]:
    if type(value) is frozenset:
        return value
    ids = _items(value, what, owner, "ids")
    for item in ids:
        if not _is_hashable(item):
            raise ValueError(f"{owner}: {what} must be hashable ids, got {item!r}")
    return frozenset(ids)


def _is_hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _check_hashable(value: object, owner: str) -> None:
    if not _is_hashable(value):
        raise ValueError(f"{owner}: id {value!r} is not hashable")


def _optional_name(value: str | None, what: str, owner: str) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise ValueError(f"{owner}: {what} must be None or a non-empty string")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Candidate:
    """A registrant waiting for a group.

    ``avoid`` names the ids of people (other candidates or members of open
    groups) this candidate must never share a group with. The relation is
    symmetric: it is enough that one side names the other. Unknown ids are
    ignored, so a registration may name someone who has withdrawn.
    """

    id: Hashable
    places: frozenset[str]
    slots: frozenset[str]
    topics: frozenset[str] = frozenset()
    kind: str = "any"
    gender: str | None = None
    single_gender: bool = False
    birth_year: int | None = None
    waited_days: int = 0
    avoid: frozenset[Hashable] = frozenset()

    def __post_init__(self) -> None:
        _check_hashable(self.id, "candidate")
        owner = f"candidate {self.id!r}"
        set_ = object.__setattr__
        set_(self, "places", _names(self.places, "places", owner))
        set_(self, "slots", _names(self.slots, "slots", owner))
        set_(self, "topics", _names(self.topics, "topics", owner))
        set_(self, "avoid", _ids(self.avoid, "avoid", owner))
        if not self.places:
            raise ValueError(f"{owner} has no places: give at least one")
        if not self.slots:
            raise ValueError(f"{owner} has no time slots: give at least one")
        if self.kind not in KINDS:
            raise ValueError(
                f"{owner}: unknown kind {self.kind!r} (expected one of {KINDS})"
            )
        _optional_name(self.gender, "gender", owner)
        if not isinstance(self.single_gender, bool):
            raise ValueError(f"{owner}: single_gender must be True or False")
        if self.birth_year is not None and not _is_int(self.birth_year):
            raise ValueError(f"{owner}: birth_year must be None or an integer")
        if not _is_int(self.waited_days) or self.waited_days < 0:
            raise ValueError(f"{owner}: waited_days must be a non-negative integer")


@dataclass(frozen=True)
class Rules:
    """Size and age bounds for every group.

    ``max_age_span`` is the largest allowed difference in birth year between
    two members of a group, open-group members included; ``None`` means no
    limit. Members whose birth year is unknown are not restricted by it.
    """

    min_size: int = 4
    max_size: int = 8
    max_age_span: int | None = None

    def __post_init__(self) -> None:
        if not _is_int(self.min_size) or self.min_size < 1:
            raise ValueError("min_size must be a positive integer")
        if not _is_int(self.max_size):
            raise ValueError("max_size must be an integer")
        if self.min_size > self.max_size:
            raise ValueError(
                f"min_size ({self.min_size}) is larger than max_size ({self.max_size})"
            )
        if self.max_age_span is not None and (
            not _is_int(self.max_age_span) or self.max_age_span < 0
        ):
            raise ValueError("max_age_span must be None or a non-negative integer")


@dataclass(frozen=True)
class OpenGroup:
    """A group that already exists and may take newcomers up to ``max_size``.

    ``topic=None`` means a mixed group and ``gender`` a single-gender one.
    ``member_ids`` are the current members (they count towards the size and
    towards ``avoid``), ``birth_years`` their known birth years.
    """

    id: Hashable
    place: str
    slot: str
    topic: str | None = None
    gender: str | None = None
    member_ids: frozenset[Hashable] = frozenset()
    birth_years: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _check_hashable(self.id, "open group")
        if self.id is None:
            raise ValueError(
                "open group: id must not be None (a proposed group with "
                "open_group=None is a new group)"
            )
        owner = f"open group {self.id!r}"
        if not isinstance(self.place, str) or not self.place:
            raise ValueError(f"{owner}: place must be a non-empty string")
        if not isinstance(self.slot, str) or not self.slot:
            raise ValueError(f"{owner}: slot must be a non-empty string")
        _optional_name(self.topic, "topic", owner)
        _optional_name(self.gender, "gender", owner)
        object.__setattr__(
            self, "member_ids", _ids(self.member_ids, "member_ids", owner)
        )
        years = tuple(_items(self.birth_years, "birth_years", owner, "years"))
        if not all(_is_int(year) for year in years):
            raise ValueError(f"{owner}: birth_years must be integers")
        object.__setattr__(self, "birth_years", years)


@dataclass(frozen=True)
class ProposedGroup:
    """One group of the proposal.

    For a new group (``open_group is None``) ``members`` are all its members;
    for an open group they are only the newcomers the proposal adds.
    ``topic`` is set for a themed group and ``gender`` for a single-gender one.
    """

    members: tuple[Hashable, ...]
    place: str
    slot: str
    topic: str | None = None
    gender: str | None = None
    open_group: Hashable | None = None


@dataclass(frozen=True)
class UnplacedReason:
    """Why a candidate is left out, for the coordinator.

    ``code`` is stable and machine-readable, ``params`` holds the facts the
    message is built from (place, slot, counts, ...) and ``message`` is the
    English text. ``str()`` gives the message; a translated interface can build
    its own text from ``code`` and ``params``.
    """

    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class MatchResult:
    """A proposal: the groups, who is left out and why, and how good it is.

    ``upper_bound`` is a proven upper bound on the number of candidates that
    *any* valid proposal could place for the same input. When it equals
    :attr:`placed_count` the proposal places as many people as possible;
    otherwise at most ``upper_bound - placed_count`` more could *perhaps* have
    been placed: the engine could not prove whether any proposal places more
    than this one (on instances shaped like a municipality the true optimum
    is usually the proposal itself or one more).
    """

    groups: list[ProposedGroup]
    unplaced: dict[Hashable, UnplacedReason]
    upper_bound: int
    options_considered: int = field(default=0, compare=False)
    """How many (candidate, group shape) pairs the engine worked with: a
    deterministic measure of its work. Of the places, time slots and topics
    that no one else (no other candidate, no open group) has, only the first
    is kept, since no group with others can form at any of them; so this grows
    with what candidates share, not with how many choices one of them ticks."""

    @property
    def placed_count(self) -> int:
        """The number of candidates placed in a group."""
        return sum(len(group.members) for group in self.groups)

    @property
    def gap(self) -> int:
        """At most how many more candidates the best possible proposal could
        place (0 when this one is proven best; otherwise perhaps fewer)."""
        return self.upper_bound - self.placed_count

    @property
    def is_proven_optimal(self) -> bool:
        """Whether no valid proposal can place more candidates."""
        return self.gap == 0
