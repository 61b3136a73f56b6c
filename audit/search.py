"""Witnesses found with the solver: the person closest to the baseline who shows a finding.

:mod:`audit.baseline` defines that person slot by slot (the day, then each field); here the
solver is asked, slot by slot, whether the preferred value still leaves someone showing the
finding, and when it does not, which value comes next in the order (a binary search over the
order, helped by the values the solver proposes). The answer depends only on the question and
the rule base, never on which profile the solver happened to propose first: the same question
gives the same witness in every run and every process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import z3

from texts import both

from .baseline import MAX_LEVEL, Slot, level, slots
from .errors import WitnessError
from .space import Expr, ProfileSpace, check, rational

__all__ = ["WitnessSearch"]


class WitnessSearch:
    """Finds witnesses in one profile space, with its shared solver."""

    def __init__(self, space: ProfileSpace) -> None:
        self.space = space
        self._slots: dict[date, list[Slot]] = {}

    def slots(self, near: date) -> list[Slot]:
        """The slots in order, the day preferring ``near``."""
        found = self._slots.get(near)
        if found is None:
            found = self._slots[near] = slots(self.space.municipalities, near)
        return found

    def closest(self, constraints: Sequence[Expr], near: date) -> dict[str, Any] | None:
        """One value per slot: the person and day closest to the baseline (the day ``near``)
        meeting ``constraints``, or ``None`` when nobody on any day does (a proof).

        Slot by slot as :mod:`audit.baseline` defines it, but a run of slots that keep their
        baseline values is found at once: keeping one more slot can only make the question
        harder, so the longest run that still has an answer is found by halving."""
        space = self.space
        solver = space.solver()
        order = self.slots(near)
        solver.push()
        try:
            solver.add(*constraints)
            if not check(solver):
                return None
            model = solver.model()
            values: dict[str, Any] = {}
            position = 0
            while position < len(order):
                rest = order[position:]
                keep = [space.equals(s, s.start) for s in rest]
                if check(solver, *keep):
                    values.update((s.name, s.start) for s in rest)
                    break
                # ``kept`` slots from ``position`` keep their baseline in ``model``; keeping all
                # of ``rest`` is impossible.
                kept, most = self._agreeing(rest, model, 0), len(rest) - 1
                while kept < most:
                    middle = (kept + most + 1) // 2
                    if check(solver, *keep[:middle]):
                        model = solver.model()
                        kept = self._agreeing(rest, model, middle)
                    else:
                        most = middle - 1
                values.update((s.name, s.start) for s in rest[:kept])
                solver.add(*keep[:kept])
                slot = rest[kept]
                current = space.read(slot, model)
                if slot.numeric:
                    current, model = self._nearest(slot, current, model)
                else:
                    current, model = self._first(slot, current, model)
                values[slot.name] = current
                solver.add(space.equals(slot, current))
                position += kept + 1
            return values
        finally:
            solver.pop()

    def _agreeing(self, rest: list[Slot], model: Expr, known: int) -> int:
        """How many slots from the start of ``rest`` hold their baseline value in ``model``
        (the first ``known`` do)."""
        count = known
        while count < len(rest) and self.space.read(rest[count], model) == rest[count].start:
            count += 1
        return count

    def _first(self, slot: Slot, current: Any, model: Expr) -> tuple[Any, Expr]:
        """The first possible value of a listed slot after its baseline; ``current`` (in
        ``model``) is possible, so the search looks only before it."""
        space, solver = self.space, self.space.solver()
        later = slot.choices[1:]
        low, high = 0, later.index(current)
        while low < high:
            middle = (low + high) // 2
            if check(solver, z3.Or([space.equals(slot, v) for v in later[low : middle + 1]])):
                model = solver.model()
                high = later.index(space.read(slot, model))
            else:
                low = middle + 1
        return later[high], model

    def _nearest(self, slot: Slot, current: Fraction, model: Expr) -> tuple[Fraction, Expr]:
        """The possible number of the coarsest step (whole numbers first) nearest the slot's
        baseline, the lower on a tie; ``current`` (in ``model``) is possible."""
        space, solver = self.space, self.space.solver()
        var = space.vars[slot.name]

        def on_grid(step: int) -> list[Expr]:
            if slot.integer:
                return []
            return [z3.IsInt(var * 2**step) if step else z3.IsInt(var)]

        found = 0 if slot.integer else level(current)
        coarsest, probe = 0, 0
        while found is None:  # the solver's number is no binary fraction: look for one
            if probe > MAX_LEVEL:
                raise WitnessError(*both("audit.no_binary_value", field=slot.name))
            if check(solver, *on_grid(probe)):
                model = solver.model()
                found = level(space.read(slot, model))
            else:
                coarsest, probe = probe + 1, max(probe * 2, probe + 1)
        finest: int = found
        while coarsest < finest:
            middle = (coarsest + finest) // 2
            if check(solver, *on_grid(middle)):
                model = solver.model()
                finest = _level(space.read(slot, model))
            else:
                coarsest = middle + 1
        grid, unit = on_grid(finest), Fraction(1, 2**finest)
        start = Fraction(slot.start)
        value = space.read(slot, model)
        near, far = 1, int(abs(value - start) / unit)
        while near < far:
            middle = (near + far) // 2
            low, high = start - middle * unit, start + middle * unit
            if check(solver, *grid, var >= rational(low), var <= rational(high)):
                model = solver.model()
                value = space.read(slot, model)
                far = int(abs(value - start) / unit)
            else:
                near = middle + 1
        below = start - far * unit
        if value != below and check(solver, space.equals(slot, below)):
            return below, solver.model()
        return value, model


def _level(value: Fraction) -> int:
    """The level of a number the solver gave on a grid (so a binary fraction)."""
    found = level(value)
    assert found is not None
    return found
