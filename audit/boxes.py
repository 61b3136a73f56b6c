"""Rules made only of simple tests, decided directly: the same answers as the solver, sooner.

Most protocol rules are a list of tests that must all hold, each comparing one field with fixed
values (``age >= 18``, ``return_kind in [deported, expelled]``), with dates and regions. Such a
rule fires for a *box* of people and days: each field, and the day, has its own set of allowed
values, whatever the others are (department and municipality are taken together, as a place).
For boxes every question verification asks has a direct answer, with no solver call:

- can anybody fire the rule? — no set is empty;
- does rule B fire whenever rule A does? — each of A's sets lies inside B's;
- who fires both? — the sets' intersections;
- the witness closest to the baseline — in each slot, the first value of the order
  :mod:`audit.baseline` defines that lies in the set.

Rules with ``any``, ``not`` or a test between two fields are left to the solver. The direct
answers equal the solver's; the tests check that on random rule bases.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from engine import DEPARTMENTS, AllOf, Condition, FieldKind, Operator, Rule, Test, profile_fields
from texts import both

from .baseline import DAY, MAX_LEVEL, Slot, number, slots
from .errors import WitnessError
from .space import FIRST_DAY, LAST_DAY, ProfileSpace

__all__ = ["Box", "Boxes", "Numbers"]

#: The key of a box holding department and municipality together: the municipality codes
#: allowed (each names its department in its first two digits).
PLACE = "place"


@dataclass(frozen=True)
class _Span:
    """Numbers from ``low`` to ``high``, each end included unless open."""

    low: Fraction
    high: Fraction
    low_open: bool = False
    high_open: bool = False

    def holds(self, value: Fraction) -> bool:
        above = value > self.low or (value == self.low and not self.low_open)
        return above and (value < self.high or (value == self.high and not self.high_open))

    def grid(self, unit: Fraction) -> tuple[Fraction, Fraction] | None:
        """The first and last multiples of ``unit`` inside, or ``None``."""
        first = math.ceil(self.low / unit) * unit
        if self.low_open and first == self.low:
            first += unit
        last = math.floor(self.high / unit) * unit
        if self.high_open and last == self.high:
            last -= unit
        return (first, last) if first <= last else None


@dataclass(frozen=True)
class Numbers:
    """A set of numbers: separate spans in increasing order; whole numbers only when
    ``integer`` (then every span is closed, with whole ends)."""

    integer: bool
    spans: tuple[_Span, ...]

    @classmethod
    def between(cls, low: Any, high: Any, integer: bool) -> Numbers:
        return cls(integer, (_Span(number(low), number(high)),)).normal()

    def normal(self) -> Numbers:
        """The same set with every span non-empty, separate and (for whole numbers) closed."""
        spans: list[_Span] = []
        for given in sorted(self.spans, key=lambda s: (s.low, s.low_open)):
            span = given
            if self.integer:
                low = math.floor(span.low) + 1 if span.low_open else math.ceil(span.low)
                high = math.ceil(span.high) - 1 if span.high_open else math.floor(span.high)
                span = _Span(Fraction(low), Fraction(high))
            if span.low > span.high or (
                span.low == span.high and (span.low_open or span.high_open)
            ):
                continue
            if spans and _joins(spans[-1], span, self.integer):
                last = spans[-1]
                if span.high > last.high or (span.high == last.high and not span.high_open):
                    spans[-1] = _Span(last.low, span.high, last.low_open, span.high_open)
                continue
            spans.append(span)
        return Numbers(self.integer, tuple(spans))

    @property
    def empty(self) -> bool:
        return not self.spans

    def holds(self, value: Fraction) -> bool:
        return any(s.holds(value) for s in self.spans) and (
            not self.integer or value.denominator == 1
        )

    def meet(self, other: Numbers) -> Numbers:
        spans = []
        for a in self.spans:
            for b in other.spans:
                low, low_open = max((a.low, a.low_open), (b.low, b.low_open))
                high, high_open = min((a.high, not a.high_open), (b.high, not b.high_open))
                spans.append(_Span(low, high, low_open, not high_open))
        return Numbers(self.integer, tuple(spans)).normal()

    def without(self, points: Iterable[Fraction]) -> Numbers:
        spans = list(self.spans)
        for point in points:
            kept = []
            for span in spans:
                if span.holds(point):
                    kept.append(_Span(span.low, point, span.low_open, True))
                    kept.append(_Span(point, span.high, True, span.high_open))
                else:
                    kept.append(span)
            spans = kept
        return Numbers(self.integer, tuple(spans)).normal()

    def within(self, other: Numbers) -> bool:
        return all(any(_inside(a, b) for b in other.spans) for a in self.spans)

    def nearest(self, start: Fraction) -> Fraction:
        """The value :mod:`audit.baseline` prefers: ``start`` if inside, else a number of the
        coarsest step possible (whole numbers first), the nearest ``start``, the lower on a
        tie."""
        if self.holds(start):
            return start
        for step in range(1 if self.integer else MAX_LEVEL + 1):
            unit = Fraction(1, 2**step)
            best: Fraction | None = None
            for span in self.spans:
                ends = span.grid(unit)
                if ends is None:
                    continue
                first, last = ends
                below = min(max(math.floor(start / unit) * unit, first), last)
                above = max(min(math.ceil(start / unit) * unit, last), first)
                for value in (below, above):
                    if best is None or (abs(value - start), value) < (abs(best - start), best):
                        best = value
            if best is not None:
                return best
        raise WitnessError(*both("audit.no_binary_number"))


def _joins(left: _Span, right: _Span, integer: bool) -> bool:
    """Whether ``right`` (starting no earlier) overlaps or touches ``left``."""
    if integer:
        return right.low <= left.high + 1
    if right.low < left.high:
        return True
    return right.low == left.high and not (left.high_open and right.low_open)


def _inside(inner: _Span, outer: _Span) -> bool:
    low_ok = inner.low > outer.low or (
        inner.low == outer.low and (inner.low_open or not outer.low_open)
    )
    high_ok = inner.high < outer.high or (
        inner.high == outer.high and (inner.high_open or not outer.high_open)
    )
    return low_ok and high_ok


#: One slot's allowed values in a box: listed values, or numbers.
Values = frozenset[Any] | Numbers


@dataclass(frozen=True)
class Box:
    """The people and days a rule (or several at once) fires for, slot by slot: ``sets``
    holds the slots some test restricts, each with its allowed values; any other slot is
    free."""

    sets: dict[str, Values]

    @property
    def empty(self) -> bool:
        return any(v.empty if isinstance(v, Numbers) else not v for v in self.sets.values())


class Boxes:
    """Boxes over one profile space: made from rules, met, compared, and their witnesses."""

    def __init__(self, space: ProfileSpace) -> None:
        self.space = space
        self.fields = profile_fields()
        self.municipalities = frozenset(space.municipalities)
        self.full: dict[str, Values] = {
            DAY: Numbers.between(FIRST_DAY.toordinal(), LAST_DAY.toordinal(), True),
            PLACE: self.municipalities,
        }
        for name, spec in self.fields.items():
            if name in ("department", "municipality"):
                continue
            if spec.kind.numeric:
                if spec.minimum is None or spec.maximum is None or spec.nullable:
                    continue  # no box for its tests: the solver decides them
                integer = spec.kind is FieldKind.INTEGER
                self.full[name] = Numbers.between(spec.minimum, spec.maximum, integer)
            else:
                self.full[name] = frozenset(self._listed(name)) | (
                    {None} if spec.nullable else set()
                )
        self._slots: dict[date, list[Slot]] = {}

    def _listed(self, name: str) -> list[Any]:
        """The values a listed field may take, when not empty."""
        spec = self.fields[name]
        if spec.kind is FieldKind.BOOLEAN:
            return [False, True]
        if spec.kind is FieldKind.CHOICE:
            return list(spec.choices)
        if name == "department":
            return sorted(DEPARTMENTS)
        return sorted(self.municipalities)

    # -- making boxes --------------------------------------------------------------------------

    def of(self, rule: Rule) -> Box | None:
        """The box ``rule`` fires for, or ``None`` when its condition is not a list of simple
        tests joined by ``all`` (then the solver decides)."""
        tests = list(_tests(rule.when))
        if any(t is None or t.other_field is not None for t in tests):
            return None
        sets: dict[str, Values] = {}
        for test in tests:
            assert test is not None
            restricted = self._test(test)
            if restricted is None:
                return None
            key, allowed = restricted
            sets[key] = _meet(sets[key], allowed) if key in sets else allowed
        if rule.effective_from is not None or rule.effective_to is not None:
            low = rule.effective_from or FIRST_DAY
            high = rule.effective_to or LAST_DAY
            days = Numbers.between(low.toordinal(), high.toordinal(), True)
            sets[DAY] = _meet(self.full[DAY], days)
        if rule.regions is not None:
            regions = rule.regions
            inside = frozenset(
                m
                for m in self.municipalities
                if m[:2] in regions.departments or m in regions.municipalities
            )
            sets[PLACE] = _meet(sets.get(PLACE, self.municipalities), inside)
        return Box(sets)

    def _test(self, test: Test) -> tuple[str, Values] | None:
        """The slot a test restricts and the values it allows there."""
        spec = self.fields[test.field]
        if spec.kind.numeric:
            full = self.full.get(test.field)
            if full is None:
                return None
            assert isinstance(full, Numbers)
            numbers = self._numbers(test, full)
            return None if numbers is None else (test.field, numbers)
        if test.field in ("department", "municipality"):
            allowed = self._listed_test(test, frozenset(self._listed(test.field)))
            if allowed is None:
                return None
            if test.field == "municipality":
                return PLACE, allowed
            return PLACE, frozenset(m for m in self.municipalities if m[:2] in allowed)
        full = frozenset(self._listed(test.field))
        allowed = self._listed_test(test, full)
        return None if allowed is None else (test.field, allowed)

    def _listed_test(self, test: Test, full: frozenset[Any]) -> frozenset[Any] | None:
        op, value = test.op, test.value
        if op is Operator.IS_NULL:
            return frozenset({None})
        if op is Operator.NOT_NULL:
            return full
        if op is Operator.EQ:
            return full & {value}
        if op is Operator.NE:
            return full - {value}
        if op is Operator.IN:
            return full & set(value)
        if op is Operator.NOT_IN:
            return full - set(value)
        return None

    def _numbers(self, test: Test, full: Numbers) -> Numbers | None:
        op = test.op
        if op in (Operator.IN, Operator.NOT_IN):
            points = [number(v) for v in test.value]
            if op is Operator.NOT_IN:
                return full.without(points)
            spans = tuple(_Span(p, p) for p in points)
            return full.meet(Numbers(full.integer, spans).normal())
        if op in (Operator.IS_NULL, Operator.NOT_NULL):
            return None
        value = number(test.value)
        if op is Operator.NE:
            return full.without([value])
        low, high = full.spans[0].low, full.spans[-1].high
        span = {
            Operator.EQ: _Span(value, value),
            Operator.LT: _Span(low, value, high_open=True),
            Operator.LE: _Span(low, value),
            Operator.GT: _Span(value, high, low_open=True),
            Operator.GE: _Span(value, high),
        }.get(op)
        return None if span is None else full.meet(Numbers(full.integer, (span,)).normal())

    # -- questions ----------------------------------------------------------------------------

    def meet(self, first: Box, second: Box) -> Box:
        """Who fires both: the sets' intersections."""
        sets = dict(first.sets)
        for key, allowed in second.sets.items():
            sets[key] = _meet(sets[key], allowed) if key in sets else allowed
        return Box(sets)

    def within(self, inner: Box, outer: Box) -> bool:
        """Whether everyone in ``inner`` is in ``outer`` (``inner`` not empty)."""
        for key, allowed in outer.sets.items():
            mine = inner.sets.get(key, self.full[key])
            if isinstance(mine, Numbers):
                assert isinstance(allowed, Numbers)
                if not mine.within(allowed):
                    return False
            elif not mine <= allowed:  # type: ignore[operator]
                return False
        return True

    def closest(self, box: Box, near: date) -> dict[str, Any] | None:
        """One value per slot: the person and day of ``box`` closest to the baseline (the day
        ``near``), as :mod:`audit.baseline` defines it; ``None`` for an empty box."""
        if box.empty:
            return None
        order = self._slots.get(near)
        if order is None:
            order = self._slots[near] = slots(self.space.municipalities, near)
        values: dict[str, Any] = {}
        place = box.sets.get(PLACE)
        assert place is None or isinstance(place, frozenset)
        for slot in order:
            if slot.name == "department":
                prefixes = None if place is None else {m[:2] for m in place}
                values["department"] = _first(slot, prefixes)
            elif slot.name == "municipality":
                department = values["department"]
                inside = None if place is None else {m for m in place if m[:2] == department}
                values["municipality"] = _first(slot, inside)
            else:
                allowed = box.sets.get(slot.name)
                if isinstance(allowed, Numbers):
                    values[slot.name] = allowed.nearest(number(slot.start))
                else:
                    values[slot.name] = _first(slot, allowed)
        return values


def _first(slot: Slot, allowed: Iterable[Any] | None) -> Any:
    """The slot's most preferred value among ``allowed`` (any value when ``None``)."""
    if allowed is None:
        return slot.start
    kept = set(allowed)
    return next(v for v in slot.choices if v in kept)


def _meet(first: Values, second: Values) -> Values:
    if isinstance(first, Numbers):
        assert isinstance(second, Numbers)
        return first.meet(second)
    assert isinstance(second, frozenset)
    return first & second


def _tests(condition: Condition) -> Iterator[Test | None]:
    """The tests of a condition made only of tests joined by ``all``; ``None`` for any other
    part."""
    if isinstance(condition, Test):
        yield condition
    elif isinstance(condition, AllOf):
        for item in condition.all:
            yield from _tests(item)
    else:
        yield None
