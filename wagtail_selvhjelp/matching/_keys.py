"""Canonical ordering of arbitrary hashable ids.

The engine must give the same proposal for the same input in any order, so it
never iterates a set or dict in insertion or hash order where that could leak
into the result. Ids may be of mixed types (``int`` primary keys, UUIDs,
strings), which Python cannot compare directly; :func:`canonical_key` maps each
to a comparable tuple that does not depend on hash randomisation.

Two different ids must never get the same key, or their order would depend on
the input order. That holds for numbers, strings, tuples and frozensets of
them, and for any other value whose ``repr`` tells it apart from every other
value of its type (UUIDs, dates, bytes, ...). The engine rejects input whose
ids collide anyway (see :func:`key_collision`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable


def canonical_key(value: Hashable) -> tuple:
    """A sort key for ``value`` that is stable across runs and processes.

    Numbers sort numerically and before strings, strings sort by code point,
    tuples element by element, frozensets by their sorted elements, and
    anything else (a NaN too, which equals nothing) by type name and ``repr``.
    """
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int) or (isinstance(value, float) and not math.isnan(value)):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, tuple):
        return (2, tuple(canonical_key(item) for item in value))
    if isinstance(value, frozenset):
        return (3, tuple(sorted(canonical_key(item) for item in value)))
    kind = type(value)
    return (4, f"{kind.__module__}.{kind.__qualname__}", repr(value))


def key_collision(ids: Iterable[Hashable]) -> tuple[Hashable, Hashable] | None:
    """Two different ids with the same :func:`canonical_key`, if any.

    ``ids`` must be in canonical order and without duplicates.
    """
    previous: tuple | None = None
    previous_id: Hashable = None
    for value in ids:
        key = canonical_key(value)
        if key == previous:
            return previous_id, value
        previous, previous_id = key, value
    return None


def optional_key(value: str | None) -> tuple[int, str]:
    """A sort key for an optional name that puts ``None`` first."""
    return (0, "") if value is None else (1, value)
