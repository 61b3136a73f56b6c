"""What a condition means: its plain-Python truth, its explanation, and its negation-free form.

The semantics, for policy staff: a test on an empty field is false whatever the operator, and
``not`` negates the whole test it wraps. :func:`holds` is the reference meaning the durable-rules
path is checked against; :func:`explain` tells a caseworker which tests held, with the person's
values; :func:`negation_free` rewrites ``not`` away for the engine, which has no negation inside a
fact test, keeping the meaning above (so ``not x == v`` becomes ``x != v or x is empty``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .fields import FieldKind, profile_fields
from .rule_model import AllOf, AnyOf, Condition, Not, Operator, Test

__all__ = [
    "ConditionTrace",
    "NAnd",
    "NLeaf",
    "NOr",
    "Normal",
    "explain",
    "explainer",
    "holds",
    "negation_free",
]

_COMPARE: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: operator.eq,
    Operator.NE: operator.ne,
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
    Operator.IN: lambda value, values: value in values,
    Operator.NOT_IN: lambda value, values: value not in values,
}


def test_holds(test: Test, facts: Mapping[str, Any]) -> bool:
    """Whether one test holds for ``facts`` (a profile as a mapping of field → value)."""
    value = facts.get(test.field)
    if test.op is Operator.IS_NULL:
        return value is None
    if test.op is Operator.NOT_NULL:
        return value is not None
    if value is None:
        return False
    if test.other_field is not None:
        other = facts.get(test.other_field)
        return other is not None and _COMPARE[test.op](value, other)
    return _COMPARE[test.op](value, test.value)


def holds(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """Whether ``condition`` holds for ``facts``: the reference meaning of the rule language."""
    if isinstance(condition, Test):
        return test_holds(condition, facts)
    if isinstance(condition, AllOf):
        return all(holds(c, facts) for c in condition.all)
    if isinstance(condition, AnyOf):
        return any(holds(c, facts) for c in condition.any)
    return not holds(condition.not_, facts)


@dataclass(frozen=True, slots=True)
class ConditionTrace:
    """How one condition of a rule turned out for a profile: the explanation a caseworker reads.

    ``kind`` is ``test``, ``all``, ``any``, ``not`` or ``region``. For a test, ``actual`` is the
    profile's value of ``field`` (and ``other_actual`` of ``other_field``); :attr:`text` renders
    it in one line, e.g. ``age >= 18 (value: 34)``.
    """

    kind: str
    holds: bool
    field: str | None = None
    op: str | None = None
    value: Any = None
    other_field: str | None = None
    actual: Any = None
    other_actual: Any = None
    children: tuple[ConditionTrace, ...] = ()
    label: str | None = None

    @property
    def text(self) -> str:
        """One line for people: the test as written, then the person's values."""
        if self.label is not None:
            return self.label
        if self.kind != "test":
            return {"all": "all of", "any": "any of", "not": "not"}[self.kind]
        if self.op in (Operator.IS_NULL, Operator.NOT_NULL):
            written = f"{self.field} {self.op}"
        else:
            right = self.other_field if self.other_field is not None else _show(self.value)
            written = f"{self.field} {self.op} {right}"
        shown = f"value: {_show(self.actual)}"
        if self.other_field is not None:
            shown += f", {self.other_field}: {_show(self.other_actual)}"
        return f"{written} ({shown})"


