"""Canonical ordering of arbitrary hashable ids.

The engine must give the same proposal for the same input in any order, so it
never iterates a set or dict in insertion or hash order where that could leak
into the result. Ids may be of mixed types (``int`` primary keys, UUIDs,
strings), which Python cannot compare directly; :func:`canonical_key` maps each
to a comparable tuple that does not depend on hash randomisation.
"""

from __future__ import annotations

from collections.abc import Hashable


def canonical_key(value: Hashable) -> tuple:
    """A sort key for ``value`` that is stable across runs and processes.

    Numbers sort numerically and before strings, strings sort by code point,
    tuples element by element, and anything else by type name and ``repr``.
    """
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, tuple):
        return (2, tuple(canonical_key(item) for item in value))
    kind = type(value)
    return (3, f"{kind.__module__}.{kind.__qualname__}", repr(value))


def optional_key(value: str | None) -> tuple[int, str]:
    """A sort key for an optional name that puts ``None`` first."""
    return (0, "") if value is None else (1, value)
