"""What a condition means: its plain-Python truth, its explanation, and its negation-free form.

The semantics, for policy staff: a test on an empty field is false whatever the operator, and
``not`` negates the whole test it wraps. :func:`holds` is the reference meaning the durable-rules
path is checked against; :func:`explain` tells a caseworker which tests held, with the person's
values; :func:`negation_free` rewrites ``not`` away for the engine, which has no negation inside a
fact test, keeping the meaning above (so ``not x == v`` becomes ``x != v or x is empty``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from texts import text

from .fields import profile_fields
from .rule_model import AllOf, AnyOf, Condition, Not, Operator, Test

__all__ = [
    "ConditionTrace",
    "FiredExplainer",
    "NAnd",
    "NLeaf",
    "NOr",
    "Normal",
    "explain",
    "holds",
    "leaves",
    "negation_free",
    "predicate",
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


Predicate = Callable[[Mapping[str, Any]], bool]


def predicate(condition: Condition) -> Predicate:
    """:func:`holds` for ``condition``, prepared once as a function of the facts.

    The same meaning, worked out faster when one condition is asked of many profiles (or of
    one profile with one answer changed at a time): the tree is walked once, here, instead of
    at every call.
    """
    if isinstance(condition, Test):
        return _test_predicate(condition)
    if isinstance(condition, Not):
        inner = predicate(condition.not_)
        return lambda facts: not inner(facts)
    items = tuple(
        predicate(c) for c in (condition.all if isinstance(condition, AllOf) else condition.any)
    )
    if isinstance(condition, AllOf):

        def every(facts: Mapping[str, Any]) -> bool:
            # A plain loop: a third faster than all() over a generator, on every call.
            for item in items:  # noqa: SIM110
                if not item(facts):
                    return False
            return True

        return every

    def some(facts: Mapping[str, Any]) -> bool:
        for item in items:  # noqa: SIM110
            if item(facts):
                return True
        return False

    return some


def _test_predicate(test: Test) -> Predicate:
    name, op = test.field, test.op
    if op is Operator.IS_NULL:
        return lambda facts: facts.get(name) is None
    if op is Operator.NOT_NULL:
        return lambda facts: facts.get(name) is not None
    compare = _COMPARE[op]
    other = test.other_field
    if other is not None:

        def against_field(facts: Mapping[str, Any]) -> bool:
            value, right = facts.get(name), facts.get(other)
            return value is not None and right is not None and compare(value, right)

        return against_field
    operand = tuple(test.value) if op in (Operator.IN, Operator.NOT_IN) else test.value

    def against_value(facts: Mapping[str, Any]) -> bool:
        value = facts.get(name)
        return value is not None and compare(value, operand)

    return against_value


@dataclass(frozen=True)
class ConditionTrace:
    """How one condition of a rule turned out for a profile: the explanation a caseworker reads.

    ``kind`` is ``test``, ``all``, ``any``, ``not`` or ``region``; ``holds`` says whether it held.
    A trace names the fields it tested; the person's values stay in the evaluation
    (:attr:`engine.results.Evaluation.values`), so :meth:`describe` renders a line such as
    ``age >= 18 (value: 34)`` from both. Traces are kept and shared between evaluations
    (:class:`FiredExplainer`), so what does not depend on the person is worked out once.
    """

    kind: str
    holds: bool
    field: str | None = None
    op: str | None = None
    value: Any = None
    other_field: str | None = None
    children: tuple[ConditionTrace, ...] = ()
    label: str | None = None

    @cached_property
    def text(self) -> str:
        """The condition as policy staff wrote it, e.g. ``months_since_return < 12``."""
        if self.label is not None:
            return self.label
        if self.kind != "test":
            return {"all": "all of", "any": "any of", "not": "not"}[self.kind]
        if self.op in (Operator.IS_NULL, Operator.NOT_NULL):
            return f"{self.field} {self.op}"
        right = self.other_field if self.other_field is not None else _show(self.value)
        return f"{self.field} {self.op} {right}"

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """The profile fields this test reads."""
        if self.kind == "region":
            return ("department", "municipality")
        return tuple(n for n in (self.field, self.other_field) if n is not None)

    def describe(self, values: Mapping[str, Any], lang: str = "en") -> str:
        """One line for people, in English or Spanish (``lang="es"``): the condition as
        written, then the person's values."""
        names = self.fields
        if not names:
            return self.text
        if len(names) == 1 and self.kind == "test":
            word = text("explanation.value", "es" if lang == "es" else "en")
            return f"{self.text} ({word}: {_show(values.get(names[0]), lang)})"
        shown = ", ".join(f"{n}: {_show(values.get(n), lang)}" for n in names)
        return f"{self.text} ({shown})"

    def tests(self) -> Iterator[ConditionTrace]:
        """Every test under this condition, in the order written."""
        return iter(self._tests)

    @cached_property
    def _tests(self) -> tuple[ConditionTrace, ...]:
        if self.kind in ("test", "region"):
            return (self,)
        return tuple(test for child in self.children for test in child._tests)