def _show(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


Explainer = Callable[[Mapping[str, Any]], ConditionTrace]


def explainer(condition: Condition) -> Explainer:
    """A function giving the trace of ``condition`` for a profile's facts.

    Built once per rule, so explaining an evaluation costs a few dictionary look-ups per test.
    """
    if isinstance(condition, Test):
        return _test_explainer(condition)
    if isinstance(condition, Not):
        inner = explainer(condition.not_)

        def negation(facts: Mapping[str, Any]) -> ConditionTrace:
            child = inner(facts)
            return ConditionTrace("not", not child.holds, children=(child,))

        return negation
    if isinstance(condition, AllOf):
        parts = [explainer(c) for c in condition.all]

        def every(facts: Mapping[str, Any]) -> ConditionTrace:
            children = tuple([part(facts) for part in parts])
            held = True
            for child in children:
                if not child.holds:
                    held = False
                    break
            return ConditionTrace("all", held, children=children)

        return every
    parts = [explainer(c) for c in condition.any]

    def some(facts: Mapping[str, Any]) -> ConditionTrace:
        children = tuple([part(facts) for part in parts])
        held = False
        for child in children:
            if child.holds:
                held = True
                break
        return ConditionTrace("any", held, children=children)

    return some


def _test_explainer(test: Test) -> Explainer:
    field, op, value, other_field = test.field, test.op.value, test.value, test.other_field
    if test.op in (Operator.IS_NULL, Operator.NOT_NULL):
        wants_empty = test.op is Operator.IS_NULL

        def emptiness(facts: Mapping[str, Any]) -> ConditionTrace:
            actual = facts.get(field)
            return ConditionTrace(
                "test", (actual is None) is wants_empty, field, op, None, None, actual
            )

        return emptiness
    compare = _COMPARE[test.op]
    if other_field is not None:

        def against_field(facts: Mapping[str, Any]) -> ConditionTrace:
            actual, other = facts.get(field), facts.get(other_field)
            held = actual is not None and other is not None and compare(actual, other)
            return ConditionTrace("test", held, field, op, None, other_field, actual, other)

        return against_field

    def against_value(facts: Mapping[str, Any]) -> ConditionTrace:
        actual = facts.get(field)
        held = actual is not None and compare(actual, value)
        return ConditionTrace("test", held, field, op, value, None, actual)

    spec = profile_fields().get(field)
    if spec is None or spec.kind not in (FieldKind.BOOLEAN, FieldKind.CHOICE):
        return against_value
    # A yes/no or choice field has a handful of values: keep one (immutable) trace per value.
    traces: dict[Any, ConditionTrace] = {}

    def against_value_cached(facts: Mapping[str, Any]) -> ConditionTrace:
        actual = facts.get(field)
        trace = traces.get(actual)
        if trace is None:
            trace = traces[actual] = against_value(facts)
        return trace

    return against_value_cached


def explain(condition: Condition, facts: Mapping[str, Any]) -> ConditionTrace:
    """The trace of ``condition`` for ``facts``: every test, whether it held and the values."""
    return explainer(condition)(facts)


# --- negation-free form, for the compiler -------------------------------------------------


@dataclass(frozen=True, slots=True)
class NLeaf:
    """A single test with no negation around it."""

    field: str
    op: Operator
    value: Any = None
    other_field: str | None = None


@dataclass(frozen=True, slots=True)
class NAnd:
    items: tuple[Normal, ...]


@dataclass(frozen=True, slots=True)
class NOr:
    items: tuple[Normal, ...]


Normal = NLeaf | NAnd | NOr

_NEGATED = {
    Operator.EQ: Operator.NE,
    Operator.NE: Operator.EQ,
    Operator.LT: Operator.GE,
    Operator.LE: Operator.GT,
    Operator.GT: Operator.LE,
    Operator.GE: Operator.LT,
    Operator.IN: Operator.NOT_IN,
    Operator.NOT_IN: Operator.IN,
    Operator.IS_NULL: Operator.NOT_NULL,
    Operator.NOT_NULL: Operator.IS_NULL,
}


def negation_free(condition: Condition, negate: bool = False) -> Normal:
    """``condition`` (negated when ``negate``) with every ``not`` pushed into the tests.

    Negating a comparison on a field that can be empty adds "or the field is empty", since the
    comparison alone is false on an empty field while its negation must be true.
    """
    if isinstance(condition, Test):
        leaf = NLeaf(condition.field, condition.op, condition.value, condition.other_field)
        if not negate:
            return leaf
        flipped = NLeaf(leaf.field, _NEGATED[leaf.op], leaf.value, leaf.other_field)
        if leaf.op in (Operator.IS_NULL, Operator.NOT_NULL):
            return flipped
        fields = profile_fields()
        empties = tuple(
            NLeaf(name, Operator.IS_NULL)
            for name in (leaf.field, leaf.other_field)
            if name is not None and fields[name].nullable
        )
        return NOr((flipped, *empties)) if empties else flipped
    if isinstance(condition, Not):
        return negation_free(condition.not_, not negate)
    items = tuple(
        negation_free(c, negate)
        for c in (condition.all if isinstance(condition, AllOf) else condition.any)
    )
    conjunctive = isinstance(condition, AllOf) != negate
    return _flatten(NAnd(items) if conjunctive else NOr(items))


def _flatten(node: Normal) -> Normal:
    if isinstance(node, NLeaf):
        return node
    kind = type(node)
    items: list[Normal] = []
    for item in node.items:
        if type(item) is kind:
            items.extend(item.items)
        else:
            items.append(item)
    return items[0] if len(items) == 1 else kind(tuple(items))
