"""A proven upper bound on the type-level choice, by Lagrangian relaxation.

The union of the pools (:meth:`Selector.bound`) is a weak bound as soon as
pools overlap: with an age span, the windows of one shape overlap, and a
candidate at the edge of a window of five can only be placed if four others
of that window are not needed elsewhere. The branch and bound closes that gap
on small parts only.

This module relaxes the rule that ties the types together, *each candidate is
in at most one group*, with a price ``price[c] >= 0`` per candidate. What is
left falls apart into one small problem per type (form a group of at least
``min_size`` from the pool, or none, and earn ``1 - price`` per member) and
one per open group (take at most its free seats). For any prices,

    sum(price) + sum(best earning of each type and open group)

is at least the number any valid proposal places (weak duality), so its floor
is a proven bound. A subgradient search lowers it; its best value equals the
linear relaxation ``x[t, c] <= y[t]``, ``sum(x[t]) >= min_size * y[t]``, which
on municipal-size instances is within one person of the optimum almost always.

Prices are kept on a grid of ``1 / PRICE_SCALE``, so every sum is exact in
floating point and the floor is a proof, not an estimate. All effort limits
are counts of rounds, so the bound is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


PRICE_SCALE = 1 << 12
"""Prices are multiples of ``1 / PRICE_SCALE`` (exact in binary floating point)."""


class LagrangianBound:
    """The relaxation of one component, ready to be evaluated at any prices.

    Candidates are renumbered densely (only those in some pool matter), and
    prices are lists indexed by that number.
    """

    STEP = 2.0
    """The first step factor of the subgradient search."""

    PATIENCE = 10
    """Rounds without a lower value before the step factor halves."""

    MIN_STEP = 1e-4

    DEFLECT = 0.3
    """How much of the previous direction each step keeps (a deflected
    subgradient zigzags less: on the benchmark it reaches the floor of the
    linear relaxation in fewer rounds)."""
    """The search stops when the step factor falls below this."""

    def __init__(
        self,
        members: Sequence[Sequence[int]],
        min_size: int,
        open_seats: Sequence[int] = (),
        open_members: Sequence[Sequence[int]] = (),
    ) -> None:
        used: set[int] = set()
        for pool in members:
            used.update(pool)
        for seats, pool in zip(open_seats, open_members, strict=True):
            if seats > 0:
                used.update(pool)
        number = {local: dense for dense, local in enumerate(sorted(used))}
        self.size = len(number)
        self.min_size = min_size
        self.members = [[number[local] for local in pool] for pool in members]
        self.open = [
            (seats, [number[local] for local in pool])
            for seats, pool in zip(open_seats, open_members, strict=True)
            if seats > 0 and pool
        ]
        self.best_price: list[float] = [1.0] * self.size

    def _earning(self, gains: list[float]) -> float:
        """The best earning of one group from a pool with these gains."""
        positive = [gain for gain in gains if gain > 0]
        if len(positive) < self.min_size:
            gains.sort(reverse=True)
            positive = gains[: self.min_size]
        return sum(positive)

    def type_values(self, price: Sequence[float]) -> list[float]:
        """For each type, the best earning of a group formed from its pool at
        ``price`` (at least ``min_size`` members; may be negative)."""
        gain = [1 - value for value in price]
        return [self._earning([gain[c] for c in pool]) for pool in self.members]

    def base(self, price: Sequence[float]) -> float:
        """The part of the value that does not depend on the types: the prices
        and the open groups' earnings."""
        gain = [1 - value for value in price]
        total = sum(price)
        for seats, pool in self.open:
            best = sorted((gain[c] for c in pool), reverse=True)[:seats]
            total += sum(value for value in best if value > 0)
        return total

    def evaluate(self, price: Sequence[float]) -> tuple[float, list[int]]:
        """The relaxation's value at ``price`` and how often each candidate is
        taken (the subgradient is ``1 - taken``)."""
        gain = [1 - value for value in price]
        total = sum(price)
        taken = [0] * self.size
        low = self.min_size
        for pool in self.members:
            chosen = [c for c in pool if gain[c] > 0]
            if len(chosen) < low:
                chosen = sorted(pool, key=gain.__getitem__, reverse=True)[:low]
            value = sum(gain[c] for c in chosen)
            if value > 0:
                total += value
                for c in chosen:
                    taken[c] += 1
        for seats, pool in self.open:
            best = sorted(pool, key=gain.__getitem__, reverse=True)[:seats]
            for c in best:
                if gain[c] > 0:
                    total += gain[c]
                    taken[c] += 1
        return total, taken

    def search(self, target: int, rounds: int) -> int:
        """The lowest proven bound found in ``rounds`` subgradient steps.

        Stops early once the bound reaches ``target`` (the number a proposal
        already places: no bound can be lower). Uses Polyak's step towards
        ``target + 1/2`` along a deflected subgradient, with a step factor
        that halves when the value has not improved for :attr:`PATIENCE`
        rounds. The prices with the lowest value
        are kept in :attr:`best_price`.
        """
        price = [1.0] * self.size
        value, taken = self.evaluate(price)
        best_value = value
        self.best_price = price
        factor = self.STEP
        stale = 0
        goal = target + 0.5
        slope = [0.0] * self.size
        for _ in range(rounds):
            if math.floor(best_value) <= target:
                break
            slope = [
                1 - count + self.DEFLECT * old
                for count, old in zip(taken, slope, strict=True)
            ]
            norm = sum(part * part for part in slope)
            if not norm:
                break
            step = factor * (value - goal) / norm
            price = [
                max(0.0, round((old - step * part) * PRICE_SCALE) / PRICE_SCALE)
                for old, part in zip(price, slope, strict=True)
            ]
            value, taken = self.evaluate(price)
            if value < best_value:
                best_value = value
                self.best_price = price
                stale = 0
            else:
                stale += 1
                if stale >= self.PATIENCE:
                    factor /= 2
                    stale = 0
                    if factor < self.MIN_STEP:
                        break
        return math.floor(best_value)