def _show(value: Any, lang: str = "en") -> str:
    if value is None:
        return text("explanation.empty", "es" if lang == "es" else "en")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v, lang) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def explain(condition: Condition, facts: Mapping[str, Any]) -> ConditionTrace:
    """The trace of ``condition`` for ``facts``: every test and whether it held."""
    return _build(condition, iter([test_holds(t, facts) for t in leaves(condition)]))


def _test_trace(test: Test, held: bool) -> ConditionTrace:
    return ConditionTrace("test", held, test.field, test.op.value, test.value, test.other_field)


class FiredExplainer:
    """Explains a rule's condition for profiles on which the rule fired, cheaply.

    A rule made only of tests joined by ``all`` held entirely whenever it fired, so its
    explanation is the same object every time. Otherwise the trace depends only on which tests
    held: it is built once per combination and kept (combinations are few in practice).
    """

    _MAX_KEPT = 4096

    def __init__(self, condition: Condition) -> None:
        self.condition = condition
        self._tests = leaves(condition)
        self._checks = [_check(t) for t in self._tests]
        self.static = (
            _build(condition, iter([True] * len(self._tests))) if _conjunctive(condition) else None
        )
        self._kept: dict[tuple[bool, ...], ConditionTrace] = {}

    def __call__(self, facts: Mapping[str, Any]) -> ConditionTrace:
        """The trace for ``facts``, which the condition must hold for (the rule fired).

        For a condition that does not hold, use :func:`explain` ("why did P01 not apply?").
        """
        if self.static is not None:
            return self.static
        key = tuple([check(facts) for check in self._checks])
        trace = self._kept.get(key)
        if trace is None:
            trace = _build(self.condition, iter(key))
            if len(self._kept) < self._MAX_KEPT:
                self._kept[key] = trace
        return trace


def leaves(condition: Condition) -> list[Test]:
    """Every test of ``condition``, in the order written: its leaf conditions."""
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Not):
        return leaves(condition.not_)
    items = condition.all if isinstance(condition, AllOf) else condition.any
    return [t for c in items for t in leaves(c)]


def _conjunctive(condition: Condition) -> bool:
    if isinstance(condition, Test):
        return True
    return isinstance(condition, AllOf) and all(_conjunctive(c) for c in condition.all)


def _build(condition: Condition, results: Iterator[bool]) -> ConditionTrace:
    """The trace of ``condition`` given the outcome of each of its tests, in written order."""
    if isinstance(condition, Test):
        return _test_trace(condition, next(results))
    if isinstance(condition, Not):
        inner = _build(condition.not_, results)
        return ConditionTrace("not", not inner.holds, children=(inner,))
    conjunction = isinstance(condition, AllOf)
    items = condition.all if isinstance(condition, AllOf) else condition.any
    children = tuple(_build(c, results) for c in items)
    held = all(c.holds for c in children) if conjunction else any(c.holds for c in children)
    return ConditionTrace("all" if conjunction else "any", held, children=children)


def _check(test: Test) -> Callable[[Mapping[str, Any]], bool]:
    """:func:`test_holds` for one test, as a function of the facts."""
    return lambda facts: test_holds(test, facts)


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
